// The chat history kept on this device (issue 18): every text and file of the private channels,
// with its state, as records in a log of its own (the LogStore port: a file log in Node, an
// IndexedDB log in the browser, main's file log on the desktop), each sealed at rest with a data
// key that only this identity's signer can unwrap (shared/ssk/atRest.ts). The log is a journal:
// a text or file is written once and each change of state after it, so a record is never
// rewritten, and a torn or damaged record costs that record alone. The records themselves are
// in shared/ssk/chatRecords.ts.
import { fromHex } from '../shared/bytes.ts';
import { encodeCanonical } from '../shared/codec/cbor.ts';
import type { KeyHex } from '../shared/ids.ts';
import type { ClockPort, RandomPort } from '../shared/ports.ts';
import {
  atRestContext,
  atRestKeyOf,
  CHAT_HISTORY_PURPOSE,
  newAtRestKey,
  openAtRest,
  sealAtRest,
  type AtRestOwner,
} from '../shared/ssk/atRest.ts';
import { MAX_RECORD_BYTES, type LogStore } from '../shared/storage/port.ts';
import { parseChatRecord, type ChatRecord } from '../shared/ssk/chatRecords.ts';
import type { SskOpener } from './sskKeyring.ts';

/** Where the wrapped data key is kept, beside the records. */
const KEY_META = 'chat-key';
export type OpenedChats =
  | { ok: true; store: ChatStore; records: ChatRecord[]; problems: string[] }
  | { ok: false; error: string };

export interface ChatStoreOptions {
  readonly log: LogStore;
  readonly opener: SskOpener;
  readonly me: KeyHex;
  readonly networkId: string;
  readonly random: RandomPort;
  readonly clock: ClockPort;
}

export class ChatStore {
  readonly #log: LogStore;
  readonly #key: Uint8Array;
  readonly #owner: AtRestOwner;
  readonly #random: RandomPort;
  /** Appends run one after the other, in the order they were asked for. */
  #writing: Promise<void> = Promise.resolve();
  #failure: string | null = null;

  private constructor(log: LogStore, key: Uint8Array, owner: AtRestOwner, random: RandomPort) {
    this.#log = log;
    this.#key = key;
    this.#owner = owner;
    this.#random = random;
  }

  /**
   * Reads the history and unwraps its key, or makes a key for an empty log. Never throws for
   * what it finds: a key that does not open, or a history without its key, is a sentence and
   * nothing is written, so a wrong identity never buries the right one's history.
   */
  static async open(options: ChatStoreOptions): Promise<OpenedChats> {
    const owner = ownerOf(options);
    const loaded = await options.log.load();
    const problems = loaded.recovery ? [loaded.recovery.reason] : [];
    const wrapped = await options.log.getMeta(KEY_META);
    let key: Uint8Array;
    if (wrapped) {
      const opened = atRestKeyOf(options.opener.openSskBox(wrapped, atRestContext(owner)), owner);
      if (!opened.ok)
        return { ok: false, error: `The kept chat history cannot be read: ${opened.error}.` };
      key = opened.key;
    } else if (loaded.records.length > 0) {
      return { ok: false, error: 'The kept chat history cannot be read: its key is missing.' };
    } else {
      const made = newAtRestKey(owner, options.random, options.clock.now());
      await options.log.putMeta(KEY_META, made.wrapped);
      key = made.key;
    }
    const records: ChatRecord[] = [];
    let unreadable = 0;
    for (const sealed of loaded.records) {
      const record = openRecord(key, owner, sealed);
      if (record) records.push(record);
      else unreadable++;
    }
    if (unreadable > 0)
      problems.push(
        `${unreadable} kept chat record${unreadable === 1 ? ' was' : 's were'} damaged or altered and could not be read; the rest of the history is shown.`,
      );
    return {
      ok: true,
      store: new ChatStore(options.log, key, owner, options.random),
      records,
      problems,
    };
  }

  /** Keeps `records`, sealed, after everything asked for before. A failure is kept as a sentence. */
  append(records: readonly ChatRecord[]): Promise<void> {
    if (records.length === 0) return this.#writing;
    const sealed = records.map((r) =>
      sealAtRest(this.#key, this.#owner, encodeCanonical(r), this.#random),
    );
    this.#writing = this.#writing
      .then(() => this.#log.append(sealed))
      .catch((error: unknown) => {
        this.#failure = `Keeping the chat history failed: ${error instanceof Error ? error.message : String(error)}.`;
      });
    return this.#writing;
  }

  /** The last failure to keep records, if any. */
  get failure(): string | null {
    return this.#failure;
  }

  /** Waits for every append asked for, then closes the log. */
  async close(): Promise<void> {
    await this.#writing;
    await this.#log.close();
  }
}

function ownerOf(options: ChatStoreOptions): AtRestOwner {
  return {
    network: fromHex(options.networkId),
    me: fromHex(options.me),
    purpose: CHAT_HISTORY_PURPOSE,
  };
}

function openRecord(key: Uint8Array, owner: AtRestOwner, sealed: Uint8Array): ChatRecord | null {
  const opened = openAtRest(key, owner, sealed, MAX_RECORD_BYTES);
  return opened.ok ? parseChatRecord(opened.plaintext, MAX_RECORD_BYTES) : null;
}
