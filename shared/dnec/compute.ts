// The evaluation function of the built-in `compute` DNEC service.
//
// A consumer posts a job naming one of a FIXED set of built-in functions and its input bytes; a
// provider runs it (in a worker with time and memory limits, see node/dnec/computeRunner.ts) and
// publishes the hash of the output; every validator re-executes the job and compares hashes:
//
//   computeResultHash(output) = SHA-256( utf8("GPoW/compute/v1") || output )
//
// Only built-ins are allowed because a validator must be able to re-run any job safely: each
// function here is deterministic (integer arithmetic, no clock, no randomness, no floating point
// in the result), bounded in time and memory by its input limits, and priced by a `cost` that is
// known before it runs (the job's volume, what the consumer pays for).
//
// Inputs are canonical byte encodings (big-endian integers, exact lengths), so one job has one
// encoding and a job's bytes can be hashed and signed as they are. The job input is bounded to
// 64 KiB so a job fits in a transaction; the functions' work is bounded by their own limits.
//
// A malformed job is a programming or schema error, not bad work: the functions here throw a
// RangeError naming the problem. A ledger should check shape with `computeJobProblem` (no throw)
// when it parses a transaction.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, concat, utf8 } from '../bytes.ts';

export const COMPUTE_DOMAIN = 'GPoW/compute/v1';
/** Large enough for a useful sort, small enough to ride in a transaction. */
export const COMPUTE_MAX_INPUT_BYTES = 64 * 1024;
export const COMPUTE_RESULT_HASH_BYTES = 32;

export const SHA256_CHAIN_MAX_ITERATIONS = 10_000_000;
export const SHA256_CHAIN_MAX_SEED_BYTES = 64;
export const COUNT_PRIMES_MAX_N = 50_000_000;
/** Every value of a sort-u32 input must fit in the job input: 64 KiB / 4 bytes. */
export const SORT_U32_MAX_VALUES = COMPUTE_MAX_INPUT_BYTES / 4;
export const MATMUL_MAX_SIZE = 256;

export interface ComputeJob {
  /** The name of a built-in function, a key of COMPUTE_FUNCTIONS. */
  readonly fn: string;
  /** The function's canonical input encoding, at most 64 KiB. */
  readonly input: Uint8Array;
}

/**
 * One built-in function. `parseInput` returns the decoded input or a sentence saying what is
 * wrong with it (never throws); `cost` and `run` take only what `parseInput` returned.
 * The parsed form is always an object, so it can never be mistaken for an error sentence.
 */
export interface ComputeFunction<P extends object> {
  readonly name: string;
  readonly describe: string;
  parseInput(input: Uint8Array): P | string;
  /** Volume units, at least 1, known before running: what the consumer pays for. */
  cost(parsed: P): bigint;
  run(parsed: P): Uint8Array;
}

const DOMAIN_BYTES = utf8(COMPUTE_DOMAIN);

const viewOf = (bytes: Uint8Array): DataView =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function u32be(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  viewOf(bytes).setUint32(0, value, false);
  return bytes;
}

// --- sha256-chain ---------------------------------------------------------------------------

interface Sha256ChainInput {
  readonly iterations: number;
  readonly seed: Uint8Array;
}

const sha256Chain: ComputeFunction<Sha256ChainInput> = {
  name: 'sha256-chain',
  describe:
    'SHA-256 applied `iterations` times to a seed. Input: u32be iterations (1 to 10,000,000) ' +
    'followed by a seed of 0 to 64 bytes. Output: the 32-byte final hash. Cost: iterations.',
  parseInput(input) {
    if (input.length < 4 || input.length > 4 + SHA256_CHAIN_MAX_SEED_BYTES) {
      return `the sha256-chain input must be 4 to ${4 + SHA256_CHAIN_MAX_SEED_BYTES} bytes (u32be iterations, then a seed of at most ${SHA256_CHAIN_MAX_SEED_BYTES} bytes), got ${input.length}`;
    }
    const iterations = viewOf(input).getUint32(0, false);
    if (iterations < 1 || iterations > SHA256_CHAIN_MAX_ITERATIONS) {
      return `the sha256-chain iterations must be from 1 to ${SHA256_CHAIN_MAX_ITERATIONS}, got ${iterations}`;
    }
    // A copy, so the parsed input cannot change under the caller's later writes.
    return { iterations, seed: input.slice(4) };
  },
  cost: ({ iterations }) => BigInt(iterations),
  run({ iterations, seed }) {
    let hash = seed;
    for (let i = 0; i < iterations; i++) hash = sha256(hash);
    return hash;
  },
};

// --- count-primes ---------------------------------------------------------------------------

interface CountPrimesInput {
  readonly n: number;
}

/** Odd numbers per sieve segment: 32 KiB of flags, which stays in a core's L1/L2 cache. */
const SIEVE_SEGMENT = 32_768;

/** The odd primes p with p² < n, by a plain sieve up to √n (at most 7071 for n ≤ 50,000,000). */
function oddBasePrimes(n: number): number[] {
  const root = Math.floor(Math.sqrt(n - 1));
  const composite = new Uint8Array(root + 1);
  const primes: number[] = [];
  for (let p = 3; p <= root; p += 2) {
    if (composite[p] === 1) continue;
    primes.push(p);
    for (let m = p * p; m <= root; m += 2 * p) composite[m] = 1;
  }
  return primes;
}

/**
 * π(n − 1), the number of primes below n, by a segmented sieve over odd numbers only: memory stays
 * at one segment whatever n is. Flag index i stands for the odd number 2i + 1; the odd numbers
 * below n are the indices 1 to ⌊n/2⌋ − 1.
 */
function countPrimesBelow(n: number): number {
  if (n <= 2) return 0;
  const end = Math.floor(n / 2);
  const primes = oddBasePrimes(n);
  // Index of the next multiple of each base prime to strike, starting at p² (smaller multiples
  // have a smaller factor that strikes them); stepping by p in index space skips even multiples.
  const next = primes.map((p) => (p * p - 1) / 2);
  const segment = new Uint8Array(SIEVE_SEGMENT);
  let count = 1; // 2, the only even prime
  for (let low = 1; low < end; low += SIEVE_SEGMENT) {
    const size = Math.min(SIEVE_SEGMENT, end - low);
    segment.fill(0, 0, size);
    for (let k = 0; k < primes.length; k++) {
      const p = primes[k] as number;
      let j = (next[k] as number) - low;
      for (; j < size; j += p) segment[j] = 1;
      next[k] = j + low;
    }
    for (let j = 0; j < size; j++) if (segment[j] === 0) count++;
  }
  return count;
}

const countPrimes: ComputeFunction<CountPrimesInput> = {
  name: 'count-primes',
  describe:
    'The number of primes below n. Input: u32be n (0 to 50,000,000). Output: u32be count. ' +
    'Cost: n / 64 rounded up, at least 1.',
  parseInput(input) {
    if (input.length !== 4) {
      return `the count-primes input must be exactly 4 bytes (u32be n), got ${input.length}`;
    }
    const n = viewOf(input).getUint32(0, false);
    if (n > COUNT_PRIMES_MAX_N) {
      return `the count-primes n must be at most ${COUNT_PRIMES_MAX_N}, got ${n}`;
    }
    return { n };
  },
  cost: ({ n }) => BigInt(Math.max(1, Math.ceil(n / 64))),
  run: ({ n }) => u32be(countPrimesBelow(n)),
};

// --- sort-u32 -------------------------------------------------------------------------------

interface SortU32Input {
  readonly values: Uint32Array;
}

const sortU32: ComputeFunction<SortU32Input> = {
  name: 'sort-u32',
  describe:
    'Sorts unsigned 32-bit integers in ascending order. Input: 0 to 16,384 u32be values. ' +
    'Output: the sorted values, u32be. Cost: the number of values, at least 1.',
  parseInput(input) {
    if (input.length % 4 !== 0) {
      return `the sort-u32 input must be a whole number of 4-byte u32be values, got ${input.length} bytes`;
    }
    const count = input.length / 4;
    if (count > SORT_U32_MAX_VALUES) {
      return `the sort-u32 input holds ${count} values; at most ${SORT_U32_MAX_VALUES} are allowed`;
    }
    const view = viewOf(input);
    const values = new Uint32Array(count);
    for (let i = 0; i < count; i++) values[i] = view.getUint32(4 * i, false);
    return { values };
  },
  cost: ({ values }) => BigInt(Math.max(1, values.length)),
  run({ values }) {
    // A typed array sorts numerically (not as strings), and equal numbers are indistinguishable,
    // so the output is the same whatever algorithm the engine uses.
    const sorted = values.slice().sort();
    const output = new Uint8Array(4 * sorted.length);
    const view = viewOf(output);
    for (let i = 0; i < sorted.length; i++) view.setUint32(4 * i, sorted[i] as number, false);
    return output;
  },
};

// --- matmul-mod -----------------------------------------------------------------------------

interface MatmulInput {
  readonly size: number;
  readonly seed: number;
}

/**
 * Two size×size matrices filled row-major from one xorshift32 stream (Marsaglia's 13, 17, 5), A
 * first, then B. Each entry is the state after one step. The state is never 0 (the seed is not).
 */
function matmulOperands(size: number, seed: number): [Uint32Array, Uint32Array] {
  const cells = size * size;
  const a = new Uint32Array(cells);
  const b = new Uint32Array(cells);
  let x = seed >>> 0;
  const step = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
  for (let i = 0; i < cells; i++) a[i] = step();
  for (let i = 0; i < cells; i++) b[i] = step();
  return [a, b];
}

/** A·B mod 2^32, row-major. Math.imul and `| 0` keep every step an exact 32-bit operation. */
function multiplyMod32(a: Uint32Array, b: Uint32Array, size: number): Uint32Array {
  const c = new Uint32Array(size * size);
  const row = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    row.fill(0);
    // i-k-j order walks B and the result row sequentially, which the cache rewards.
    for (let k = 0; k < size; k++) {
      const aik = a[i * size + k] as number;
      const bk = k * size;
      for (let j = 0; j < size; j++) {
        row[j] = ((row[j] as number) + Math.imul(aik, b[bk + j] as number)) | 0;
      }
    }
    c.set(row, i * size); // storing into a Uint32Array takes each value mod 2^32
  }
  return c;
}

const matmulMod: ComputeFunction<MatmulInput> = {
  name: 'matmul-mod',
  describe:
    'Multiplies two size×size matrices of u32 generated by xorshift32 from a seed, modulo 2^32. ' +
    'Input: u16be size (1 to 256) and a non-zero u32be seed. Output: the SHA-256 of the product, ' +
    'u32be row-major. Cost: size³.',
  parseInput(input) {
    if (input.length !== 6) {
      return `the matmul-mod input must be exactly 6 bytes (u16be size, u32be seed), got ${input.length}`;
    }
    const view = viewOf(input);
    const size = view.getUint16(0, false);
    if (size < 1 || size > MATMUL_MAX_SIZE) {
      return `the matmul-mod size must be from 1 to ${MATMUL_MAX_SIZE}, got ${size}`;
    }
    const seed = view.getUint32(2, false);
    if (seed === 0) {
      return 'the matmul-mod seed must not be 0: xorshift32 stays at 0 forever from a zero state';
    }
    return { size, seed };
  },
  cost: ({ size }) => BigInt(size) ** 3n,
  run({ size, seed }) {
    const [a, b] = matmulOperands(size, seed);
    const c = multiplyMod32(a, b, size);
    const bytes = new Uint8Array(4 * c.length);
    const view = viewOf(bytes);
    for (let i = 0; i < c.length; i++) view.setUint32(4 * i, c[i] as number, false);
    return sha256(bytes);
  },
};

// --- the registry and the job API -----------------------------------------------------------

/**
 * The built-in functions by name. Frozen: the set is part of the protocol, and a validator that
 * knew a function its peers do not would disagree with them about which jobs are valid.
 */
export const COMPUTE_FUNCTIONS: Readonly<Record<string, ComputeFunction<object>>> = Object.freeze({
  [sha256Chain.name]: Object.freeze(sha256Chain),
  [countPrimes.name]: Object.freeze(countPrimes),
  [sortU32.name]: Object.freeze(sortU32),
  [matmulMod.name]: Object.freeze(matmulMod),
});

const FUNCTION_NAMES = Object.keys(COMPUTE_FUNCTIONS);

function showName(fn: string): string {
  return JSON.stringify(fn.length > 40 ? `${fn.slice(0, 40)}…` : fn);
}

/** The function and its parsed input, or a sentence saying what is wrong with the job. */
function parseJob(job: unknown): { fn: ComputeFunction<object>; parsed: object } | string {
  if (typeof job !== 'object' || job === null) return 'a compute job must be an object';
  const { fn, input } = job as { fn?: unknown; input?: unknown };
  if (typeof fn !== 'string') return 'the compute function name must be a string';
  // Own keys only: "constructor" or "__proto__" must not reach Object.prototype.
  const builtin = Object.hasOwn(COMPUTE_FUNCTIONS, fn) ? COMPUTE_FUNCTIONS[fn] : undefined;
  if (builtin === undefined) {
    return `there is no built-in compute function named ${showName(fn)}; the built-ins are ${FUNCTION_NAMES.join(', ')}`;
  }
  if (!(input instanceof Uint8Array)) return 'the compute job input must be a Uint8Array';
  if (input.length > COMPUTE_MAX_INPUT_BYTES) {
    return `the compute job input is ${input.length} bytes; at most ${COMPUTE_MAX_INPUT_BYTES} are allowed`;
  }
  const parsed = builtin.parseInput(input);
  return typeof parsed === 'string' ? parsed : { fn: builtin, parsed };
}

function parseJobOrThrow(job: ComputeJob): { fn: ComputeFunction<object>; parsed: object } {
  const result = parseJob(job);
  if (typeof result === 'string') throw new RangeError(result);
  return result;
}

/** Describes what is wrong with a job, or returns null when it is well formed. Never throws. */
export function computeJobProblem(job: unknown): string | null {
  const result = parseJob(job);
  return typeof result === 'string' ? result : null;
}

/** Throws a RangeError naming the problem when the job is not well formed. */
export function assertComputeJob(job: ComputeJob): void {
  parseJobOrThrow(job);
}

/** The job's volume, known without running it. Throws a RangeError on a malformed job. */
export function computeCost(job: ComputeJob): bigint {
  const { fn, parsed } = parseJobOrThrow(job);
  return fn.cost(parsed);
}

/** Runs the job to completion on this thread. Throws a RangeError on a malformed job. */
export function runCompute(job: ComputeJob): Uint8Array {
  const { fn, parsed } = parseJobOrThrow(job);
  return fn.run(parsed);
}

/**
 * The hash a provider publishes for an output. The domain tag keeps it apart from every other
 * SHA-256 in GPoW; the output is the only variable part, so no length prefix is needed.
 */
export function computeResultHash(output: Uint8Array): Uint8Array {
  if (!(output instanceof Uint8Array)) {
    throw new RangeError('a compute output must be a Uint8Array');
  }
  return sha256(concat(DOMAIN_BYTES, output));
}

/**
 * What a validator does: re-runs the job and compares the result hash with the provider's claim.
 * Throws a RangeError on a malformed job or a claim that is not a 32-byte hash; a well-formed but
 * wrong claim returns false.
 */
export function checkComputeResult(job: ComputeJob, claimedHash: Uint8Array): boolean {
  const { fn, parsed } = parseJobOrThrow(job);
  if (!(claimedHash instanceof Uint8Array) || claimedHash.length !== COMPUTE_RESULT_HASH_BYTES) {
    throw new RangeError(
      `a compute result hash must be exactly ${COMPUTE_RESULT_HASH_BYTES} bytes`,
    );
  }
  return bytesEqual(computeResultHash(fn.run(parsed)), claimedHash);
}
