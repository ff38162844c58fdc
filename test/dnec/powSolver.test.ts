// The provider's PoW automation on real worker threads: it finds a valid nonce, reports
// progress, and leaves no thread running once it settles, whether by solution or by abort.
// Difficulties stay at 12–16 bits (tens of thousands of hashes), so each test takes well under
// a second on one core; the abort test uses a job no test could finish and stops it.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../shared/bytes.ts';
import { indexFromNonce, verifyPow, type PowJob } from '../../shared/dnec/pow.ts';
import { solvePow, splitNonceSpace } from '../../node/dnec/powSolver.ts';
import type { PowWorkerMessage } from '../../node/dnec/powWorker.ts';

/** Each live worker holds a MessagePort; counting them shows whether threads were left behind. */
const livePorts = (): number =>
  process.getActiveResourcesInfo().filter((kind) => kind === 'MessagePort').length;

describe('splitNonceSpace', () => {
  it('cuts [0, 2^64) into contiguous ranges whose sizes differ by at most one', () => {
    for (const parts of [1, 2, 3, 7, 256]) {
      const ranges = splitNonceSpace(parts);
      expect(ranges).toHaveLength(parts);
      let next = 0n;
      for (const range of ranges) {
        expect(range.start).toBe(next);
        next += range.count;
      }
      expect(next).toBe(2n ** 64n);
      const sizes = ranges.map((r) => r.count);
      const min = sizes.reduce((a, b) => (a < b ? a : b));
      const max = sizes.reduce((a, b) => (a > b ? a : b));
      expect(max - min <= 1n).toBe(true);
    }
    expect(() => splitNonceSpace(0)).toThrow('at least one part, got 0');
  });
});

describe('solvePow', () => {
  it('finds a valid nonce on several workers and reports rising progress', async () => {
    const job: PowJob = { data: utf8('solve me'), difficulty: 14 };
    const before = livePorts();
    const progress: bigint[] = [];
    const solution = await solvePow(job, { workers: 2, onProgress: (h) => progress.push(h) });
    expect(verifyPow(job, solution.nonce)).toBe(true);
    expect(solution.hashes > 0n).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
    for (let i = 1; i < progress.length; i++) {
      expect((progress[i] as bigint) > (progress[i - 1] as bigint)).toBe(true);
    }
    expect(progress.at(-1)).toBe(solution.hashes);
    expect(livePorts()).toBe(before);
  }, 15_000);

  it('with one worker, finds the first solution from nonce 0 and counts every hash', async () => {
    const job: PowJob = { data: utf8('one worker'), difficulty: 12 };
    const solution = await solvePow(job, { workers: 1 });
    expect(verifyPow(job, solution.nonce)).toBe(true);
    // A single worker walks 0, 1, 2, …, so it tried exactly index + 1 nonces.
    expect(solution.hashes).toBe(indexFromNonce(solution.nonce) + 1n);
  }, 15_000);

  it('defaults to one worker per available core', async () => {
    const job: PowJob = { data: utf8('default workers'), difficulty: 12 };
    const solution = await solvePow(job);
    expect(verifyPow(job, solution.nonce)).toBe(true);
  }, 15_000);

  it('stops every worker on abort and rejects with the reason', async () => {
    // 2^48 expected hashes: hours of work, so only the abort can end this.
    const job: PowJob = { data: utf8('never finishes'), difficulty: 48 };
    const before = livePorts();
    const controller = new AbortController();
    let calls = 0;
    let during = 0;
    const reason = new Error('the consumer cancelled');
    const run = solvePow(job, {
      workers: 2,
      signal: controller.signal,
      onProgress: () => {
        calls++;
        if (calls === 3) {
          during = livePorts();
          controller.abort(reason);
        }
      },
    });
    await expect(run).rejects.toBe(reason);
    expect(during).toBe(before + 2);
    expect(livePorts()).toBe(before);
    const callsAtAbort = calls;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(calls).toBe(callsAtAbort);
  }, 15_000);

  it('fails the search, and stops the workers, when the progress callback throws', async () => {
    const before = livePorts();
    const failure = new Error('the progress display broke');
    await expect(
      solvePow(
        { data: utf8('callback'), difficulty: 40 },
        {
          workers: 2,
          onProgress: () => {
            throw failure;
          },
        },
      ),
    ).rejects.toBe(failure);
    expect(livePorts()).toBe(before);
  }, 15_000);

  it('rejects at once for an already aborted signal, starting no worker', async () => {
    const before = livePorts();
    const controller = new AbortController();
    controller.abort();
    await expect(
      solvePow({ data: new Uint8Array(0), difficulty: 40 }, { signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(livePorts()).toBe(before);
  });

  it('refuses bad jobs and worker counts before starting anything', async () => {
    const job: PowJob = { data: new Uint8Array(0), difficulty: 12 };
    for (const workers of [0, -1, 1.5, 257]) {
      await expect(solvePow(job, { workers })).rejects.toThrow(
        `the number of PoW workers must be an integer from 1 to 256, got ${workers}`,
      );
    }
    await expect(solvePow({ data: new Uint8Array(0), difficulty: 65 })).rejects.toThrow(
      /difficulty/,
    );
  });
});

describe('powWorker', () => {
  /** Runs the worker file directly on a small range and collects what it posts. */
  function runWorker(input: {
    data: Uint8Array;
    difficulty: number;
    start: bigint;
    count: bigint;
    chunk: number;
  }): Promise<PowWorkerMessage[]> {
    const worker = new Worker(new URL('../../node/dnec/powWorker.ts', import.meta.url), {
      workerData: input,
    });
    const messages: PowWorkerMessage[] = [];
    worker.on('message', (m: PowWorkerMessage) => messages.push(m));
    return new Promise((resolve, reject) => {
      worker.on('error', reject);
      worker.on('exit', () => resolve(messages));
    });
  }

  it('reports each chunk and says when its range holds no solution', async () => {
    const messages = await runWorker({
      data: utf8('hopeless'),
      difficulty: 64,
      start: 2n ** 64n - 25n,
      count: 25n,
      chunk: 10,
    });
    expect(messages).toEqual([
      { kind: 'progress', hashes: 10 },
      { kind: 'progress', hashes: 10 },
      { kind: 'progress', hashes: 5 },
      { kind: 'exhausted' },
    ]);
  }, 15_000);

  it('reports the solution with the hashes tried in its last chunk', async () => {
    const job: PowJob = { data: utf8('chunked'), difficulty: 6 };
    const messages = await runWorker({ ...job, start: 0n, count: 10_000n, chunk: 16 });
    const found = messages.at(-1);
    expect(found?.kind).toBe('found');
    if (found?.kind !== 'found') return;
    const index = indexFromNonce(found.nonce);
    expect(verifyPow(job, found.nonce)).toBe(true);
    expect(messages.slice(0, -1)).toEqual(
      Array.from({ length: Number(index / 16n) }, () => ({ kind: 'progress', hashes: 16 })),
    );
    expect(found.hashes).toBe(Number(index % 16n) + 1);
  }, 15_000);

  it('fails loudly when given a malformed job', async () => {
    await expect(
      runWorker({ data: new Uint8Array(0), difficulty: 0, start: 0n, count: 1n, chunk: 1 }),
    ).rejects.toThrow(/difficulty/);
  }, 15_000);
});
