// Off-chain traffic under a Sustainable Symmetric Key: once A and B share K_S (box.ts), either
// side seals a message with no handshake and no round trip.
//
// Format (version 1), every CBOR value canonical:
//   subkey = HKDF-SHA256(ikm = K_S, no salt, info = CBOR { d: "GPoW/ssk-msg/v1", from, to, e }, 32)
//   ad     = CBOR { d: "GPoW/ssk-msg/v1", from, to, e, l, c }
//   n      = RandomPort 24 bytes
//   wire   = CBOR { v: 1, e, l, c, n, ct: XChaCha20-Poly1305(subkey, n, plaintext, ad) }
// e = epoch, l = label (what kind of traffic: "chat", "file", ...), c = the sender's counter.
//
// Each direction has its own subkey, so a message A sent to B never opens as one B sent to A,
// and the two sides can never collide on a (key, nonce) pair even if their counters do.
//
// Why random nonces are safe for unlimited messages: XChaCha20's nonce is 192 bits, so by the
// birthday bound a repeat becomes likely only after about 2^96 messages under one subkey, far
// beyond what two peers will ever send (after 2^48 messages the chance is about 2^-96). No
// nonce state is kept, so a crash, a restored backup or two devices of one identity cannot
// make a nonce repeat, which a counter nonce would.
//
// The counter is not the nonce: it is authenticated (in ad) so that the receiver can refuse
// replays with a ReplayGuard. Call check() only after openMessage succeeded, or a forger could
// fill the window with counters it never had to authenticate.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as v from 'valibot';
import { toHex } from '../bytes.ts';
import { encodeCanonical } from '../codec/cbor.ts';
import type { RandomPort } from '../ports.ts';
import { bytesOf, describeIssues, uint } from '../tx/schema.ts';
import { epochSchema, textOf } from './box.ts';
import { parseVersioned } from './wire.ts';

export const SSK_MESSAGE_VERSION = 1;
/** Larger payloads (files) are sent in chunks, each its own message with its own counter. */
export const SSK_MAX_MESSAGE_PLAINTEXT = 1024 * 1024;
export const SSK_MAX_LABEL_CHARS = 32;

const MSG_DOMAIN = 'GPoW/ssk-msg/v1';
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
/** Plaintext + tag + the map around it (keys, a 32-character label of up to 128 bytes, ...). */
const MAX_MESSAGE_BYTES = SSK_MAX_MESSAGE_PLAINTEXT + TAG_BYTES + 256;

export interface MessageContext {
  /** The Ed25519 public key of the side that seals. */
  sender: Uint8Array;
  /** The Ed25519 public key of the side that opens. */
  recipient: Uint8Array;
  epoch: number;
  /** What kind of traffic, 1..32 characters, e.g. "chat" or "file". */
  label: string;
}

export type PeekMessageResult =
  { ok: true; epoch: number; label: string; counter: number } | { ok: false; error: string };

export type OpenMessageResult =
  { ok: true; plaintext: Uint8Array; counter: number } | { ok: false; error: string };

const labelSchema = textOf('label', 1, SSK_MAX_LABEL_CHARS);

const contextSchema = v.object({
  sender: bytesOf(32),
  recipient: bytesOf(32),
  epoch: epochSchema,
  label: labelSchema,
});

const wireSchema = v.strictObject({
  v: v.literal(SSK_MESSAGE_VERSION),
  e: epochSchema,
  l: labelSchema,
  c: uint,
  n: bytesOf(NONCE_BYTES),
  ct: v.pipe(
    v.instance(Uint8Array, 'expected a byte string'),
    v.check((b) => b.length >= TAG_BYTES, 'too short to hold the authentication tag'),
  ),
});

type Wire = v.InferOutput<typeof wireSchema>;

function subkeyOf(key: Uint8Array, ctx: MessageContext): Uint8Array {
  const info = encodeCanonical({
    d: MSG_DOMAIN,
    from: ctx.sender,
    to: ctx.recipient,
    e: ctx.epoch,
  });
  return hkdf(sha256, key, undefined, info, 32);
}

function associatedData(ctx: MessageContext, counter: number): Uint8Array {
  return encodeCanonical({
    d: MSG_DOMAIN,
    from: ctx.sender,
    to: ctx.recipient,
    e: ctx.epoch,
    l: ctx.label,
    c: counter,
  });
}

/** Seals one message from ctx.sender to ctx.recipient. Throws on bad arguments (a caller bug). */
export function sealMessage(
  key: Uint8Array,
  ctx: MessageContext,
  counter: number,
  plaintext: Uint8Array,
  random: RandomPort,
): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new Error('the symmetric key must be 32 bytes');
  }
  const ctxCheck = v.safeParse(contextSchema, ctx);
  if (!ctxCheck.success) {
    throw new Error(`invalid message context: ${describeIssues(ctxCheck.issues)}`);
  }
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new Error('the counter must be a non-negative safe integer');
  }
  if (!(plaintext instanceof Uint8Array) || plaintext.length > SSK_MAX_MESSAGE_PLAINTEXT) {
    throw new Error(`a message holds at most ${SSK_MAX_MESSAGE_PLAINTEXT} bytes: send chunks`);
  }
  const n = random.bytes(NONCE_BYTES);
  if (!(n instanceof Uint8Array) || n.length !== NONCE_BYTES) {
    throw new Error('the random source returned the wrong number of bytes');
  }
  const subkey = subkeyOf(key, ctx);
  const ct = xchacha20poly1305(subkey, n, associatedData(ctx, counter)).encrypt(plaintext);
  subkey.fill(0);
  return encodeCanonical({ v: SSK_MESSAGE_VERSION, e: ctx.epoch, l: ctx.label, c: counter, n, ct });
}

function parseWire(bytes: unknown): { ok: true; wire: Wire } | { ok: false; error: string } {
  const parsed = parseVersioned(bytes, {
    what: 'SSK message',
    version: SSK_MESSAGE_VERSION,
    maxBytes: MAX_MESSAGE_BYTES,
    schema: wireSchema,
  });
  return parsed.ok ? { ok: true, wire: parsed.value } : parsed;
}

/**
 * Reads a message's unauthenticated header, to pick the key (epoch) and stream (label) before
 * opening. Nothing here is trustworthy until openMessage succeeds. Never throws.
 */
export function peekMessage(bytes: unknown): PeekMessageResult {
  const parsed = parseWire(bytes);
  if (!parsed.ok) return parsed;
  return { ok: true, epoch: parsed.wire.e, label: parsed.wire.l, counter: parsed.wire.c };
}

/** Opens a message sent from ctx.sender to ctx.recipient. Never throws. */
export function openMessage(
  key: Uint8Array,
  ctx: MessageContext,
  bytes: unknown,
): OpenMessageResult {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    return { ok: false, error: 'the symmetric key must be 32 bytes' };
  }
  const ctxCheck = v.safeParse(contextSchema, ctx);
  if (!ctxCheck.success) {
    return { ok: false, error: `invalid message context: ${describeIssues(ctxCheck.issues)}` };
  }
  const parsed = parseWire(bytes);
  if (!parsed.ok) return parsed;
  const { wire } = parsed;
  if (wire.e !== ctx.epoch) {
    return {
      ok: false,
      error: `the message was sealed under epoch ${wire.e}, but this key is epoch ${ctx.epoch}`,
    };
  }
  if (wire.l !== ctx.label) {
    return {
      ok: false,
      error: `the message is labelled "${wire.l}", but "${ctx.label}" was expected`,
    };
  }
  const subkey = subkeyOf(key, ctx);
  try {
    const plaintext = xchacha20poly1305(subkey, wire.n, associatedData(ctx, wire.c)).decrypt(
      wire.ct,
    );
    return { ok: true, plaintext, counter: wire.c };
  } catch {
    return {
      ok: false,
      error:
        'cannot open: the message was not sealed with this key for this direction, or it was altered',
    };
  } finally {
    subkey.fill(0);
  }
}

export interface ReplayGuardOptions {
  /** Streams remembered at once; the least recently used is forgotten first. Default 4096. */
  maxStreams?: number;
  /** How far behind the highest counter a message may arrive, a multiple of 32. Default 1024. */
  windowBits?: number;
}

interface Stream {
  highest: number;
  /** Bit (c mod windowBits) is set when counter c, within the window, has been seen. */
  seen: Uint32Array;
}

/**
 * Refuses replayed and too-old messages per stream (sender, recipient, epoch, label), with the
 * sliding window of RFC 6479: counters above the highest seen move the window forward; those
 * within windowBits behind it are accepted once each, in any order; older ones are refused
 * because the window no longer remembers whether they were seen.
 *
 * Memory is bounded: at most maxStreams streams of windowBits bits each. Forgetting a stream
 * means its old messages would be accepted once more, so maxStreams should exceed the number
 * of streams in use at once; and a guard kept only in memory forgets everything on restart
 * (persist the highest counters, or reset the key, where that matters).
 */
export class ReplayGuard {
  readonly #streams = new Map<string, Stream>();
  readonly #maxStreams: number;
  readonly #windowBits: number;

  constructor(options: ReplayGuardOptions = {}) {
    const maxStreams = options.maxStreams ?? 4096;
    const windowBits = options.windowBits ?? 1024;
    if (!Number.isSafeInteger(maxStreams) || maxStreams < 1) {
      throw new Error('maxStreams must be a positive integer');
    }
    if (!Number.isSafeInteger(windowBits) || windowBits < 32 || windowBits % 32 !== 0) {
      throw new Error('windowBits must be a positive multiple of 32');
    }
    this.#maxStreams = maxStreams;
    this.#windowBits = windowBits;
  }

  /** Streams currently remembered. */
  get size(): number {
    return this.#streams.size;
  }

  /**
   * True the first time a counter is seen on its stream (and records it); false for a replay,
   * a counter too far behind, or a counter that is not a non-negative safe integer.
   */
  check(ctx: MessageContext, counter: number): boolean {
    if (!Number.isSafeInteger(counter) || counter < 0) return false;
    // Hex keys have a fixed length and the epoch has no ':', so the label (last) cannot make
    // two streams share a name.
    const id = `${toHex(ctx.sender)}:${toHex(ctx.recipient)}:${ctx.epoch}:${ctx.label}`;
    let stream = this.#streams.get(id);
    if (stream) {
      // Re-inserting keeps the Map in least-recently-used order.
      this.#streams.delete(id);
    } else {
      if (this.#streams.size >= this.#maxStreams) {
        const oldest = this.#streams.keys().next();
        if (!oldest.done) this.#streams.delete(oldest.value);
      }
      stream = { highest: counter, seen: new Uint32Array(this.#windowBits / 32) };
      this.#mark(stream, counter);
      this.#streams.set(id, stream);
      return true;
    }
    this.#streams.set(id, stream);
    if (counter > stream.highest) {
      if (counter - stream.highest >= this.#windowBits) {
        stream.seen.fill(0);
      } else {
        for (let c = stream.highest + 1; c < counter; c++) this.#clear(stream, c);
      }
      stream.highest = counter;
      this.#mark(stream, counter);
      return true;
    }
    if (stream.highest - counter >= this.#windowBits) return false;
    if (this.#isMarked(stream, counter)) return false;
    this.#mark(stream, counter);
    return true;
  }

  #bit(counter: number): [number, number] {
    const bit = counter % this.#windowBits;
    return [bit >>> 5, 1 << (bit & 31)];
  }

  #mark(stream: Stream, counter: number): void {
    const [word, mask] = this.#bit(counter);
    stream.seen[word] = (stream.seen[word] ?? 0) | mask;
  }

  #clear(stream: Stream, counter: number): void {
    const [word, mask] = this.#bit(counter);
    stream.seen[word] = (stream.seen[word] ?? 0) & ~mask;
  }

  #isMarked(stream: Stream, counter: number): boolean {
    const [word, mask] = this.#bit(counter);
    return ((stream.seen[word] ?? 0) & mask) !== 0;
  }
}
