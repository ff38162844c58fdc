// The machine work a provider does in the browser, off the page's main thread: pow searches
// and compute jobs run in a Web Worker (marketWorker.ts), one per job, ended when it is done.
// Where there is no Worker (unit tests), the same search runs on this thread in chunks that
// yield between them, so the page keeps answering either way. Both report pow progress.
// This is the browser's adapter of the market's work port.
import { computeResultHash, runCompute, type ComputeJob } from '../../shared/dnec/compute.ts';
import { POW_NONCE_SPACE, solvePowRange, type PowJob } from '../../shared/dnec/pow.ts';

import type { ComputeRun, WorkRunner } from '../../engine/market/ports.ts';

// The market's work port (engine/market/ports.ts); Node's adapter is node/platform/nodeWork.ts.
export type { ComputeRun, WorkRunner } from '../../engine/market/ports.ts';

/** About 10–50 ms of hashing: frequent progress, little overhead. */
export const POW_CHUNK = 16_384;

/** The search a chunk at a time: each step says how many hashes were tried, and the nonce once found. */
export function* powSearch(job: PowJob): Generator<{ tried: number; nonce: Uint8Array | null }> {
  for (let start = 0n; start < POW_NONCE_SPACE; start += BigInt(POW_CHUNK)) {
    const left = POW_NONCE_SPACE - start;
    const count = left < BigInt(POW_CHUNK) ? Number(left) : POW_CHUNK;
    const nonce = solvePowRange(job, start, count);
    yield { tried: Number(start) + count, nonce };
    if (nonce) return;
  }
  throw new RangeError('this job has no solution in the 64-bit nonce space');
}

export function computeRun(job: ComputeJob): ComputeRun {
  const output = runCompute(job);
  return { output, hash: computeResultHash(output) };
}

/** Messages between the page and marketWorker.ts. */
export type WorkRequest =
  | { readonly kind: 'pow'; readonly data: Uint8Array; readonly difficulty: number }
  | { readonly kind: 'compute'; readonly fn: string; readonly input: Uint8Array };
export type WorkReply =
  | { readonly kind: 'progress'; readonly tried: number }
  | { readonly kind: 'nonce'; readonly nonce: Uint8Array }
  | { readonly kind: 'computed'; readonly output: Uint8Array; readonly hash: Uint8Array }
  | { readonly kind: 'error'; readonly message: string };

const yieldToPage = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** The search on this thread, a chunk at a time. */
export const inlineRunner: WorkRunner = {
  async pow(job, onProgress) {
    for (const step of powSearch(job)) {
      onProgress?.(step.tried);
      if (step.nonce) return step.nonce;
      await yieldToPage();
    }
    throw new RangeError('this job has no solution');
  },
  async compute(job) {
    await yieldToPage();
    return computeRun(job);
  },
};

/** Runs each job in a Web Worker of its own; falls back to inlineRunner without Worker. */
export function workerRunner(createWorker: () => Worker): WorkRunner {
  const run = (request: WorkRequest, onProgress?: (tried: number) => void) =>
    new Promise<WorkReply>((resolve, reject) => {
      const worker = createWorker();
      const finish = (): void => worker.terminate();
      worker.onmessage = (event: MessageEvent<WorkReply>) => {
        const reply = event.data;
        if (reply.kind === 'progress') {
          onProgress?.(reply.tried);
          return;
        }
        finish();
        if (reply.kind === 'error') reject(new Error(reply.message));
        else resolve(reply);
      };
      worker.onerror = (event) => {
        event.preventDefault();
        finish();
        reject(new Error(event.message || 'the work could not run in the background'));
      };
      worker.postMessage(request);
    });
  return {
    async pow(job, onProgress) {
      const reply = await run(
        { kind: 'pow', data: job.data, difficulty: job.difficulty },
        onProgress,
      );
      if (reply.kind !== 'nonce') throw new Error('the pow search answered something else');
      return reply.nonce;
    },
    async compute(job) {
      const reply = await run({ kind: 'compute', fn: job.fn, input: job.input });
      if (reply.kind !== 'computed') throw new Error('the computation answered something else');
      return { output: reply.output, hash: reply.hash };
    },
  };
}
