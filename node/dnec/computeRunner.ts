// The provider's automation for the built-in `compute` service: run one job on a worker thread
// with a time limit and a memory limit, and hash the output for publication.
//
// The built-ins are bounded by their input limits, but a provider accepts jobs from strangers,
// so it still runs them where a runaway cannot hurt it: on a separate V8 isolate with a capped
// heap (V8 stops the thread when the heap would outgrow it) and a deadline after which the
// thread is terminated. The worker is stopped before the returned promise settles, whichever way
// it settles (result, limit, cancellation, error), so a caller never leaves a thread spinning.
//
// The memory limit caps the JavaScript heap only: V8 does not count typed-array storage, which
// is why the built-ins keep their big buffers bounded (a sieve segment, a 256×256 matrix).
import { Worker } from 'node:worker_threads';
import { assertComputeJob, computeResultHash, type ComputeJob } from '../../shared/dnec/compute.ts';
import type { ComputeWorkerMessage } from './computeWorker.ts';

export interface WorkerLimits {
  /**
   * Wall-clock milliseconds from starting the thread to its result, start-up included (a few
   * tens of ms to load the code), 1 to 2^31 − 1 (the longest delay a Node timer supports).
   */
  readonly timeoutMs: number;
  /** The thread's JavaScript heap in MiB, young and old generations together. */
  readonly maxMemoryMb: number;
  /** Aborting stops the thread and rejects with a ComputeLimitError whose limit is 'cancelled'. */
  readonly signal?: AbortSignal;
}

export interface ComputeRun {
  readonly output: Uint8Array;
  /** computeResultHash(output): what the provider publishes and validators compare. */
  readonly hash: Uint8Array;
  /** Milliseconds the computation itself took on the worker, excluding its start-up. */
  readonly ms: number;
}

export type ComputeLimit = 'time' | 'memory' | 'cancelled';

/** The run was stopped by one of its limits, or cancelled; `limit` says which. */
export class ComputeLimitError extends Error {
  override readonly name = 'ComputeLimitError';
  readonly limit: ComputeLimit;

  constructor(limit: ComputeLimit, message: string, options?: ErrorOptions) {
    super(message, options);
    this.limit = limit;
  }
}

/**
 * Below about 3 MiB V8 cannot even build a new isolate and aborts the whole process, not just
 * the worker; loading the code takes about 10 MiB. 32 MiB leaves room for every built-in job.
 */
export const MIN_COMPUTE_MEMORY_MB = 32;
export const MAX_COMPUTE_MEMORY_MB = 65_536;
/** setTimeout treats longer delays as 1 ms, which would turn a generous limit into none at all. */
export const MAX_COMPUTE_TIMEOUT_MS = 2 ** 31 - 1;

const WORKER_URL = new URL('./computeWorker.ts', import.meta.url);

function assertLimits(limits: WorkerLimits): void {
  if (typeof limits !== 'object' || limits === null) {
    throw new RangeError('the compute limits must be an object with timeoutMs and maxMemoryMb');
  }
  const { timeoutMs, maxMemoryMb } = limits;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_COMPUTE_TIMEOUT_MS) {
    throw new RangeError(
      `the compute timeout must be an integer number of milliseconds from 1 to ${MAX_COMPUTE_TIMEOUT_MS}, got ${String(timeoutMs)}`,
    );
  }
  if (
    !Number.isSafeInteger(maxMemoryMb) ||
    maxMemoryMb < MIN_COMPUTE_MEMORY_MB ||
    maxMemoryMb > MAX_COMPUTE_MEMORY_MB
  ) {
    throw new RangeError(
      `the compute memory limit must be an integer number of MB from ${MIN_COMPUTE_MEMORY_MB} to ${MAX_COMPUTE_MEMORY_MB}, got ${String(maxMemoryMb)}`,
    );
  }
}

/**
 * Splits the budget between V8's generations: an eighth (1 to 16 MiB) for the young generation,
 * where short-lived allocations churn, and the rest for the old generation, which holds what
 * survives and is where a runaway computation hits the limit.
 */
function heapLimits(maxMemoryMb: number): {
  maxYoungGenerationSizeMb: number;
  maxOldGenerationSizeMb: number;
} {
  const young = Math.max(1, Math.min(16, Math.floor(maxMemoryMb / 8)));
  return { maxYoungGenerationSizeMb: young, maxOldGenerationSizeMb: maxMemoryMb - young };
}

type Outcome = { ok: true; message: unknown } | { ok: false; error: unknown };

/**
 * Starts the worker script `script` with `workerData` under the limits and resolves with the
 * first message it posts. The enforcement behind runComputeInWorker, exported so that other
 * one-shot workers (and the tests of the limits themselves) can reuse it.
 */
export async function runLimitedWorker(
  script: URL,
  workerData: unknown,
  limits: WorkerLimits,
): Promise<unknown> {
  assertLimits(limits);
  const { timeoutMs, maxMemoryMb, signal } = limits;
  const cancelled = () =>
    new ComputeLimitError('cancelled', 'the computation was cancelled', { cause: signal?.reason });
  if (signal?.aborted === true) throw cancelled();

  let settled = false;
  let resolveOutcome!: (outcome: Outcome) => void;
  const outcome = new Promise<Outcome>((resolve) => (resolveOutcome = resolve));
  // The first outcome wins: terminating the thread still fires 'exit', and a limit may be hit
  // while the result is in flight.
  const finish = (result: Outcome) => {
    if (settled) return;
    settled = true;
    resolveOutcome(result);
  };
  const onAbort = () => finish({ ok: false, error: cancelled() });
  const timer = setTimeout(
    () =>
      finish({
        ok: false,
        error: new ComputeLimitError('time', `the computation ran longer than ${timeoutMs} ms`),
      }),
    timeoutMs,
  );
  signal?.addEventListener('abort', onAbort, { once: true });

  let worker: Worker | undefined;
  try {
    worker = new Worker(script, { workerData, resourceLimits: heapLimits(maxMemoryMb) });
    worker.on('message', (message: unknown) => finish({ ok: true, message }));
    worker.on('error', (error: Error & { code?: unknown }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        const message = `the computation needed more than ${maxMemoryMb} MB of memory`;
        finish({ ok: false, error: new ComputeLimitError('memory', message, { cause: error }) });
      } else {
        finish({ ok: false, error });
      }
    });
    worker.on('exit', (code) => {
      // Reached only when the thread ended on its own without a message or an error.
      finish({ ok: false, error: new Error(`the worker exited with code ${code} and no result`) });
    });
    const result = await outcome;
    if (!result.ok) throw result.error;
    return result.message;
  } finally {
    // Also reached when the Worker constructor throws, so no timer or listener outlives a call.
    settled = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    await worker?.terminate();
  }
}

function isWorkerMessage(message: unknown): message is ComputeWorkerMessage {
  if (typeof message !== 'object' || message === null) return false;
  const { output, ms } = message as { output?: unknown; ms?: unknown };
  return output instanceof Uint8Array && typeof ms === 'number';
}

/**
 * Runs a compute job on a fresh worker thread under the limits. Rejects with a RangeError for a
 * malformed job or limits (before starting anything), and with a ComputeLimitError when the run
 * is stopped by its deadline, its memory limit or the signal.
 */
export async function runComputeInWorker(
  job: ComputeJob,
  limits: WorkerLimits,
): Promise<ComputeRun> {
  assertComputeJob(job);
  // Structured cloning copies the input, so the caller may reuse its buffer during the run.
  const message = await runLimitedWorker(WORKER_URL, { fn: job.fn, input: job.input }, limits);
  if (!isWorkerMessage(message)) {
    throw new Error('the compute worker posted something other than an output and a duration');
  }
  return { output: message.output, hash: computeResultHash(message.output), ms: message.ms };
}
