// The off-chain private channel between two identities that share an SSK: chat and file
// transfer, carried by a Y.Doc of their own that y-webrtc replicates in a room whose name and
// password are derived from K_S. Only the pair can find the room, and every entry is a message
// sealed with K_S: an entry that does not open under one of the pair's keys is refused, so even
// a party who learned the room could not read or inject anything. Replays are dropped.
import { sha256 } from '@noble/hashes/sha2.js';
import * as v from 'valibot';
import type * as Y from 'yjs';
import { bytesEqual, fromHex, fromUtf8, toHex, utf8 } from '../bytes.ts';
import { decodeCanonical, encodeCanonical } from '../codec/cbor.ts';
import type { KeyHex } from '../ids.ts';
import type { ClockPort, RandomPort } from '../ports.ts';
import { bytes32, bytesOf, uint } from '../tx/schema.ts';
import type { SskKeyring } from './keyring.ts';
import { openMessage, peekMessage, ReplayGuard, sealMessage } from './message.ts';
import { encodeAcks, parseAck, type AckedText } from './channelAck.ts';

export { channelRoomOf, keyedRoom } from './channelRoom.ts';

export const CHANNEL_ARRAY = 'm';
/** File chunks: small enough that a chunk and its envelope stay far below any message limit. */
export const FILE_CHUNK_BYTES = 32 * 1024;
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MAX_TEXT_BYTES = 16 * 1024;

export type ChannelEvent =
  | {
      readonly type: 'text';
      readonly from: KeyHex;
      readonly text: string;
      readonly epoch: number;
      readonly counter: number;
      /** The sealed entry as it travels: kept by the sender until the partner has it. */
      readonly wire: Uint8Array;
    }
  | {
      /** The partner has these texts of ours, and these files of ours whole (channelAck.ts). */
      readonly type: 'ack';
      readonly texts: readonly AckedText[];
      readonly files: readonly string[];
    }
  | {
      readonly type: 'file-offered';
      readonly from: KeyHex;
      readonly id: string;
      readonly name: string;
      readonly size: number;
    }
  | {
      readonly type: 'file-progress';
      readonly id: string;
      readonly received: number;
      readonly total: number;
    }
  | {
      readonly type: 'file-complete';
      readonly id: string;
      readonly name: string;
      readonly bytes: Uint8Array;
    }
  | { readonly type: 'refused'; readonly reason: string };

export interface ReceivedFile {
  readonly id: string;
  readonly from: KeyHex;
  readonly name: string;
  readonly size: number;
  readonly sha256: Uint8Array;
  readonly chunks: Array<Uint8Array | undefined>;
  received: number;
  complete: boolean;
}

const entrySchema = v.strictObject({ from: bytes32, msg: v.instance(Uint8Array) });
const fileMetaSchema = v.strictObject({
  id: bytesOf(16),
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  size: v.pipe(uint, v.maxValue(MAX_FILE_BYTES)),
  sha256: bytes32,
  chunks: uint,
});
const fileChunkSchema = v.strictObject({
  id: bytesOf(16),
  index: uint,
  data: v.instance(Uint8Array),
});

export interface ChannelOptions {
  readonly doc: Y.Doc;
  readonly me: KeyHex;
  readonly other: KeyHex;
  readonly keyring: SskKeyring;
  readonly random: RandomPort;
  readonly clock: ClockPort;
  readonly onEvent?: (event: ChannelEvent) => void;
}

export class PrivateChannel {
  readonly #o: ChannelOptions;
  readonly #array: Y.Array<Uint8Array>;
  readonly #guard = new ReplayGuard();
  readonly #texts: Array<Extract<ChannelEvent, { type: 'text' }>> = [];
  readonly #files = new Map<string, ReceivedFile>();
  /** What arrived from the partner in the current batch, acknowledged once it is over. */
  #acks: { texts: AckedText[]; files: Uint8Array[] } = { texts: [], files: [] };
  /** Counters only need to grow; starting from the clock keeps them growing across restarts. */
  #counter: number;

  constructor(options: ChannelOptions) {
    this.#o = options;
    this.#counter = options.clock.now() * 1000;
    this.#array = options.doc.getArray<Uint8Array>(CHANNEL_ARRAY);
    this.#array.observe((event) => {
      for (const item of event.changes.added)
        for (const value of item.content.getContent()) this.#receive(value);
      this.#flushAcks();
    });
    for (const value of this.#array.toArray()) this.#receive(value);
    this.#flushAcks();
  }

  /** Acknowledges the batch just received, once the transaction that brought it is over. */
  #flushAcks(): void {
    const { texts, files } = this.#acks;
    if (texts.length === 0 && files.length === 0) return;
    this.#acks = { texts: [], files: [] };
    void Promise.resolve().then(() => {
      if (this.#o.doc.isDestroyed || !this.#o.keyring.current(this.#o.other).ok) return;
      for (const plaintext of encodeAcks(texts, files))
        this.#array.push([this.#seal('ack', plaintext)]);
    });
  }

  /**
   * Hands a sealed entry kept from an earlier run to the room again: a text that had not
   * reached the partner when the app closed. The partner drops one it already has.
   */
  requeue(wire: Uint8Array): void {
    this.#array.push([wire]);
  }

  get texts(): ReadonlyArray<Extract<ChannelEvent, { type: 'text' }>> {
    return this.#texts;
  }

  get files(): ReadonlyMap<string, ReceivedFile> {
    return this.#files;
  }

  #seal(label: string, plaintext: Uint8Array): Uint8Array {
    const current = this.#o.keyring.current(this.#o.other);
    if (!current.ok) throw new Error(current.error);
    const { key, share } = current.ssk;
    const ctx = {
      sender: fromHex(this.#o.me),
      recipient: fromHex(this.#o.other),
      epoch: share.epoch,
      label,
    };
    const msg = sealMessage(key, ctx, ++this.#counter, plaintext, this.#o.random);
    return encodeCanonical({ from: fromHex(this.#o.me), msg });
  }

  sendText(text: string): void {
    const bytes = utf8(text);
    if (bytes.length === 0 || bytes.length > MAX_TEXT_BYTES)
      throw new Error(`a message holds 1 to ${MAX_TEXT_BYTES} bytes`);
    this.#array.push([this.#seal('chat', bytes)]);
  }

  /** Sends a file in sealed chunks; onProgress reports chunks queued for the peer. */
  sendFile(
    name: string,
    bytes: Uint8Array,
    onProgress?: (sent: number, total: number) => void,
  ): string {
    if (bytes.length > MAX_FILE_BYTES)
      throw new Error(`files are limited to ${MAX_FILE_BYTES / (1024 * 1024)} MiB`);
    const id = this.#o.random.bytes(16);
    const chunks = Math.max(1, Math.ceil(bytes.length / FILE_CHUNK_BYTES));
    const meta = encodeCanonical({ id, name, size: bytes.length, sha256: sha256(bytes), chunks });
    this.#array.push([this.#seal('file-meta', meta)]);
    for (let index = 0; index < chunks; index++) {
      const data = bytes.subarray(index * FILE_CHUNK_BYTES, (index + 1) * FILE_CHUNK_BYTES);
      this.#array.push([this.#seal('file', encodeCanonical({ id, index, data }))]);
      onProgress?.(index + 1, chunks);
    }
    return toHex(id);
  }

  #refuse(reason: string): void {
    this.#o.onEvent?.({ type: 'refused', reason });
  }

  #receive(value: unknown): void {
    if (!(value instanceof Uint8Array)) return this.#refuse('an entry is not bytes');
    const decoded = decodeCanonical(value, FILE_CHUNK_BYTES * 2);
    const entry = decoded.ok ? v.safeParse(entrySchema, decoded.value) : null;
    if (!entry?.success) return this.#refuse('an entry is malformed');
    const from = toHex(entry.output.from) as KeyHex;
    if (from !== this.#o.me && from !== this.#o.other)
      return this.#refuse('an entry claims a third sender');
    const to = from === this.#o.me ? this.#o.other : this.#o.me;
    const peek = peekMessage(entry.output.msg);
    if (!peek.ok) return this.#refuse(peek.error);
    const ctx = {
      sender: fromHex(from),
      recipient: fromHex(to),
      epoch: peek.epoch,
      label: peek.label,
    };
    // Every key of that epoch: a message sealed just before a concurrent reset still opens.
    let plaintext: Uint8Array | null = null;
    for (const ssk of this.#o.keyring.keysAt(this.#o.other, peek.epoch)) {
      const opened = openMessage(ssk.key, ctx, entry.output.msg);
      if (opened.ok) {
        plaintext = opened.plaintext;
        break;
      }
    }
    if (!plaintext) return this.#refuse('an entry does not open with any key shared by the pair');
    if (!this.#guard.check(ctx, peek.counter))
      return this.#refuse('a replayed message was dropped');
    this.#deliver(from, peek.label, peek.epoch, peek.counter, plaintext, value);
  }

  #deliver(
    from: KeyHex,
    label: string,
    epoch: number,
    counter: number,
    plaintext: Uint8Array,
    wire: Uint8Array,
  ): void {
    if (label === 'chat') {
      const text = fromUtf8(plaintext);
      const event = { type: 'text' as const, from, text, epoch, counter, wire };
      this.#texts.push(event);
      if (from === this.#o.other) this.#acks.texts.push({ epoch, counter });
      this.#o.onEvent?.(event);
      return;
    }
    if (label === 'ack') {
      const ack = parseAck(plaintext);
      if (!ack) return this.#refuse('an acknowledgement is malformed');
      // Our own acks come back through the doc like everything else.
      if (from === this.#o.other) this.#o.onEvent?.({ type: 'ack', ...ack });
      return;
    }
    const decoded = decodeCanonical(plaintext, FILE_CHUNK_BYTES * 2);
    if (!decoded.ok) return this.#refuse('a file entry is malformed');
    if (label === 'file-meta') {
      const meta = v.safeParse(fileMetaSchema, decoded.value);
      if (!meta.success) return this.#refuse('a file description is malformed');
      const id = toHex(meta.output.id);
      if (this.#files.has(id)) return;
      const file: ReceivedFile = {
        id,
        from,
        name: meta.output.name,
        size: meta.output.size,
        sha256: meta.output.sha256,
        chunks: new Array<Uint8Array | undefined>(meta.output.chunks),
        received: 0,
        complete: false,
      };
      this.#files.set(id, file);
      this.#o.onEvent?.({ type: 'file-offered', from, id, name: file.name, size: file.size });
      return;
    }
    if (label === 'file') {
      const chunk = v.safeParse(fileChunkSchema, decoded.value);
      if (!chunk.success) return this.#refuse('a file chunk is malformed');
      const file = this.#files.get(toHex(chunk.output.id));
      if (
        !file ||
        file.complete ||
        chunk.output.index >= file.chunks.length ||
        file.chunks[chunk.output.index]
      )
        return;
      file.chunks[chunk.output.index] = chunk.output.data;
      file.received++;
      this.#o.onEvent?.({
        type: 'file-progress',
        id: file.id,
        received: file.received,
        total: file.chunks.length,
      });
      if (file.received === file.chunks.length) this.#complete(file);
      return;
    }
    this.#refuse(`unknown message label "${label}"`);
  }

  #complete(file: ReceivedFile): void {
    const bytes = new Uint8Array(file.size);
    let offset = 0;
    for (const chunk of file.chunks) {
      if (!chunk) return;
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    if (offset !== file.size || !bytesEqual(sha256(bytes), file.sha256))
      return this.#refuse(`file ${file.name} does not match its checksum`);
    file.complete = true;
    if (file.from === this.#o.other) this.#acks.files.push(fromHex(file.id));
    this.#o.onEvent?.({ type: 'file-complete', id: file.id, name: file.name, bytes });
  }
}
