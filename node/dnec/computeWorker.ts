// The thread a provider runs one `compute` job on (computeRunner.ts starts it with worker_threads
// and V8 heap limits). It runs the job once and posts the output with the time the computation
// took. The parent enforces the time limit by terminating the thread, so the computation needs
// no checks of its own: a tight loop in a built-in is stopped mid-iteration.
//
// Node runs this file directly by type stripping, so it may only use erasable TypeScript and
// must import with `.ts` extensions, like the rest of the repo.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { runCompute, type ComputeJob } from '../../shared/dnec/compute.ts';

export interface ComputeWorkerMessage {
  readonly output: Uint8Array;
  /** Milliseconds spent in runCompute, excluding the thread's start-up. */
  readonly ms: number;
}

if (parentPort === null) {
  throw new Error('computeWorker.ts runs only as a worker thread started by computeRunner.ts');
}
const job = workerData as ComputeJob;
const started = performance.now();
// A malformed job throws here, which the parent receives as the worker's 'error' event.
const output = runCompute(job);
const message: ComputeWorkerMessage = { output, ms: performance.now() - started };
parentPort.postMessage(message);
