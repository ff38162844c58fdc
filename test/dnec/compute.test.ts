// The built-in `compute` functions against references written independently here (node:crypto
// for SHA-256, trial division and a plain sieve for primes, Array.prototype.sort, BigInt matrix
// arithmetic), their costs and input limits, and the job API a provider and a validator use.
import { createHash } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../shared/bytes.ts';
import {
  checkComputeResult,
  COMPUTE_FUNCTIONS,
  COMPUTE_MAX_INPUT_BYTES,
  computeCost,
  computeJobProblem,
  computeResultHash,
  runCompute,
  type ComputeJob,
} from '../../shared/dnec/compute.ts';

// --- encodings and references, written without the module under test --------------------------

const nodeSha256 = (...parts: Uint8Array[]): Uint8Array => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};

function u32s(...values: number[]): Uint8Array {
  const bytes = new Uint8Array(4 * values.length);
  values.forEach((value, i) => new DataView(bytes.buffer).setUint32(4 * i, value, false));
  return bytes;
}

function readU32s(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length / 4 }, (_, i) => view.getUint32(4 * i, false));
}

const chainJob = (iterations: number, seed: Uint8Array = new Uint8Array(0)): ComputeJob => ({
  fn: 'sha256-chain',
  input: new Uint8Array([...u32s(iterations), ...seed]),
});
const primesJob = (n: number): ComputeJob => ({ fn: 'count-primes', input: u32s(n) });
const sortJob = (values: number[]): ComputeJob => ({ fn: 'sort-u32', input: u32s(...values) });
function matmulJob(size: number, seed: number): ComputeJob {
  const input = new Uint8Array(6);
  const view = new DataView(input.buffer);
  view.setUint16(0, size, false);
  view.setUint32(2, seed, false);
  return { fn: 'matmul-mod', input };
}

function referenceChain(iterations: number, seed: Uint8Array): Uint8Array {
  let hash = seed;
  for (let i = 0; i < iterations; i++) hash = nodeSha256(hash);
  return hash;
}

function isPrime(m: number): boolean {
  if (m < 2) return false;
  for (let d = 2; d * d <= m; d++) if (m % d === 0) return false;
  return true;
}

/** The textbook sieve over every number below n, one byte each. */
function referencePrimeCount(n: number): number {
  const composite = new Uint8Array(Math.max(n, 2));
  let count = 0;
  for (let m = 2; m < n; m++) {
    if (composite[m] === 1) continue;
    count++;
    for (let k = m * m; k < n; k += m) composite[k] = 1;
  }
  return count;
}

/** xorshift32 (13, 17, 5) and A·B mod 2^32 in BigInt, then SHA-256 of the u32be product. */
function referenceMatmul(size: number, seed: number): Uint8Array {
  const mask = 0xffff_ffffn;
  let x = BigInt(seed);
  const step = (): bigint => {
    x ^= (x << 13n) & mask;
    x ^= x >> 17n;
    x ^= (x << 5n) & mask;
    return x;
  };
  const a = Array.from({ length: size * size }, step);
  const b = Array.from({ length: size * size }, step);
  const product: number[] = [];
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      let sum = 0n;
      for (let k = 0; k < size; k++)
        sum += (a[i * size + k] as bigint) * (b[k * size + j] as bigint);
      product.push(Number(sum & mask));
    }
  }
  return nodeSha256(u32s(...product));
}

const problemOf = (job: ComputeJob): string | null => computeJobProblem(job);

// --- the registry ----------------------------------------------------------------------------

describe('COMPUTE_FUNCTIONS', () => {
  it('holds exactly the four built-ins, each under its own name and described', () => {
    expect(Object.keys(COMPUTE_FUNCTIONS)).toEqual([
      'sha256-chain',
      'count-primes',
      'sort-u32',
      'matmul-mod',
    ]);
    for (const [name, fn] of Object.entries(COMPUTE_FUNCTIONS)) {
      expect(fn.name).toBe(name);
      expect(fn.describe.length).toBeGreaterThan(20);
    }
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(COMPUTE_FUNCTIONS)).toBe(true);
    for (const fn of Object.values(COMPUTE_FUNCTIONS)) expect(Object.isFrozen(fn)).toBe(true);
    expect(() => {
      (COMPUTE_FUNCTIONS as Record<string, unknown>)['evil'] = {};
    }).toThrow(TypeError);
  });
});

// --- sha256-chain ----------------------------------------------------------------------------

describe('sha256-chain', () => {
  it('applies SHA-256 `iterations` times to the seed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.uint8Array({ maxLength: 64 }),
        (iterations, seed) => {
          expect(toHex(runCompute(chainJob(iterations, seed)))).toBe(
            toHex(referenceChain(iterations, seed)),
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('matches iterating noble sha256 on a longer chain, with an empty seed', () => {
    let expected: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < 1000; i++) expected = sha256(expected);
    expect(toHex(runCompute(chainJob(1000)))).toBe(toHex(expected));
    // One iteration on an empty seed is the well-known SHA-256 of the empty string.
    expect(toHex(runCompute(chainJob(1)))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('costs its number of iterations', () => {
    expect(computeCost(chainJob(1))).toBe(1n);
    expect(computeCost(chainJob(12_345, utf8('seed')))).toBe(12_345n);
    expect(computeCost(chainJob(10_000_000))).toBe(10_000_000n);
  });

  it('refuses a bad length, zero or too many iterations', () => {
    expect(problemOf({ fn: 'sha256-chain', input: new Uint8Array(3) })).toBe(
      'the sha256-chain input must be 4 to 68 bytes (u32be iterations, then a seed of at most 64 bytes), got 3',
    );
    expect(problemOf(chainJob(1, new Uint8Array(65)))).toBe(
      'the sha256-chain input must be 4 to 68 bytes (u32be iterations, then a seed of at most 64 bytes), got 69',
    );
    expect(problemOf(chainJob(1, new Uint8Array(64)))).toBeNull();
    expect(problemOf(chainJob(0))).toBe(
      'the sha256-chain iterations must be from 1 to 10000000, got 0',
    );
    expect(problemOf(chainJob(10_000_001))).toBe(
      'the sha256-chain iterations must be from 1 to 10000000, got 10000001',
    );
    expect(problemOf(chainJob(0xffff_ffff))).toMatch(/got 4294967295$/);
  });
});

// --- count-primes ----------------------------------------------------------------------------

describe('count-primes', () => {
  const count = (n: number): number => readU32s(runCompute(primesJob(n)))[0] as number;

  it('knows the small answers, with n itself excluded', () => {
    expect([0, 1, 2, 3, 4, 5, 7, 8, 10, 11, 100, 1000].map(count)).toEqual([
      0, 0, 0, 1, 2, 2, 3, 4, 4, 4, 25, 168,
    ]);
    expect(runCompute(primesJob(100))).toEqual(u32s(25));
  });

  it('agrees with trial division for every n up to 2000', () => {
    let expected = 0;
    for (let n = 0; n <= 2000; n++) {
      expect(count(n)).toBe(expected);
      if (isPrime(n)) expected++;
    }
  });

  it('agrees with a plain sieve around the segment boundaries and at random n', () => {
    // Segments hold 32,768 odd numbers, i.e. span 65,536 integers.
    const around = [65_535, 65_536, 65_537, 65_538, 131_071, 131_072, 131_073, 196_609];
    for (const n of around) expect(count(n)).toBe(referencePrimeCount(n));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400_000 }), (n) => {
        expect(count(n)).toBe(referencePrimeCount(n));
      }),
      { numRuns: 30 },
    );
  });

  it('knows the published values of π(10^6), π(10^7) and π(5·10^7)', () => {
    expect(count(1_000_000)).toBe(78_498);
    expect(count(10_000_000)).toBe(664_579);
    expect(count(50_000_000)).toBe(3_001_134);
  });

  it('costs n / 64 rounded up, at least 1', () => {
    expect([0, 1, 64, 65, 100, 128, 129, 50_000_000].map((n) => computeCost(primesJob(n)))).toEqual(
      [1n, 1n, 1n, 2n, 2n, 2n, 3n, 781_250n],
    );
  });

  it('refuses inputs that are not 4 bytes and n above 50,000,000', () => {
    for (const length of [0, 3, 5, 8]) {
      expect(problemOf({ fn: 'count-primes', input: new Uint8Array(length) })).toBe(
        `the count-primes input must be exactly 4 bytes (u32be n), got ${length}`,
      );
    }
    expect(problemOf(primesJob(50_000_000))).toBeNull();
    expect(problemOf(primesJob(50_000_001))).toBe(
      'the count-primes n must be at most 50000000, got 50000001',
    );
  });
});

// --- sort-u32 --------------------------------------------------------------------------------

describe('sort-u32', () => {
  it('sorts like Array.prototype.sort with a numeric comparison', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 0xffff_ffff }), { maxLength: 500 }), (values) => {
        const expected = [...values].sort((a, b) => a - b);
        expect(readU32s(runCompute(sortJob(values)))).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('sorts numerically, not as strings, and keeps duplicates', () => {
    expect(readU32s(runCompute(sortJob([10, 9, 0xffff_ffff, 100, 9, 0])))).toEqual([
      0, 9, 9, 10, 100, 0xffff_ffff,
    ]);
    expect(runCompute(sortJob([]))).toEqual(new Uint8Array(0));
  });

  it('sorts the largest input, 16,384 values', () => {
    const values = Array.from({ length: 16_384 }, (_, i) => (i * 2_654_435_761) >>> 0);
    const job = sortJob(values);
    expect(job.input.length).toBe(COMPUTE_MAX_INPUT_BYTES);
    expect(readU32s(runCompute(job))).toEqual(values.sort((a, b) => a - b));
  });

  it('costs the number of values, at least 1', () => {
    expect(computeCost(sortJob([]))).toBe(1n);
    expect(computeCost(sortJob([5]))).toBe(1n);
    expect(computeCost(sortJob([3, 2, 1]))).toBe(3n);
    expect(computeCost({ fn: 'sort-u32', input: new Uint8Array(COMPUTE_MAX_INPUT_BYTES) })).toBe(
      16_384n,
    );
  });

  it('refuses a partial value and, called directly, more than 16,384 values', () => {
    expect(problemOf({ fn: 'sort-u32', input: new Uint8Array(7) })).toBe(
      'the sort-u32 input must be a whole number of 4-byte u32be values, got 7 bytes',
    );
    // Through a job the 64 KiB input limit speaks first; the function checks its own bound too.
    const sort = COMPUTE_FUNCTIONS['sort-u32'];
    expect(sort?.parseInput(new Uint8Array(COMPUTE_MAX_INPUT_BYTES + 4))).toBe(
      'the sort-u32 input holds 16385 values; at most 16384 are allowed',
    );
  });
});

// --- matmul-mod ------------------------------------------------------------------------------

describe('matmul-mod', () => {
  it('fills the matrices from xorshift32, whose first output from seed 1 is 270369', () => {
    // 1×1: A = [270369], B = [the next state]; the product is their product mod 2^32.
    let x = 270_369;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const b = x >>> 0;
    const product = Number((270_369n * BigInt(b)) & 0xffff_ffffn);
    expect(toHex(runCompute(matmulJob(1, 1)))).toBe(toHex(nodeSha256(u32s(product))));
  });

  it('agrees with BigInt arithmetic for small sizes and any non-zero seed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 0xffff_ffff }),
        (s, seed) => {
          expect(toHex(runCompute(matmulJob(s, seed)))).toBe(toHex(referenceMatmul(s, seed)));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('agrees with BigInt arithmetic at a size with many wrapping sums', () => {
    expect(toHex(runCompute(matmulJob(40, 0xdead_beef)))).toBe(
      toHex(referenceMatmul(40, 0xdead_beef)),
    );
  });

  it('runs the largest size and costs size³', () => {
    expect(runCompute(matmulJob(256, 42))).toHaveLength(32);
    expect(computeCost(matmulJob(1, 1))).toBe(1n);
    expect(computeCost(matmulJob(10, 1))).toBe(1000n);
    expect(computeCost(matmulJob(256, 1))).toBe(16_777_216n);
  });

  it('refuses a bad length, a size outside 1..256 and the zero seed', () => {
    for (const length of [0, 5, 7]) {
      expect(problemOf({ fn: 'matmul-mod', input: new Uint8Array(length) })).toBe(
        `the matmul-mod input must be exactly 6 bytes (u16be size, u32be seed), got ${length}`,
      );
    }
    expect(problemOf(matmulJob(0, 1))).toBe('the matmul-mod size must be from 1 to 256, got 0');
    expect(problemOf(matmulJob(257, 1))).toBe('the matmul-mod size must be from 1 to 256, got 257');
    expect(problemOf(matmulJob(3, 0))).toBe(
      'the matmul-mod seed must not be 0: xorshift32 stays at 0 forever from a zero state',
    );
  });
});

// --- the job API -----------------------------------------------------------------------------

const sampleJobs: ComputeJob[] = [
  chainJob(77, utf8('seed')),
  primesJob(123_457),
  sortJob([5, 3, 0xffff_ffff, 3, 0]),
  matmulJob(17, 99),
];

describe('computeJobProblem', () => {
  it('accepts well-formed jobs of every function', () => {
    for (const job of sampleJobs) expect(computeJobProblem(job)).toBeNull();
  });

  it('names what is wrong with values that are not jobs', () => {
    for (const job of [null, undefined, 42, 'sha256-chain', 1n]) {
      expect(computeJobProblem(job)).toBe('a compute job must be an object');
    }
    expect(computeJobProblem({})).toBe('the compute function name must be a string');
    expect(computeJobProblem({ fn: 7, input: new Uint8Array(4) })).toBe(
      'the compute function name must be a string',
    );
    for (const input of [undefined, [0, 0, 0, 1], new ArrayBuffer(4), 'abcd', new Uint32Array(1)]) {
      expect(computeJobProblem({ fn: 'count-primes', input })).toBe(
        'the compute job input must be a Uint8Array',
      );
    }
  });

  it('refuses unknown functions, including names inherited from Object.prototype', () => {
    const builtins = 'the built-ins are sha256-chain, count-primes, sort-u32, matmul-mod';
    for (const fn of ['nope', 'SHA256-CHAIN', '', 'constructor', '__proto__', 'toString']) {
      expect(computeJobProblem({ fn, input: new Uint8Array(4) })).toBe(
        `there is no built-in compute function named ${JSON.stringify(fn)}; ${builtins}`,
      );
    }
    // A long name is cut short, so a hostile job cannot inflate the message.
    expect(computeJobProblem({ fn: 'x'.repeat(1000), input: new Uint8Array(0) })).toBe(
      `there is no built-in compute function named "${'x'.repeat(40)}…"; ${builtins}`,
    );
  });

  it('refuses inputs over 64 KiB before the function looks at them', () => {
    const input = new Uint8Array(COMPUTE_MAX_INPUT_BYTES + 1);
    for (const fn of Object.keys(COMPUTE_FUNCTIONS)) {
      expect(computeJobProblem({ fn, input })).toBe(
        'the compute job input is 65537 bytes; at most 65536 are allowed',
      );
    }
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({
            fn: fc.oneof(fc.constantFrom(...Object.keys(COMPUTE_FUNCTIONS)), fc.string()),
            input: fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.anything()),
          }),
        ),
        (job) => {
          const problem = computeJobProblem(job);
          expect(problem === null || typeof problem === 'string').toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('runCompute and computeCost', () => {
  it('are deterministic and unaffected by later writes to the input', () => {
    for (const job of sampleJobs) {
      const first = runCompute(job);
      const copy: ComputeJob = { fn: job.fn, input: job.input.slice() };
      expect(runCompute(copy)).toEqual(first);
      expect(computeCost(copy)).toBe(computeCost(job));
    }
  });

  it('throw a RangeError with the problem for malformed jobs', () => {
    const bad = { fn: 'count-primes', input: u32s(50_000_001) };
    expect(() => runCompute(bad)).toThrow(RangeError);
    expect(() => runCompute(bad)).toThrow('the count-primes n must be at most 50000000');
    expect(() => computeCost(bad)).toThrow(RangeError);
    expect(() => runCompute(null as unknown as ComputeJob)).toThrow(
      'a compute job must be an object',
    );
    expect(() => computeCost({ fn: 'nope', input: new Uint8Array(0) })).toThrow(
      /no built-in compute function named "nope"/,
    );
  });
});

describe('computeResultHash', () => {
  it('is SHA-256 over the domain tag and the output', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (output) => {
        expect(toHex(computeResultHash(output))).toBe(
          toHex(nodeSha256(utf8('GPoW/compute/v1'), output)),
        );
      }),
    );
  });

  it('differs from the plain SHA-256 and from other GPoW domains', () => {
    const output = runCompute(sampleJobs[0] as ComputeJob);
    const hash = toHex(computeResultHash(output));
    expect(hash).not.toBe(toHex(nodeSha256(output)));
    expect(hash).not.toBe(toHex(nodeSha256(utf8('GPoW/pow/v1'), output)));
  });

  it('refuses anything but bytes', () => {
    expect(() => computeResultHash('output' as unknown as Uint8Array)).toThrow(
      'a compute output must be a Uint8Array',
    );
  });
});

describe('checkComputeResult', () => {
  it('accepts the hash of the true output of every function', () => {
    for (const job of sampleJobs) {
      expect(checkComputeResult(job, computeResultHash(runCompute(job)))).toBe(true);
    }
  });

  it('rejects a flipped bit, another job’s result and the undomained hash', () => {
    for (const job of sampleJobs) {
      const output = runCompute(job);
      const good = computeResultHash(output);
      for (const bit of [0, 7, 130, 255]) {
        const flipped = good.slice();
        flipped[bit >>> 3] = (flipped[bit >>> 3] as number) ^ (1 << (bit & 7));
        expect(checkComputeResult(job, flipped)).toBe(false);
      }
      expect(checkComputeResult(job, nodeSha256(output))).toBe(false);
    }
    const [chain, primes] = sampleJobs as [ComputeJob, ComputeJob];
    expect(checkComputeResult(chain, computeResultHash(runCompute(primes)))).toBe(false);
  });

  it('throws on a malformed job or a claim that is not a 32-byte hash', () => {
    const job = sampleJobs[1] as ComputeJob;
    expect(() => checkComputeResult(job, new Uint8Array(31))).toThrow(
      'a compute result hash must be exactly 32 bytes',
    );
    expect(() => checkComputeResult(job, 'f'.repeat(64) as unknown as Uint8Array)).toThrow(
      RangeError,
    );
    expect(() =>
      checkComputeResult({ fn: 'matmul-mod', input: new Uint8Array(5) }, new Uint8Array(32)),
    ).toThrow('the matmul-mod input must be exactly 6 bytes');
  });
});
