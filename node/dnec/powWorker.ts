// One search thread of the PoW solver (powSolver.ts starts it with worker_threads). It walks its
// share of the nonce space in chunks, reporting after each chunk how many hashes it tried, and
// posts the first solution it finds. The parent stops it by terminating the thread, so the loop
// needs no stop flag: a found solution or an abort ends every worker at once, mid-chunk.
//
// Node runs this file directly by type stripping, so it may only use erasable TypeScript and
// must import with `.ts` extensions, like the rest of the repo.
import { parentPort, workerData } from 'node:worker_threads';
import { assertPowJob, indexFromNonce, solvePowRange } from '../../shared/dnec/pow.ts';

export interface PowWorkerInput {
  readonly data: Uint8Array;
  readonly difficulty: number;
  /** First nonce index of this worker's range. */
  readonly start: bigint;
  /** Number of nonces in the range; the range never runs past 2^64. */
  readonly count: bigint;
  /** Nonces per chunk: the granularity of progress reports. */
  readonly chunk: number;
}

export type PowWorkerMessage =
  | { readonly kind: 'progress'; readonly hashes: number }
  | { readonly kind: 'found'; readonly nonce: Uint8Array; readonly hashes: number }
  | { readonly kind: 'exhausted' };

function run(input: PowWorkerInput, post: (message: PowWorkerMessage) => void): void {
  const job = { data: input.data, difficulty: input.difficulty };
  assertPowJob(job);
  const end = input.start + input.count;
  for (let at = input.start; at < end;) {
    const remaining = end - at;
    const size = remaining < BigInt(input.chunk) ? Number(remaining) : input.chunk;
    const nonce = solvePowRange(job, at, size);
    if (nonce !== null) {
      // Hashes up to and including the winning one, so the total counts only real attempts.
      post({ kind: 'found', nonce, hashes: Number(indexFromNonce(nonce) - at) + 1 });
      return;
    }
    post({ kind: 'progress', hashes: size });
    at += BigInt(size);
  }
  post({ kind: 'exhausted' });
}

if (parentPort === null) {
  throw new Error('powWorker.ts runs only as a worker thread started by powSolver.ts');
}
const port = parentPort;
run(workerData as PowWorkerInput, (message) => port.postMessage(message));
