// A small pool of worker threads that verify signatures in parallel, for the benchmarks only:
// how fast could a peer verify if it spread verification over every core?
import { Worker } from 'node:worker_threads';
import type { Tx } from '../../shared/tx/envelope.ts';
import { packSignatures, signedItemsOf } from '../../engine/verifyPool.ts';
import type { Scope } from './scope.ts';

export type VerifyMode = 'raw' | 'verifier';

export interface PackedBatch {
  readonly mode: VerifyMode;
  readonly messages: Uint8Array;
  /** count + 1 offsets into `messages`. */
  readonly offsets: Uint32Array;
  readonly signatures: Uint8Array;
  readonly keys: Uint8Array;
}

export function pack(txs: readonly Tx[], mode: VerifyMode): PackedBatch {
  return { mode, ...packSignatures(signedItemsOf(txs)) };
}

export class VerifyPool {
  readonly #workers: Worker[];

  private constructor(workers: Worker[]) {
    this.#workers = workers;
  }

  static async start(scope: Scope, size: number): Promise<VerifyPool> {
    const workers = Array.from(
      { length: size },
      () => new Worker(new URL('./verifyWorker.ts', import.meta.url)),
    );
    const pool = new VerifyPool(workers);
    scope.defer(() => pool.close());
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('online', resolve))));
    return pool;
  }

  get size(): number {
    return this.#workers.length;
  }

  #run(worker: Worker, batch: PackedBatch): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      worker.once('error', onError);
      worker.once('message', (reply: { valid: number }) => {
        worker.off('error', onError);
        resolve(reply.valid);
      });
      worker.postMessage(batch);
    });
  }

  /** Verifies pre-packed batches, one per worker. */
  async verifyPacked(batches: readonly PackedBatch[]): Promise<number> {
    if (batches.length > this.#workers.length) throw new Error('one batch per worker at most');
    const counts = await Promise.all(
      batches.map((batch, i) => this.#run(this.#workers[i % this.#workers.length]!, batch)),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Splits into one packed batch per worker (done before timing). */
  split(txs: readonly Tx[], mode: VerifyMode): PackedBatch[] {
    const per = Math.ceil(txs.length / this.#workers.length);
    return this.#workers.map((_, i) => pack(txs.slice(i * per, (i + 1) * per), mode));
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
