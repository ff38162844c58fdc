// The kept chat history (chatStore.ts) read back into threads: each text and file as it was
// written, then each later state, then what a run that ended leaves behind. A transfer that was
// under way when the app closed did not finish: it is said to have failed, with why, and a
// partner who still offers it (or acknowledges it) brings it back to life.
import { toHex } from '../shared/bytes.ts';
import { keyHexOf, type KeyHex } from '../shared/ids.ts';
import { FILE_CHUNK_BYTES } from '../shared/ssk/channel.ts';
import { textId, type ChatRecord, type ChatState } from '../shared/ssk/chatRecords.ts';

export interface ChatMessage {
  readonly id: string;
  readonly from: KeyHex;
  readonly text: string;
  readonly epoch: number;
  readonly counter: number;
  /** When this device sent or received it (ms since the Unix epoch). */
  readonly time: number;
  readonly state: ChatState;
  /** Why it failed, in a sentence. */
  readonly why?: string;
}

export interface TransferView {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly direction: 'in' | 'out';
  readonly done: number;
  readonly total: number;
  readonly complete: boolean;
  /** The file's bytes: a received file once complete and checked, a sent file's own. */
  readonly bytes?: Uint8Array;
  readonly time: number;
  readonly state: ChatState;
  readonly why?: string;
}

export interface Thread {
  readonly messages: ChatMessage[];
  readonly transfers: Map<string, TransferView>;
  /** Our texts' sealed entries, by id, while the partner may not have them. */
  readonly wires: Map<string, Uint8Array>;
}

const STOPPED_IN =
  'the transfer stopped when the app closed; it resumes if the partner offers it again';
const STOPPED_OUT = 'the app closed before the partner had all of it; send it again';

export function replayChats(records: readonly ChatRecord[], me: KeyHex): Map<KeyHex, Thread> {
  const threads = new Map<KeyHex, Thread>();
  const parts = new Map<string, Map<number, Uint8Array>>();
  const threadOf = (p: Uint8Array): Thread => {
    const partner = keyHexOf(p);
    let thread = threads.get(partner);
    if (!thread)
      threads.set(partner, (thread = { messages: [], transfers: new Map(), wires: new Map() }));
    return thread;
  };
  for (const record of records) {
    const thread = threadOf(record.p);
    if (record.k === 'text') {
      const id = textId(record.mine, record.e, record.c);
      if (thread.messages.some((m) => m.id === id)) continue;
      const from = record.mine ? me : keyHexOf(record.p);
      thread.messages.push({
        id,
        from,
        text: record.t,
        epoch: record.e,
        counter: record.c,
        time: record.at,
        state: record.mine ? 'sent' : 'received',
      });
      if (record.w) thread.wires.set(id, record.w);
    } else if (record.k === 'file') {
      const id = toHex(record.id);
      if (thread.transfers.has(id)) continue;
      const total = Math.max(1, Math.ceil(record.size / FILE_CHUNK_BYTES));
      const direction = record.mine ? 'out' : 'in';
      const state = record.mine ? 'sent' : 'receiving';
      thread.transfers.set(id, {
        id,
        name: record.name,
        size: record.size,
        direction,
        done: record.mine ? total : 0,
        total,
        complete: record.mine,
        time: record.at,
        state,
      });
    } else if (record.k === 'part') {
      const id = toHex(record.id);
      let kept = parts.get(id);
      if (!kept) parts.set(id, (kept = new Map<number, Uint8Array>()));
      kept.set(record.i, record.d);
    } else {
      applyState(thread, record.id, record.s, record.why);
    }
  }
  for (const thread of threads.values()) finish(thread, parts);
  return threads;
}

function applyState(thread: Thread, id: string, state: ChatState, why: string | undefined): void {
  const extra = why ? { why } : {};
  if (id.startsWith('f-')) {
    const transfer = thread.transfers.get(id.slice(2));
    if (transfer) thread.transfers.set(transfer.id, { ...transfer, state, ...extra });
    return;
  }
  const at = thread.messages.findIndex((m) => m.id === id);
  if (at < 0) return;
  thread.messages[at] = { ...thread.messages[at]!, state, ...extra };
  if (state !== 'sent') thread.wires.delete(id);
}

/** Puts kept contents back together, and says which transfers the last run left unfinished. */
function finish(thread: Thread, parts: ReadonlyMap<string, ReadonlyMap<number, Uint8Array>>): void {
  for (const transfer of thread.transfers.values()) {
    const bytes = assemble(transfer.size, parts.get(transfer.id));
    let next: TransferView = bytes ? { ...transfer, bytes } : transfer;
    if (transfer.state === 'complete') next = { ...next, complete: true, done: next.total };
    else if (transfer.state === 'receiving') next = { ...next, state: 'failed', why: STOPPED_IN };
    else if (transfer.state === 'sent') next = { ...next, state: 'failed', why: STOPPED_OUT };
    thread.transfers.set(transfer.id, next);
  }
}

function assemble(
  size: number,
  kept: ReadonlyMap<number, Uint8Array> | undefined,
): Uint8Array | undefined {
  if (!kept) return undefined;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (let i = 0; i < kept.size; i++) {
    const part = kept.get(i);
    if (!part || offset + part.length > size) return undefined;
    bytes.set(part, offset);
    offset += part.length;
  }
  return offset === size ? bytes : undefined;
}
