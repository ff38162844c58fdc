// The provider's automation for the built-in `pow` service: search the nonce space on several
// threads until one finds a solution, then stop them all.
//
// The 64-bit nonce space is cut into one contiguous range per worker, so no nonce is tried twice
// and a worker needs no coordination with the others. Every worker is terminated before the
// returned promise settles, whichever way it settles (solution, abort, error), so a caller never
// leaves threads spinning behind it.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { assertPowJob, POW_NONCE_SPACE, verifyPow, type PowJob } from '../../shared/dnec/pow.ts';
import type { PowWorkerInput, PowWorkerMessage } from './powWorker.ts';

export interface SolvePowOptions {
  /** Worker threads to run; defaults to os.availableParallelism(). */
  readonly workers?: number;
  /** Aborting rejects with the signal's reason once every worker has stopped. */
  readonly signal?: AbortSignal;
  /** Called with the running total of hashes tried across all workers, about once per chunk. */
  readonly onProgress?: (hashesTried: bigint) => void;
}

export interface PowSolution {
  readonly nonce: Uint8Array;
  /** Hashes tried by all workers until the solution arrived (others' unreported work excluded). */
  readonly hashes: bigint;
}

type Outcome = { ok: true; value: PowSolution } | { ok: false; error: unknown };

export const MAX_POW_WORKERS = 256;
/** About 10–50 ms of hashing per chunk on one core: frequent progress, negligible overhead. */
const CHUNK = 16_384;
const WORKER_URL = new URL('./powWorker.ts', import.meta.url);

/** Splits [0, 2^64) into `parts` contiguous ranges whose sizes differ by at most one. */
export function splitNonceSpace(parts: number): { start: bigint; count: bigint }[] {
  if (!Number.isSafeInteger(parts) || parts < 1) {
    throw new RangeError(`the nonce space must be split into at least one part, got ${parts}`);
  }
  const n = BigInt(parts);
  const base = POW_NONCE_SPACE / n;
  const extra = POW_NONCE_SPACE % n;
  const ranges: { start: bigint; count: bigint }[] = [];
  let start = 0n;
  for (let i = 0n; i < n; i++) {
    const count = base + (i < extra ? 1n : 0n);
    ranges.push({ start, count });
    start += count;
  }
  return ranges;
}

function workerCount(requested: number | undefined): number {
  const count = requested ?? availableParallelism();
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_POW_WORKERS) {
    throw new RangeError(
      `the number of PoW workers must be an integer from 1 to ${MAX_POW_WORKERS}, got ${count}`,
    );
  }
  return count;
}

export async function solvePow(job: PowJob, options: SolvePowOptions = {}): Promise<PowSolution> {
  assertPowJob(job);
  // A private copy: the caller may reuse its buffer while the search runs.
  const fixed: PowJob = { data: job.data.slice(), difficulty: job.difficulty };
  const count = workerCount(options.workers);
  const { signal, onProgress } = options;
  signal?.throwIfAborted();

  const workers: Worker[] = [];
  let settled = false;
  let hashes = 0n;
  let exhausted = 0;
  let resolveOutcome!: (outcome: Outcome) => void;
  const outcome = new Promise<Outcome>((resolve) => (resolveOutcome = resolve));
  // The first outcome wins; later messages from workers still being terminated are ignored.
  const finish = (result: Outcome) => {
    if (settled) return;
    settled = true;
    resolveOutcome(result);
  };
  const onAbort = () => finish({ ok: false, error: signal?.reason });
  const handle = (message: PowWorkerMessage): void => {
    switch (message.kind) {
      case 'progress':
        hashes += BigInt(message.hashes);
        onProgress?.(hashes);
        return;
      case 'found':
        hashes += BigInt(message.hashes);
        // A worker's word is cheap to check, and a wrong nonce must never reach the ledger.
        if (!verifyPow(fixed, message.nonce)) {
          throw new Error('a PoW worker reported a nonce that does not solve the job');
        }
        onProgress?.(hashes);
        finish({ ok: true, value: { nonce: message.nonce, hashes } });
        return;
      case 'exhausted':
        exhausted++;
        if (exhausted === count) {
          throw new Error(
            `no 8-byte nonce solves this job at difficulty ${fixed.difficulty}: the whole nonce space was searched`,
          );
        }
        return;
    }
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    for (const range of splitNonceSpace(count)) {
      const input: PowWorkerInput = {
        data: fixed.data,
        difficulty: fixed.difficulty,
        start: range.start,
        count: range.count,
        chunk: CHUNK,
      };
      const worker = new Worker(WORKER_URL, { workerData: input });
      workers.push(worker);
      worker.on('message', (message: PowWorkerMessage) => {
        if (settled) return;
        // A throwing progress callback or a garbled message fails the search instead of
        // escaping as an uncaught exception from the event emitter.
        try {
          handle(message);
        } catch (error) {
          finish({ ok: false, error });
        }
      });
      worker.on('error', (error) => finish({ ok: false, error }));
      worker.on('exit', (code) => {
        if (code !== 0)
          finish({ ok: false, error: new Error(`a PoW worker exited with code ${code}`) });
      });
    }
    const result = await outcome;
    if (!result.ok) throw result.error;
    return result.value;
  } finally {
    settled = true;
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
