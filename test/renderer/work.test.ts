// The machine work a browser provider does: the chunked pow search (the Web Worker runs the same
// generator) and compute jobs, on the inline runner the unit tests have instead of a Worker.
import { describe, expect, it } from 'vitest';
import { fromHex, utf8 } from '../../shared/bytes.ts';
import { checkComputeResult } from '../../shared/dnec/compute.ts';
import { verifyPow } from '../../shared/dnec/pow.ts';
import { inlineRunner, POW_CHUNK, powSearch } from '../../renderer/runtime/work.ts';

describe('background work', () => {
  it('finds a valid nonce a chunk at a time, reporting progress', async () => {
    const job = { data: utf8('work test'), difficulty: 16 };
    const progress: number[] = [];
    const nonce = await inlineRunner.pow(job, (tried) => progress.push(tried));
    expect(verifyPow(job, nonce)).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((tried, i) => tried === (i + 1) * POW_CHUNK)).toBe(true);
    // The generator the worker runs stops at the same nonce.
    const steps = [...powSearch(job)];
    expect(steps.at(-1)?.nonce).toEqual(nonce);
    expect(steps.slice(0, -1).every((step) => step.nonce === null)).toBe(true);
  });

  it('runs a compute job and hashes its output as a delivery publishes it', async () => {
    // sha256-chain: u32be iterations, then the seed.
    const job = { fn: 'sha256-chain', input: fromHex('00000003616263') };
    const run = await inlineRunner.compute(job);
    expect(run.output).toHaveLength(32);
    expect(checkComputeResult(job, run.hash)).toBe(true);
    await expect(
      inlineRunner.compute({ fn: 'no-such-fn', input: new Uint8Array() }),
    ).rejects.toThrow(/no built-in compute function/);
  });
});
