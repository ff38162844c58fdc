// Signature checks spread over threads, for large batches (a new peer's initial sync carries
// every transaction of the network in one message), on every platform: worker threads in Node,
// Web Workers in the browser (the thread port below). Small batches are checked on the calling
// thread: a round trip to a thread costs more than a few verifications.
//
// The threads apply the same strict rules as everywhere else (checkPacked with createVerifier),
// so a batch's verdicts are exactly what one-by-one checks would give.
import type { SignatureVerifier } from '../shared/crypto/ed25519.ts';
import { signatureOf, signedMessageOf, TX_SIGNING_DOMAIN, type Tx } from '../shared/tx/envelope.ts';
import type { VerifyPort } from './ports.ts';

/** A batch packed into four arrays, posted to a thread in one message. */
export interface PackedSignatures {
  readonly messages: Uint8Array;
  /** count + 1 offsets into `messages`. */
  readonly offsets: Uint32Array;
  readonly signatures: Uint8Array;
  readonly keys: Uint8Array;
}

/** A verifying thread, as the platform makes one: post a batch, hear verdicts, end it. */
export interface VerifyThread {
  post(message: { id: number; batch: PackedSignatures }, transfer: ArrayBuffer[]): void;
  onMessage(listener: (message: { id: number; valid: Uint8Array }) => void): void;
  onError(listener: (error: Error) => void): void;
  terminate(): void;
}

export interface SignedItem {
  readonly signature: Uint8Array;
  readonly signedMessage: Uint8Array;
  readonly authorKey: Uint8Array;
}

/** What to check for each transaction: its signature over signedMessageOf(tx). */
export function signedItemsOf(txs: readonly Tx[]): SignedItem[] {
  return txs.map((tx) => ({
    signature: signatureOf(tx),
    authorKey: tx.authorKey,
    signedMessage: signedMessageOf(tx),
  }));
}

/** Below this many signatures, a batch is checked on the calling thread. */
export const INLINE_LIMIT = 512;

/** Packs signatures, messages and keys into four arrays, to post to a worker in one message. */
export function packSignatures(items: readonly SignedItem[]): PackedSignatures {
  const total = items.reduce((sum, item) => sum + item.signedMessage.length, 0);
  const messages = new Uint8Array(total);
  const offsets = new Uint32Array(items.length + 1);
  const signatures = new Uint8Array(64 * items.length);
  const keys = new Uint8Array(32 * items.length);
  let at = 0;
  items.forEach((item, i) => {
    offsets[i] = at;
    messages.set(item.signedMessage, at);
    at += item.signedMessage.length;
    signatures.set(item.signature, i * 64);
    keys.set(item.authorKey, i * 32);
  });
  offsets[items.length] = at;
  return { messages, offsets, signatures, keys };
}

/**
 * Packs transactions' signatures for a worker straight from their wire bytes: each signed
 * message (domain, then the unsigned map) is written into the shared buffer, never built on
 * its own (100,000 small buffers at a sync's scale, all garbage a moment later).
 */
export function packTransactions(txs: readonly Tx[]): PackedSignatures {
  const domain = TX_SIGNING_DOMAIN.length;
  // Wire bytes are [1-byte array header][unsigned map][66-byte signature]: see signedMessageOf.
  const total = txs.reduce((sum, tx) => sum + domain + tx.bytes.length - 67, 0);
  const messages = new Uint8Array(total);
  const offsets = new Uint32Array(txs.length + 1);
  const signatures = new Uint8Array(64 * txs.length);
  const keys = new Uint8Array(32 * txs.length);
  let at = 0;
  txs.forEach((tx, i) => {
    offsets[i] = at;
    messages.set(TX_SIGNING_DOMAIN, at);
    messages.set(tx.bytes.subarray(1, tx.bytes.length - 66), at + domain);
    at += domain + tx.bytes.length - 67;
    signatures.set(signatureOf(tx), i * 64);
    keys.set(tx.authorKey, i * 32);
  });
  offsets[txs.length] = at;
  return { messages, offsets, signatures, keys };
}

export class VerifyPool implements VerifyPort {
  readonly verifier: SignatureVerifier;
  readonly #size: number;
  readonly #spawn: (() => VerifyThread) | null;
  #threads: VerifyThread[] = [];
  readonly #waiting = new Map<
    number,
    { resolve: (v: Uint8Array) => void; reject: (e: Error) => void }
  >();
  #nextId = 1;
  #closed = false;

  /**
   * `size` threads made by `spawn`, started on first use; `verifier` checks small batches, and
   * every batch where the platform has no threads (`spawn` null).
   */
  constructor(verifier: SignatureVerifier, spawn: (() => VerifyThread) | null, size: number) {
    this.verifier = verifier;
    this.#spawn = spawn;
    this.#size = Math.max(1, size);
  }

  /** One verdict per item, in order. */
  async verifyAll(items: readonly SignedItem[]): Promise<boolean[]> {
    if (this.#closed) throw new Error('the verification pool is closed');
    if (items.length < INLINE_LIMIT || this.#spawn === null) return this.#inline(items);
    return this.#spread(items, packSignatures);
  }

  /** One verdict per transaction's signature, in order (verifyAll, without building messages). */
  async verifyTransactions(txs: readonly Tx[]): Promise<boolean[]> {
    if (this.#closed) throw new Error('the verification pool is closed');
    if (txs.length < INLINE_LIMIT || this.#spawn === null)
      return this.verifyAll(signedItemsOf(txs));
    return this.#spread(txs, packTransactions);
  }

  /** On this thread, a slice at a time: 10⁵ checks never queue 10⁵ promises at once. */
  async #inline(items: readonly SignedItem[]): Promise<boolean[]> {
    const verdicts: boolean[] = [];
    for (let start = 0; start < items.length; start += INLINE_LIMIT) {
      const slice = items.slice(start, start + INLINE_LIMIT);
      verdicts.push(
        ...(await Promise.all(
          slice.map((item) =>
            this.verifier.verify(item.signature, item.signedMessage, item.authorKey),
          ),
        )),
      );
    }
    return verdicts;
  }

  /** Splits a batch evenly over the threads, packed by `pack`; verdicts in order. */
  async #spread<T>(
    items: readonly T[],
    pack: (part: readonly T[]) => PackedSignatures,
  ): Promise<boolean[]> {
    const threads = this.#start();
    const per = Math.ceil(items.length / threads.length);
    const parts = await Promise.all(
      threads.map((thread, t) => this.#run(thread, pack(items.slice(t * per, (t + 1) * per)))),
    );
    const out: boolean[] = [];
    for (const part of parts) for (const byte of part) out.push(byte === 1);
    return out;
  }

  #start(): VerifyThread[] {
    if (this.#threads.length > 0) return this.#threads;
    const spawn = this.#spawn as () => VerifyThread;
    this.#threads = Array.from({ length: this.#size }, () => {
      const thread = spawn();
      thread.onMessage((message) => {
        this.#waiting.get(message.id)?.resolve(message.valid);
        this.#waiting.delete(message.id);
      });
      thread.onError((error) => this.#failAll(error));
      return thread;
    });
    return this.#threads;
  }

  #run(thread: VerifyThread, batch: PackedSignatures): Promise<Uint8Array> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      // The packed arrays were made for this batch alone: hand them over instead of copying.
      const buffers = [batch.messages, batch.offsets, batch.signatures, batch.keys].map(
        (array) => array.buffer as ArrayBuffer,
      );
      thread.post({ id, batch }, buffers);
    });
  }

  #failAll(error: Error): void {
    for (const { reject } of this.#waiting.values()) reject(error);
    this.#waiting.clear();
    // A broken thread is replaced on the next batch.
    for (const thread of this.#threads) thread.terminate();
    this.#threads = [];
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#failAll(new Error('the verification pool was closed'));
    return Promise.resolve();
  }
}

/** What a verifying thread does with one batch: one byte per signature, 1 valid, 0 not. */
export async function checkPacked(
  verifier: SignatureVerifier,
  batch: PackedSignatures,
): Promise<Uint8Array> {
  const count = batch.offsets.length - 1;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const message = batch.messages.subarray(batch.offsets[i], batch.offsets[i + 1]);
    const signature = batch.signatures.subarray(i * 64, i * 64 + 64);
    const key = batch.keys.subarray(i * 32, i * 32 + 32);
    out[i] = (await verifier.verify(signature, message, key)) ? 1 : 0;
  }
  return out;
}
