// The market's work port (engine/market/ports.ts) on Node: pow searched on worker threads
// (node/dnec/powSolver.ts), compute run on a worker thread of its own under time and memory
// limits (node/dnec/computeRunner.ts). The browser's adapter is renderer/runtime/work.ts.
import type { WorkRunner } from '../../engine/market/ports.ts';
import { runComputeInWorker } from '../dnec/computeRunner.ts';
import { solvePow } from '../dnec/powSolver.ts';

export interface NodeWorkOptions {
  /** Pow worker threads; defaults to every core. */
  readonly powWorkers?: number;
  /** A compute job's limits: the CLI agent's 60 s and 256 MB unless given. */
  readonly computeTimeoutMs?: number;
  readonly computeMaxMemoryMb?: number;
}

export function nodeWork(options: NodeWorkOptions = {}): WorkRunner {
  return {
    async pow(job, onProgress) {
      const solution = await solvePow(job, {
        ...(options.powWorkers ? { workers: options.powWorkers } : {}),
        ...(onProgress ? { onProgress: (hashes: bigint) => onProgress(Number(hashes)) } : {}),
      });
      onProgress?.(Number(solution.hashes));
      return solution.nonce;
    },
    async compute(job) {
      const run = await runComputeInWorker(job, {
        timeoutMs: options.computeTimeoutMs ?? 60_000,
        maxMemoryMb: options.computeMaxMemoryMb ?? 256,
      });
      return { output: run.output, hash: run.hash };
    },
  };
}
