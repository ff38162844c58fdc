// What the UI and the CLI show of each private channel: its texts and files in the order they
// came, each with when and in what state, kept through the chat store (chatStore.ts) once it is
// attached. Before that, or where there is none, the same view lives in memory alone.
//
// A channel's doc starts empty at each start, and a partner who stayed up hands its whole doc
// back, so everything arrives again after a restart: entries are known by id (sender, epoch,
// counter for texts; the file id for files) and an entry already shown is not shown twice.
import { fromHex } from '../shared/bytes.ts';
import type { KeyHex } from '../shared/ids.ts';
import type { ClockPort } from '../shared/ports.ts';
import type { Ack } from '../shared/ssk/channelAck.ts';
import type { ChannelEvent } from '../shared/ssk/channel.ts';
import { FILE_CHUNK_BYTES } from '../shared/ssk/channel.ts';
import { replayChats, type ChatMessage, type Thread, type TransferView } from './chatReplay.ts';
import {
  fileId,
  partsOf,
  stateRecord,
  textId,
  type ChatRecord,
  type ChatState,
} from '../shared/ssk/chatRecords.ts';
import type { ChatStore } from './chatStore.ts';

export type { ChatMessage, TransferView } from './chatReplay.ts';
export { textId } from '../shared/ssk/chatRecords.ts';

type TextEvent = Extract<ChannelEvent, { type: 'text' }>;

/** A sealed text of ours kept from an earlier run, for the channel to hand on again. */
export interface Pending {
  readonly partner: KeyHex;
  readonly wire: Uint8Array;
}

export class ChatLog {
  readonly #me: KeyHex;
  readonly #clock: ClockPort;
  #threads = new Map<KeyHex, Thread>();
  #store: ChatStore | null = null;
  #problems: string[] = [];

  constructor(me: KeyHex, clock: ClockPort) {
    this.#me = me;
    this.#clock = clock;
  }

  thread(partner: KeyHex): Thread {
    let thread = this.#threads.get(partner);
    if (!thread) {
      thread = { messages: [], transfers: new Map(), wires: new Map() };
      this.#threads.set(partner, thread);
    }
    return thread;
  }

  /** Sentences about the kept history: why it is not kept, or what of it could not be read. */
  get problems(): readonly string[] {
    const failure = this.#store?.failure;
    return failure ? [...this.#problems, failure] : this.#problems;
  }

  /** The history could not be opened: it is shown from memory and the reason is said. */
  notKept(reason: string): void {
    this.#problems = [reason];
  }

  /**
   * Takes the kept history as the start of every thread, keeps what this run saw before it
   * came, and returns our texts that may not have reached the partner.
   */
  attach(store: ChatStore, records: readonly ChatRecord[], problems: readonly string[]): Pending[] {
    const live = this.#threads;
    this.#threads = replayChats(records, this.#me);
    this.#problems = [...problems];
    this.#store = store;
    for (const [partner, thread] of live) {
      for (const message of thread.messages)
        this.#addMessage(partner, message, thread.wires.get(message.id), message.why);
      for (const transfer of thread.transfers.values()) this.#addTransfer(partner, transfer);
    }
    // What this run already handed to the channel is in its doc: only the rest goes again.
    const pending: Pending[] = [];
    for (const [partner, thread] of this.#threads) {
      const seen = new Set(live.get(partner)?.messages.map((m) => m.id));
      for (const [id, wire] of thread.wires) if (!seen.has(id)) pending.push({ partner, wire });
    }
    return pending;
  }

  /** What a channel reported, as the history takes it (a refusal is the channel's to count). */
  channelEvent(partner: KeyHex, event: ChannelEvent): void {
    if (event.type === 'text') this.text(partner, event);
    else if (event.type === 'ack') this.ack(partner, event);
    // Our own files come back through the doc too: ours are shown from fileSent.
    else if (event.type === 'file-offered' && event.from !== this.#me)
      this.fileOffered(partner, event.id, event.name, event.size);
    else if (event.type === 'file-progress')
      this.fileProgress(partner, event.id, event.received, event.total);
    else if (event.type === 'file-complete') this.fileComplete(partner, event.id, event.bytes);
  }

  text(partner: KeyHex, event: TextEvent): void {
    const mine = event.from === this.#me;
    const message: ChatMessage = {
      id: textId(mine, event.epoch, event.counter),
      from: event.from,
      text: event.text,
      epoch: event.epoch,
      counter: event.counter,
      time: this.#clock.now(),
      state: mine ? 'sent' : 'received',
    };
    this.#addMessage(partner, message, mine ? event.wire : undefined, undefined);
  }

  /** A text that could not go out at all (no key, too long): shown as failed, with why. */
  failedText(partner: KeyHex, text: string, why: string): void {
    const time = this.#clock.now();
    // Epoch 0 is no key's: the id cannot meet a sent text's.
    const counter = time * 1000 + this.thread(partner).messages.length;
    const id = textId(true, 0, counter);
    const message: ChatMessage = {
      id,
      from: this.#me,
      text,
      epoch: 0,
      counter,
      time,
      state: 'failed',
      why,
    };
    this.#addMessage(partner, message, undefined, why);
  }

  ack(partner: KeyHex, ack: Ack): void {
    const thread = this.thread(partner);
    for (const { epoch, counter } of ack.texts) {
      const id = textId(true, epoch, counter);
      const at = thread.messages.findIndex((m) => m.id === id);
      const found = thread.messages[at];
      if (!found || found.state === 'delivered') continue;
      thread.messages[at] = { ...found, state: 'delivered' };
      thread.wires.delete(id);
      this.#keepState(partner, id, 'delivered');
    }
    for (const id of ack.files) {
      const transfer = thread.transfers.get(id);
      if (!transfer || transfer.direction !== 'out' || transfer.state === 'delivered') continue;
      thread.transfers.set(id, { ...transfer, state: 'delivered' });
      this.#keepState(partner, fileId(id), 'delivered');
    }
  }

  /** A file of the partner's was offered: it is receiving (again, after a restart). */
  fileOffered(partner: KeyHex, id: string, name: string, size: number): void {
    const known = this.thread(partner).transfers.get(id);
    if (known?.state === 'complete') return;
    const total = Math.max(1, Math.ceil(size / FILE_CHUNK_BYTES));
    const transfer: TransferView = known
      ? { ...known, state: 'receiving', done: 0, total }
      : {
          id,
          name,
          size,
          direction: 'in',
          done: 0,
          total,
          complete: false,
          time: this.#clock.now(),
          state: 'receiving',
        };
    if (known) this.thread(partner).transfers.set(id, transfer);
    else this.#addTransfer(partner, transfer);
  }

  fileProgress(partner: KeyHex, id: string, done: number, total: number): void {
    const transfers = this.thread(partner).transfers;
    const transfer = transfers.get(id);
    if (transfer?.direction === 'in' && !transfer.complete)
      transfers.set(id, { ...transfer, done, total });
  }

  fileComplete(partner: KeyHex, id: string, bytes: Uint8Array): void {
    const transfers = this.thread(partner).transfers;
    const transfer = transfers.get(id);
    if (transfer?.direction !== 'in' || transfer.complete) return;
    transfers.set(id, {
      ...transfer,
      done: transfer.total,
      complete: true,
      bytes,
      state: 'complete',
    });
    this.#keep([
      ...partsOf(partner, id, bytes),
      stateRecord(partner, fileId(id), 'complete', this.#clock.now()),
    ]);
  }

  /** A file of ours, all of it handed to the channel. */
  fileSent(partner: KeyHex, id: string, name: string, bytes: Uint8Array, total: number): void {
    const time = this.#clock.now();
    const transfer: TransferView = {
      id,
      name,
      size: bytes.length,
      direction: 'out',
      done: total,
      total,
      complete: true,
      bytes,
      time,
      state: 'sent',
    };
    this.#addTransfer(partner, transfer);
  }

  #addMessage(
    partner: KeyHex,
    message: ChatMessage,
    wire: Uint8Array | undefined,
    why: string | undefined,
  ): void {
    const thread = this.thread(partner);
    const at = thread.messages.findIndex((m) => m.id === message.id);
    if (at >= 0) {
      // Seen in this run and kept from the last: the later state wins (an ack in between).
      const known = thread.messages[at]!;
      if (known.state !== message.state && message.state === 'delivered') {
        thread.messages[at] = { ...known, state: 'delivered' };
        thread.wires.delete(message.id);
        this.#keepState(partner, message.id, 'delivered');
      }
      return;
    }
    thread.messages.push(message);
    const mine = message.from === this.#me;
    if (wire && mine && message.state === 'sent') thread.wires.set(message.id, wire);
    const initial = mine ? 'sent' : 'received';
    this.#keep([
      {
        k: 'text',
        p: fromHex(partner),
        mine,
        e: message.epoch,
        c: message.counter,
        t: message.text,
        at: message.time,
        ...(wire && mine && message.state === 'sent' ? { w: wire } : {}),
      },
      ...(message.state === initial
        ? []
        : [stateRecord(partner, message.id, message.state, message.time, why)]),
    ]);
  }

  #addTransfer(partner: KeyHex, transfer: TransferView): void {
    const transfers = this.thread(partner).transfers;
    const known = transfers.get(transfer.id);
    if (known && known.state === transfer.state) return;
    transfers.set(transfer.id, known ? { ...known, ...transfer } : transfer);
    const records: ChatRecord[] = known
      ? []
      : [
          {
            k: 'file',
            p: fromHex(partner),
            id: fromHex(transfer.id),
            mine: transfer.direction === 'out',
            name: transfer.name,
            size: transfer.size,
            at: transfer.time,
          },
        ];
    if (transfer.bytes && !known) records.push(...partsOf(partner, transfer.id, transfer.bytes));
    const initial = transfer.direction === 'out' ? 'sent' : 'receiving';
    if (transfer.state !== initial)
      records.push(stateRecord(partner, fileId(transfer.id), transfer.state, this.#clock.now()));
    this.#keep(records);
  }

  #keepState(partner: KeyHex, id: string, state: ChatState): void {
    this.#keep([stateRecord(partner, id, state, this.#clock.now())]);
  }

  #keep(records: readonly ChatRecord[]): void {
    void this.#store?.append(records);
  }

  /** Keeps nothing more: the one who opened the store closes it (chatKeeper.ts). */
  detach(): void {
    this.#store = null;
  }
}
