// General Proof of Work: the evaluation function of the built-in `pow` DNEC service.
//
// A consumer posts a job (opaque data, a difficulty in leading zero bits); a provider searches
// for an 8-byte nonce such that
//
//   powHash(data, nonce) = SHA-256( utf8("GPoW/pow/v1") || data || nonce )
//
// read as a 256-bit big-endian integer, is below target = 2^(256 − difficulty). Finding one
// takes 2^difficulty hashes on average (the job's volume, what the consumer pays for); checking
// one takes a single hash, so every validator can evaluate the result without trusting anyone.
//
// The domain tag keeps these hashes apart from every other SHA-256 in GPoW (transaction ids,
// selection seeds), so work done here can never double as anything else. The data length is
// bounded, so the concatenation needs no length prefix to be unambiguous: the nonce is always
// the last 8 bytes.
//
// Inputs that are not a well-formed job or nonce are programming or schema errors, not bad
// work: the functions here throw a RangeError/TypeError naming the problem. A ledger should
// check shape with `powJobProblem` (no throw) when it parses a transaction.
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, utf8 } from '../bytes.ts';

export const POW_DOMAIN = 'GPoW/pow/v1';
/** The job data is opaque to the network; 1 KiB is enough to bind any larger payload by hash. */
export const POW_MAX_DATA_BYTES = 1024;
export const POW_NONCE_BYTES = 8;
export const POW_MIN_DIFFICULTY = 1;
/** 64 bits matches the 8-byte nonce space: beyond it most jobs would have no solution at all. */
export const POW_MAX_DIFFICULTY = 64;
/** Exclusive upper bound of nonces read as unsigned 64-bit big-endian integers. */
export const POW_NONCE_SPACE = 1n << 64n;

export interface PowJob {
  readonly data: Uint8Array;
  /** Required leading zero bits of the hash, 1..64. */
  readonly difficulty: number;
}

const DOMAIN_BYTES = utf8(POW_DOMAIN);

/** Describes what is wrong with a job, or returns null when it is well formed. Never throws. */
export function powJobProblem(job: unknown): string | null {
  if (typeof job !== 'object' || job === null) return 'a PoW job must be an object';
  const { data, difficulty } = job as { data?: unknown; difficulty?: unknown };
  return dataProblem(data) ?? difficultyProblem(difficulty);
}

function dataProblem(data: unknown): string | null {
  if (!(data instanceof Uint8Array)) return 'the PoW job data must be a Uint8Array';
  if (data.length > POW_MAX_DATA_BYTES) {
    return `the PoW job data is ${data.length} bytes; at most ${POW_MAX_DATA_BYTES} are allowed`;
  }
  return null;
}

function difficultyProblem(difficulty: unknown): string | null {
  if (
    typeof difficulty !== 'number' ||
    !Number.isInteger(difficulty) ||
    difficulty < POW_MIN_DIFFICULTY ||
    difficulty > POW_MAX_DIFFICULTY
  ) {
    return `the PoW difficulty must be an integer number of leading zero bits from ${POW_MIN_DIFFICULTY} to ${POW_MAX_DIFFICULTY}, got ${String(difficulty)}`;
  }
  return null;
}

/** Throws a RangeError naming the problem when the job is not well formed. */
export function assertPowJob(job: PowJob): void {
  const problem = powJobProblem(job);
  if (problem !== null) throw new RangeError(problem);
}

function assertNonce(nonce: Uint8Array): void {
  if (!(nonce instanceof Uint8Array) || nonce.length !== POW_NONCE_BYTES) {
    throw new RangeError(`a PoW nonce must be exactly ${POW_NONCE_BYTES} bytes`);
  }
}

/** The job's volume: the expected number of hashes to find a solution, 2^difficulty. */
export function expectedHashes(difficulty: number): bigint {
  const problem = difficultyProblem(difficulty);
  if (problem !== null) throw new RangeError(problem);
  return 1n << BigInt(difficulty);
}

/** The exclusive bound a valid hash must stay below: 2^(256 − difficulty). */
export function powTarget(difficulty: number): bigint {
  const problem = difficultyProblem(difficulty);
  if (problem !== null) throw new RangeError(problem);
  return 1n << BigInt(256 - difficulty);
}

export function powHash(data: Uint8Array, nonce: Uint8Array): Uint8Array {
  const problem = dataProblem(data);
  if (problem !== null) throw new RangeError(problem);
  assertNonce(nonce);
  return sha256(concat(DOMAIN_BYTES, data, nonce));
}

/**
 * hash < 2^(256 − d) exactly when its first d bits are zero; checking bytes avoids building a
 * bigint for every attempt in the search loop.
 */
export function hasLeadingZeroBits(hash: Uint8Array, difficulty: number): boolean {
  const whole = difficulty >>> 3;
  for (let i = 0; i < whole; i++) if (hash[i] !== 0) return false;
  const rest = difficulty & 7;
  if (rest === 0) return true;
  return (hash[whole] ?? 0) >>> (8 - rest) === 0;
}

/** One hash: true when `nonce` solves `job`. Throws only on a malformed job or nonce. */
export function verifyPow(job: PowJob, nonce: Uint8Array): boolean {
  assertPowJob(job);
  assertNonce(nonce);
  return hasLeadingZeroBits(sha256(concat(DOMAIN_BYTES, job.data, nonce)), job.difficulty);
}

/** The 8-byte big-endian encoding of a nonce index in [0, 2^64). */
export function nonceFromIndex(index: bigint): Uint8Array {
  if (typeof index !== 'bigint' || index < 0n || index >= POW_NONCE_SPACE) {
    throw new RangeError('a nonce index must be a bigint from 0 to 2^64 − 1');
  }
  const nonce = new Uint8Array(POW_NONCE_BYTES);
  new DataView(nonce.buffer).setBigUint64(0, index, false);
  return nonce;
}

/** The nonce index an 8-byte nonce encodes (inverse of `nonceFromIndex`). */
export function indexFromNonce(nonce: Uint8Array): bigint {
  assertNonce(nonce);
  return new DataView(nonce.buffer, nonce.byteOffset, POW_NONCE_BYTES).getBigUint64(0, false);
}

/**
 * Tries the nonces with indices start, start + 1, …, start + count − 1 in order and returns the
 * first that solves the job, or null. Workers split the 64-bit nonce space into such ranges.
 * The range may not run past 2^64: wrapping around would silently repeat work.
 */
export function solvePowRange(job: PowJob, start: bigint, count: number): Uint8Array | null {
  assertPowJob(job);
  if (typeof start !== 'bigint' || start < 0n || start >= POW_NONCE_SPACE) {
    throw new RangeError('the first nonce index must be a bigint from 0 to 2^64 − 1');
  }
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`the nonce count must be a non-negative safe integer, got ${count}`);
  }
  if (start + BigInt(count) > POW_NONCE_SPACE) {
    throw new RangeError('the nonce range runs past 2^64 − 1, the last 8-byte nonce');
  }
  // Hash the fixed prefix once and clone its state per attempt: with 1 KiB of data that saves
  // sixteen compression rounds per nonce. The nonce is the low 8 bytes, updated in place.
  const prefix = sha256.create().update(DOMAIN_BYTES).update(job.data);
  const nonce = new Uint8Array(POW_NONCE_BYTES);
  const view = new DataView(nonce.buffer);
  // Split into 32-bit halves so the inner loop stays in plain integers, not bigints.
  let high = Number(start >> 32n);
  let low = Number(start & 0xffff_ffffn);
  for (let i = 0; i < count; i++) {
    view.setUint32(0, high, false);
    view.setUint32(4, low, false);
    if (hasLeadingZeroBits(prefix.clone().update(nonce).digest(), job.difficulty)) {
      return nonce;
    }
    low++;
    if (low === 0x1_0000_0000) {
      low = 0;
      high++;
    }
  }
  return null;
}
