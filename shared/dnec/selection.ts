// The validator selection function P: which m of the bonded validators evaluate a service
// instance. docs/dnec-selection.md holds the same argument with the protocol timeline.
//
// Seed. The consumer draws a secret 32-byte `reveal` and puts commitment = SHA-256(reveal) in
// its request. The provider's accept is signed after that, without knowing the reveal, and its
// transaction id is fixed the moment it is signed. The consumer then reveals, and
//
//   seed = SHA-256( utf8("GPoW/P/v1") || requestId || reveal || acceptTxId )
//
// (every part has a fixed length, so the concatenation is unambiguous).
//
// Sampling. The eligible keys are sorted (a key listed twice is refused), then a partial
// Fisher–Yates shuffle picks k = min(m, n) of them: for i = 0 … k − 1, draw j uniformly from
// [i, n) and swap positions i and j; the first k positions are the validators, in that order. Draws come from SHA-256 in counter mode over the seed (block c =
// SHA-256(seed || u64be(c)), eight big-endian 32-bit words per block, in order), and a draw
// below `bound` rejects words ≥ 2^32 − (2^32 mod bound), so every index is exactly equally
// likely, with no modulo bias. A draw with bound 1 consumes no word.
//
// Why neither party can grind:
// - The consumer fixes the reveal (through its commitment) before the accept exists. It cannot
//   predict the accept's id, which depends on the provider's signature, so no choice of reveal
//   aims at an outcome. Afterwards it can only open the commitment (finding a second preimage
//   of SHA-256 is infeasible) or withhold it. Withholding has a defined outcome: the request
//   ends `unrevealed` and the provider is paid the whole price (docs/protocol.md §11.4). At
//   best, the consumer buys a re-roll for the price of the job.
// - The provider signs its accept knowing the request and the commitment but not the reveal.
//   Every accept it could write leads to a selection it cannot compute, so trying many accepts
//   gains nothing. Once the accept is on the ledger its id is fixed; the ledger must count
//   exactly one accept per request.
// Why the choice is uniform: if either party is honest (its contribution unpredictable to the
// other when the other committed), the seed is as good as uniformly random; rejection sampling
// makes each draw exactly uniform, so every ordered choice of k distinct validators has the same
// probability, and each validator is selected with probability k/n.
// What P does not prevent: validators colluding beyond the evaluation threshold (P only makes
// the adversary's share of a committee a matter of chance, set by its share of bonded
// validators); Sybil validators (bonding must make them costly); a consumer and provider who
// collude (together they know the reveal and can try accepts offline until the committee suits
// them; closing that needs entropy neither controls, such as a witness vote or beacon); and
// selected validators who simply do not show up (a liveness matter for the protocol).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, concat, fromHex, utf8 } from '../bytes.ts';
import type { KeyHex, TxId } from '../ids.ts';
import { assertCount, assertHex64 } from './check.ts';

export const SELECTION_DOMAIN = 'GPoW/P/v1';
/** The seed of a witnessed draw (docs/protocol.md §11.5): the same inputs plus the beacons. */
export const WITNESSED_DOMAIN = 'GPoW/P/v2';
/** The consumer's secret: 256 bits, so the commitment hides it and it cannot be guessed. */
export const REVEAL_BYTES = 32;
export const SEED_BYTES = 32;

const DOMAIN_BYTES = utf8(SELECTION_DOMAIN);
const WITNESSED_BYTES = utf8(WITNESSED_DOMAIN);
const BEACON_OUTPUT_BYTES = 64;
const WORD_SPACE = 0x1_0000_0000;

function assertReveal(reveal: Uint8Array): void {
  if (!(reveal instanceof Uint8Array) || reveal.length !== REVEAL_BYTES) {
    throw new RangeError(`the reveal must be exactly ${REVEAL_BYTES} random bytes`);
  }
}

/** What the consumer puts in its request: SHA-256(reveal). */
export function commitmentOf(reveal: Uint8Array): Uint8Array {
  assertReveal(reveal);
  return sha256(reveal);
}

/** True when `reveal` opens `commitment`. Wrong-length values simply do not match. */
export function verifyCommitment(commitment: Uint8Array, reveal: Uint8Array): boolean {
  if (!(commitment instanceof Uint8Array) || commitment.length !== 32) return false;
  if (!(reveal instanceof Uint8Array) || reveal.length !== REVEAL_BYTES) return false;
  return bytesEqual(sha256(reveal), commitment);
}

export interface SeedInputs {
  /** Id of the consumer's request transaction (which carries the commitment). */
  readonly requestId: TxId;
  /** The consumer's revealed secret. */
  readonly reveal: Uint8Array;
  /** Id of the provider's accept transaction. */
  readonly acceptTxId: TxId;
  /**
   * In a witnessed draw, the witnesses' VRF outputs that count (draw.ts), in any order: the
   * seed sorts them by witness. Absent: the draw of a network founded before (v1).
   */
  readonly beacons?: ReadonlyArray<{ readonly witness: KeyHex; readonly output: Uint8Array }>;
}

export function selectionSeed(inputs: SeedInputs): Uint8Array {
  assertHex64(inputs.requestId, 'the request id');
  assertHex64(inputs.acceptTxId, 'the accept transaction id');
  assertReveal(inputs.reveal);
  const parts = [fromHex(inputs.requestId), inputs.reveal, fromHex(inputs.acceptTxId)];
  if (inputs.beacons === undefined) return sha256(concat(DOMAIN_BYTES, ...parts));
  return sha256(concat(WITNESSED_BYTES, ...parts, beaconBytes(inputs.beacons)));
}

/**
 * u16be(count), then each beacon as key (32 bytes) and output (64 bytes), by key: every part
 * has a fixed length, so one list has one encoding.
 */
function beaconBytes(beacons: NonNullable<SeedInputs['beacons']>): Uint8Array {
  const sorted = [...beacons].sort((a, b) => (a.witness < b.witness ? -1 : 1));
  const count = new Uint8Array(2);
  new DataView(count.buffer).setUint16(0, sorted.length, false);
  const out: Uint8Array[] = [count];
  for (const [i, { witness, output }] of sorted.entries()) {
    assertHex64(witness, `beacon witness ${i}`);
    if (i > 0 && witness === sorted[i - 1]?.witness)
      throw new RangeError(`witness ${witness} gives two beacons`);
    if (output.length !== BEACON_OUTPUT_BYTES)
      throw new RangeError(`a beacon output is ${BEACON_OUTPUT_BYTES} bytes`);
    out.push(fromHex(witness), output);
  }
  return concat(...out);
}

/** The 32-bit words of SHA-256(seed || u64be(0)), SHA-256(seed || u64be(1)), … in order. */
export function seedStream(seed: Uint8Array): () => number {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) {
    throw new RangeError(`the selection seed must be exactly ${SEED_BYTES} bytes`);
  }
  const input = new Uint8Array(SEED_BYTES + 8);
  input.set(seed);
  const counter = new DataView(input.buffer, SEED_BYTES, 8);
  let block = 0n;
  let words = new DataView(new ArrayBuffer(32));
  let next = 8; // forces a block on the first call
  return () => {
    if (next === 8) {
      counter.setBigUint64(0, block++, false);
      const hash = sha256(input);
      words = new DataView(hash.buffer, hash.byteOffset, 32);
      next = 0;
    }
    return words.getUint32(4 * next++, false);
  };
}

/**
 * A uniformly distributed integer in [0, bound) from uniform 32-bit words. Words at or above the
 * largest multiple of `bound` are rejected and redrawn, so no remainder is more likely than
 * another. bound = 1 needs no randomness and draws nothing.
 */
export function uniformBelow(nextWord: () => number, bound: number): number {
  if (!Number.isSafeInteger(bound) || bound < 1 || bound > WORD_SPACE) {
    throw new RangeError(`a draw needs an integer bound from 1 to 2^32, got ${bound}`);
  }
  if (bound === 1) return 0;
  const limit = WORD_SPACE - (WORD_SPACE % bound);
  for (;;) {
    const word = nextWord();
    if (word < limit) return word % bound;
  }
}

/**
 * Picks min(m, eligible.length) distinct validators. The result depends only on the set of
 * eligible keys, m and the seed, never on the order the caller lists the keys in. When fewer
 * than m validators are eligible, all of them are returned (in shuffled order); whether an
 * instance may run with a smaller committee is the protocol's decision, not P's.
 */
export function selectValidators(
  eligible: readonly KeyHex[],
  m: number,
  seed: Uint8Array,
): KeyHex[] {
  assertCount(m, 'the number of validators m');
  const next = seedStream(seed);
  for (const [i, key] of eligible.entries()) assertHex64(key, `eligible validator ${i}`);
  // Lowercase hex sorts like the key bytes; every node starts the shuffle from this order.
  const pool = [...eligible].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 1; i < pool.length; i++) {
    if (pool[i] === pool[i - 1]) {
      throw new RangeError(`validator ${String(pool[i])} is listed twice among the eligible`);
    }
  }
  const k = Math.min(m, pool.length);
  for (let i = 0; i < k; i++) {
    const j = i + uniformBelow(next, pool.length - i);
    const picked = pool[j] as KeyHex;
    pool[j] = pool[i] as KeyHex;
    pool[i] = picked;
  }
  return pool.slice(0, k);
}

export interface SelectionClaim extends SeedInputs {
  readonly eligible: readonly KeyHex[];
  readonly m: number;
  /** The commitment from the request. */
  readonly commitment: Uint8Array;
  /** The committee someone claims P chose, in P's order. */
  readonly selected: readonly KeyHex[];
}

/**
 * Re-derives the committee from the ledger's values and compares it with a claim. A reveal that
 * does not open the commitment, or a committee that differs in any member or position, fails
 * with a sentence saying which. Malformed ids, keys or m throw, as in `selectValidators`.
 */
export function verifySelection(
  claim: SelectionClaim,
): { ok: true } | { ok: false; error: string } {
  if (!verifyCommitment(claim.commitment, claim.reveal)) {
    return { ok: false, error: "the reveal does not open the request's commitment" };
  }
  const expected = selectValidators(claim.eligible, claim.m, selectionSeed(claim));
  if (
    expected.length !== claim.selected.length ||
    expected.some((key, i) => key !== claim.selected[i])
  ) {
    return {
      ok: false,
      error: `the claimed validators are not the ones P selects (expected ${expected.length}: ${expected.join(', ')})`,
    };
  }
  return { ok: true };
}
