// Where the market's machine work runs: a Web Worker per job where the platform has Workers
// (Vite bundles marketWorker.ts for it), else in chunks on this thread.
import { inlineRunner, workerRunner, type WorkRunner } from './work.ts';

export function backgroundWork(): WorkRunner {
  if (typeof Worker === 'undefined') return inlineRunner;
  return workerRunner(
    () => new Worker(new URL('./marketWorker.ts', import.meta.url), { type: 'module' }),
  );
}
