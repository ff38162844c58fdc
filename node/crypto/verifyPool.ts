// Signature checks spread over worker threads, for large batches (a new peer's initial sync
// carries every transaction of the network in one message). Small batches are checked on the
// calling thread: a round trip to a worker costs more than a few verifications.
//
// The workers apply the same strict rules as everywhere else (verifyWorker.ts uses
// createVerifier), so a batch's verdicts are exactly what one-by-one checks would give.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SignatureVerifier } from '../../shared/crypto/ed25519.ts';
import {
  signatureOf,
  signedMessageOf,
  TX_SIGNING_DOMAIN,
  type Tx,
} from '../../shared/tx/envelope.ts';
import type { PackedSignatures } from './verifyWorker.ts';

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
const WORKER_URL = new URL('./verifyWorker.ts', import.meta.url);

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

export class VerifyPool {
  readonly #size: number;
  readonly #inline: SignatureVerifier;
  #workers: Worker[] = [];
  readonly #waiting = new Map<
    number,
    { resolve: (v: Uint8Array) => void; reject: (e: Error) => void }
  >();
  #nextId = 1;
  #closed = false;

  /** `size` threads (default: one per core), started on first use; `inline` checks small batches. */
  constructor(inline: SignatureVerifier, size = availableParallelism()) {
    this.#inline = inline;
    this.#size = Math.max(1, size);
  }

  /** One verdict per item, in order. */
  async verifyAll(items: readonly SignedItem[]): Promise<boolean[]> {
    if (this.#closed) throw new Error('the verification pool is closed');
    if (items.length < INLINE_LIMIT) {
      return Promise.all(
        items.map((item) =>
          this.#inline.verify(item.signature, item.signedMessage, item.authorKey),
        ),
      );
    }
    return this.#spread(items, packSignatures);
  }

  /** One verdict per transaction's signature, in order (verifyAll, without building messages). */
  async verifyTransactions(txs: readonly Tx[]): Promise<boolean[]> {
    if (this.#closed) throw new Error('the verification pool is closed');
    if (txs.length < INLINE_LIMIT) return this.verifyAll(signedItemsOf(txs));
    return this.#spread(txs, packTransactions);
  }

  /** Splits a batch evenly over the threads, packed by `pack`; verdicts in order. */
  async #spread<T>(
    items: readonly T[],
    pack: (part: readonly T[]) => PackedSignatures,
  ): Promise<boolean[]> {
    const workers = this.#start();
    const per = Math.ceil(items.length / workers.length);
    const parts = await Promise.all(
      workers.map((worker, w) => this.#run(worker, pack(items.slice(w * per, (w + 1) * per)))),
    );
    const out: boolean[] = [];
    for (const part of parts) for (const byte of part) out.push(byte === 1);
    return out;
  }

  #start(): Worker[] {
    if (this.#workers.length > 0) return this.#workers;
    this.#workers = Array.from({ length: this.#size }, () => {
      const worker = new Worker(WORKER_URL);
      worker.unref(); // an idle pool never keeps the process alive
      worker.on('message', (message: { id: number; valid: Uint8Array }) => {
        this.#waiting.get(message.id)?.resolve(message.valid);
        this.#waiting.delete(message.id);
      });
      worker.on('error', (error) => this.#failAll(error));
      return worker;
    });
    return this.#workers;
  }

  #run(worker: Worker, batch: PackedSignatures): Promise<Uint8Array> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      // The packed arrays were made for this batch alone: hand them over instead of copying.
      const buffers = [batch.messages, batch.offsets, batch.signatures, batch.keys].map(
        (array) => array.buffer as ArrayBuffer,
      );
      worker.postMessage({ id, batch }, buffers);
    });
  }

  #failAll(error: Error): void {
    for (const { reject } of this.#waiting.values()) reject(error);
    this.#waiting.clear();
    // A broken worker is replaced on the next batch.
    void Promise.all(this.#workers.map((w) => w.terminate()));
    this.#workers = [];
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#failAll(new Error('the verification pool was closed'));
    return Promise.resolve();
  }
}
