// The provider's compute automation on real worker threads: results match the pure function,
// and each limit (time, memory, cancellation) stops the thread and says which one was hit,
// leaving no thread behind. The time and cancellation tests use a 10-million-step SHA-256 chain
// (seconds of work) and stop it within a fraction of a second.
//
// No built-in can reach a memory limit: each keeps its JavaScript heap under a few MiB by design
// (that is the point of bounding their inputs), and V8 does not count typed-array storage. So
// the memory test runs a deliberately greedy script through the same enforcement,
// runLimitedWorker, and a companion test shows the largest built-in jobs fit the smallest limit.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  computeResultHash,
  runCompute,
  SORT_U32_MAX_VALUES,
  type ComputeJob,
} from '../../shared/dnec/compute.ts';
import {
  ComputeLimitError,
  MIN_COMPUTE_MEMORY_MB,
  runComputeInWorker,
  runLimitedWorker,
  type WorkerLimits,
} from '../../node/dnec/computeRunner.ts';

/** Each live worker holds a MessagePort; counting them shows whether threads were left behind. */
const livePorts = (): number =>
  process.getActiveResourcesInfo().filter((kind) => kind === 'MessagePort').length;

const u32 = (value: number): Uint8Array => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, false);
  return bytes;
};

const limits: WorkerLimits = { timeoutMs: 10_000, maxMemoryMb: 64 };
/** About 6 s of hashing on one core: only a limit ends it within a test. */
const longJob: ComputeJob = { fn: 'sha256-chain', input: u32(10_000_000) };

const jobs: ComputeJob[] = [
  { fn: 'sha256-chain', input: new Uint8Array([0, 0, 3, 232, 1, 2, 3]) },
  { fn: 'count-primes', input: u32(1_000_000) },
  { fn: 'sort-u32', input: new Uint8Array([0, 0, 0, 9, 0, 0, 0, 1, 255, 0, 0, 0, 0, 0, 0, 5]) },
  { fn: 'matmul-mod', input: new Uint8Array([0, 64, 0, 0, 0, 7]) },
];

/** A worker script from source text, so limit tests need no fixture files. */
const script = (source: string): URL =>
  new URL(`data:text/javascript,${encodeURIComponent(source)}`);

async function rejection(promise: Promise<unknown>): Promise<ComputeLimitError> {
  const error = await promise.then(
    () => expect.unreachable('the run should have been stopped'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ComputeLimitError);
  return error as ComputeLimitError;
}

describe('runComputeInWorker', () => {
  it('returns what runCompute returns, with its result hash and duration', async () => {
    const before = livePorts();
    for (const job of jobs) {
      const run = await runComputeInWorker(job, limits);
      const expected = runCompute(job);
      expect(run.output).toEqual(expected);
      expect(run.hash).toEqual(computeResultHash(expected));
      expect(run.ms).toBeGreaterThanOrEqual(0);
      expect(run.ms).toBeLessThan(10_000);
    }
    expect(livePorts()).toBe(before);
  }, 20_000);

  it('runs the largest built-in jobs within the smallest memory limit', async () => {
    const values = new Uint8Array(4 * SORT_U32_MAX_VALUES);
    for (let i = 0; i < values.length; i++) values[i] = (i * 7919 + 13) & 0xff;
    const largest: ComputeJob[] = [
      { fn: 'sort-u32', input: values },
      { fn: 'matmul-mod', input: new Uint8Array([1, 0, 0, 0, 0, 1]) },
      { fn: 'count-primes', input: u32(50_000_000) },
    ];
    const tight: WorkerLimits = { timeoutMs: 10_000, maxMemoryMb: MIN_COMPUTE_MEMORY_MB };
    for (const job of largest) {
      expect((await runComputeInWorker(job, tight)).output).toEqual(runCompute(job));
    }
  }, 20_000);

  it('works on its own copy of the input', async () => {
    const job: ComputeJob = { fn: 'count-primes', input: u32(100) };
    const run = runComputeInWorker(job, limits);
    job.input.fill(0xff);
    expect((await run).output).toEqual(u32(25));
  }, 10_000);

  it('stops the thread at the deadline and says so', async () => {
    const before = livePorts();
    const started = performance.now();
    const error = await rejection(runComputeInWorker(longJob, { ...limits, timeoutMs: 200 }));
    expect(error.limit).toBe('time');
    expect(error.message).toBe('the computation ran longer than 200 ms');
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(livePorts()).toBe(before);
  }, 10_000);

  it('stops the thread when cancelled, keeping the reason as the cause', async () => {
    const before = livePorts();
    const controller = new AbortController();
    const reason = new Error('the consumer withdrew the job');
    const run = runComputeInWorker(longJob, { ...limits, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(livePorts()).toBe(before + 1);
    controller.abort(reason);
    const error = await rejection(run);
    expect(error.limit).toBe('cancelled');
    expect(error.message).toBe('the computation was cancelled');
    expect(error.cause).toBe(reason);
    expect(livePorts()).toBe(before);
  }, 10_000);

  it('rejects at once for an already aborted signal, starting no thread', async () => {
    const before = livePorts();
    const controller = new AbortController();
    controller.abort();
    const run = runComputeInWorker(longJob, { ...limits, signal: controller.signal });
    expect(livePorts()).toBe(before);
    expect((await rejection(run)).limit).toBe('cancelled');
  });

  it('refuses malformed jobs and limits before starting anything', async () => {
    const before = livePorts();
    await expect(
      runComputeInWorker({ fn: 'count-primes', input: u32(50_000_001) }, limits),
    ).rejects.toThrow(new RangeError('the count-primes n must be at most 50000000, got 50000001'));
    await expect(
      runComputeInWorker({ fn: 'nope', input: new Uint8Array(0) }, limits),
    ).rejects.toThrow(RangeError);
    for (const timeoutMs of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
      await expect(
        runComputeInWorker(jobs[1] as ComputeJob, { ...limits, timeoutMs }),
      ).rejects.toThrow(
        `the compute timeout must be an integer number of milliseconds from 1 to 2147483647, got ${timeoutMs}`,
      );
    }
    for (const maxMemoryMb of [0, 2, 31, 32.5, 65_537]) {
      await expect(
        runComputeInWorker(jobs[1] as ComputeJob, { ...limits, maxMemoryMb }),
      ).rejects.toThrow(
        `the compute memory limit must be an integer number of MB from 32 to 65536, got ${maxMemoryMb}`,
      );
    }
    await expect(
      runComputeInWorker(jobs[1] as ComputeJob, null as unknown as WorkerLimits),
    ).rejects.toThrow('the compute limits must be an object with timeoutMs and maxMemoryMb');
    expect(livePorts()).toBe(before);
  });
});

describe('runLimitedWorker', () => {
  it('stops a thread whose heap outgrows the limit and says so', async () => {
    const before = livePorts();
    const greedy = script(
      'const keep = []; for (;;) keep.push({ at: keep.length, pair: [1, 2] });',
    );
    const started = performance.now();
    const error = await rejection(
      runLimitedWorker(greedy, null, { timeoutMs: 8_000, maxMemoryMb: MIN_COMPUTE_MEMORY_MB }),
    );
    expect(error.limit).toBe('memory');
    expect(error.message).toBe('the computation needed more than 32 MB of memory');
    expect(error.cause).toMatchObject({ code: 'ERR_WORKER_OUT_OF_MEMORY' });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(livePorts()).toBe(before);
  }, 10_000);

  it('lets the same work through under a higher limit', async () => {
    // 500,000 small objects kept alive: about 50 MB of heap, so over 32 MB and well under 256.
    const moderate = script(
      "import { parentPort } from 'node:worker_threads';" +
        'const keep = []; for (let i = 0; i < 500_000; i++) keep.push({ at: i, pair: [1, 2] });' +
        'parentPort.postMessage(keep.length);',
    );
    const low = await rejection(
      runLimitedWorker(moderate, null, { timeoutMs: 8_000, maxMemoryMb: MIN_COMPUTE_MEMORY_MB }),
    );
    expect(low.limit).toBe('memory');
    expect(await runLimitedWorker(moderate, null, { timeoutMs: 8_000, maxMemoryMb: 256 })).toBe(
      500_000,
    );
  }, 10_000);

  it('passes on an error thrown in the thread', async () => {
    const failing = script("throw new TypeError('the worker broke');");
    await expect(runLimitedWorker(failing, null, limits)).rejects.toThrow('the worker broke');
  }, 10_000);

  it('fails when the thread ends without posting a result', async () => {
    await expect(runLimitedWorker(script('void 0;'), null, limits)).rejects.toThrow(
      'the worker exited with code 0 and no result',
    );
  }, 10_000);
});

describe('computeWorker', () => {
  it('fails loudly when given a malformed job', async () => {
    const worker = new Worker(new URL('../../node/dnec/computeWorker.ts', import.meta.url), {
      workerData: { fn: 'nope', input: new Uint8Array(0) },
    });
    await expect(
      new Promise((resolve, reject) => {
        worker.on('error', reject);
        worker.on('exit', resolve);
      }),
    ).rejects.toThrow(/no built-in compute function named "nope"/);
  }, 10_000);
});
