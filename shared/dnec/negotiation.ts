// The Negotiation function N of a DNEC service (whitepaper §1.2, step 3): from the providers'
// signed offers and the ledger's view of their workload, which providers can take a request of a
// given volume, what each would cost, and which one to recommend.
//
//   1. Keep providers whose capacity is above zero                    (else 'no-capacity').
//   2. Drop a provider whose free capacity, capacity − Σ volumes of its active instances, is
//      below the requested volume                             (else 'insufficient-free-capacity').
//   3. Apply the consumer's constraints, in this order: its exclusion list
//      ('excluded-by-consumer'), its maximum rate ('rate-above-max'), its minimum reputation
//      score ('reputation-below-min'). A provider failing several checks is reported with the
//      first, so the reason is stable and the most basic one.
//   4. Rank the rest by total price ascending, then reputation score descending, then
//      responsiveness ascending (a provider that publishes none ranks after those that do), then
//      provider key ascending, so equal offers still have exactly one order on every node.
//
// N is a pure function of its inputs: the output is the same for any order of the offers, and
// every number that decides anything is an integer (bigint for money and volume). The request's
// `deadline` is checked but does not filter: offers carry no completion-time commitment to hold
// a provider to, so N cannot judge it; it belongs to the request transaction's timeout.
import type { KeyHex } from '../ids.ts';
import { assertCount, assertHex64, assertU64 } from './check.ts';

export interface ReputationCounts {
  /** Instances the provider completed and validators accepted. */
  readonly completed: number;
  /** Instances the provider abandoned or reported as failed. */
  readonly failed: number;
  /** Disputes in which the validators ruled against the provider. */
  readonly disputesLost: number;
}

export interface ProviderOffer {
  readonly provider: KeyHex;
  /** Units of volume the provider is willing to carry at once. */
  readonly capacity: bigint;
  /** Price per unit of volume, in minor units. */
  readonly rate: bigint;
  /** Sum of the volumes of the provider's active instances, computed by the caller from the ledger. */
  readonly activeVolume: bigint;
  readonly reputation: ReputationCounts;
  /** Median delay in ms between a request and this provider's accept; lower is better. */
  readonly responsiveness?: number;
}

export interface ServiceRequest {
  /** The instance's volume, in the service's units (for `pow`, expected hashes). */
  readonly volume: bigint;
  /** Highest acceptable price per unit of volume. */
  readonly maxRate?: bigint;
  /** Lowest acceptable reputation score, 0..1000 (see `reputationScore`). */
  readonly minReputation?: number;
  readonly exclude?: readonly KeyHex[];
  /** When the request expires, in ms since the epoch; validated, not used by N (see above). */
  readonly deadline?: number;
}

export interface FeeParams {
  /** Fee paid to each validator of the instance, in minor units. */
  readonly validatorFee: bigint;
  /** How many validators the instance will have (m of the selection function P). */
  readonly validators: number;
  /**
   * What is wrong with the committee a request to `provider` would have, or null: the very
   * check the escrow makes (queries.ts committeeFor), since the pool leaves the provider out.
   */
  readonly committee?: (provider: KeyHex) => string | null;
}

export interface RankedProvider {
  readonly provider: KeyHex;
  /** rate × volume: what the provider receives. */
  readonly price: bigint;
  /** price + validatorFee × validators: what the consumer pays in all. */
  readonly total: bigint;
  readonly score: number;
  readonly freeCapacity: bigint;
}

export type ExclusionReason =
  | 'no-capacity'
  | 'insufficient-free-capacity'
  | 'rate-above-max'
  | 'reputation-below-min'
  | 'excluded-by-consumer'
  | 'no-committee';

export interface ExcludedProvider {
  readonly provider: KeyHex;
  readonly reason: ExclusionReason;
  readonly detail: string;
}

export interface NegotiationResult {
  /** Eligible providers, best first. */
  readonly ranked: readonly RankedProvider[];
  /** Every other provider with the reason it was left out, sorted by provider key. */
  readonly excluded: readonly ExcludedProvider[];
  /** The first of `ranked`, or null when no provider is eligible. */
  readonly recommended: KeyHex | null;
}

export const MAX_REPUTATION_SCORE = 1000;

/**
 * The reputation score, an integer in 0..999 computed from counts only:
 *
 *   score = ⌊ 1000 × (completed + 1) / (completed + failed + 2 × disputesLost + 2) ⌋
 *
 * This is Laplace's rule of succession (one imaginary success and one imaginary failure), so a
 * newcomer starts at 500 rather than at an extreme, and a few outcomes move the score less than
 * many. A lost dispute weighs as two failures: the provider claimed success and the validators
 * found otherwise, which is worse than admitting a failure. The smoothing keeps the score below
 * 1000 for any finite record, so a minimum of 1000 admits nobody. Bigint arithmetic keeps the
 * result exact for counts up to 2^53.
 */
export function reputationScore(counts: ReputationCounts): number {
  assertCount(counts.completed, 'reputation.completed');
  assertCount(counts.failed, 'reputation.failed');
  assertCount(counts.disputesLost, 'reputation.disputesLost');
  const completed = BigInt(counts.completed);
  const outcomes = completed + BigInt(counts.failed) + 2n * BigInt(counts.disputesLost) + 2n;
  return Number((BigInt(MAX_REPUTATION_SCORE) * (completed + 1n)) / outcomes);
}

/**
 * Whether an account can pay `total`. With mutual credit (the genesis `creditLimit`) an account
 * may go down to −creditLimit, so pass the network's limit; it defaults to 0 (no credit).
 */
export function affordable(balance: bigint, total: bigint, creditLimit = 0n): boolean {
  if (typeof balance !== 'bigint') throw new RangeError('the balance must be a bigint');
  if (typeof total !== 'bigint' || total < 0n) {
    throw new RangeError('the total to pay must be a non-negative bigint');
  }
  if (typeof creditLimit !== 'bigint' || creditLimit < 0n) {
    throw new RangeError('the credit limit must be a non-negative bigint');
  }
  return balance + creditLimit >= total;
}

function checkOffer(offer: ProviderOffer, index: number): void {
  const at = `offer ${index}`;
  assertHex64(offer.provider, `${at}: provider`);
  assertU64(offer.capacity, `${at}: capacity`);
  assertU64(offer.rate, `${at}: rate`);
  assertU64(offer.activeVolume, `${at}: activeVolume`);
  if (typeof offer.reputation !== 'object' || offer.reputation === null) {
    throw new RangeError(`${at}: reputation must be an object of counts`);
  }
  for (const count of ['completed', 'failed', 'disputesLost'] as const) {
    assertCount(offer.reputation[count], `${at}: reputation.${count}`);
  }
  if (offer.responsiveness !== undefined) {
    assertCount(offer.responsiveness, `${at}: responsiveness (ms)`);
  }
}

function checkRequest(request: ServiceRequest): void {
  assertU64(request.volume, 'request.volume');
  if (request.volume === 0n) throw new RangeError('request.volume must be positive');
  if (request.maxRate !== undefined) assertU64(request.maxRate, 'request.maxRate');
  if (request.minReputation !== undefined) {
    assertCount(request.minReputation, 'request.minReputation');
    if (request.minReputation > MAX_REPUTATION_SCORE) {
      throw new RangeError(
        `request.minReputation must be at most ${MAX_REPUTATION_SCORE}, got ${request.minReputation}`,
      );
    }
  }
  if (request.deadline !== undefined) assertCount(request.deadline, 'request.deadline');
  for (const [i, key] of (request.exclude ?? []).entries()) {
    assertHex64(key, `request.exclude[${i}]`);
  }
}

function checkFees(fees: FeeParams): void {
  assertU64(fees.validatorFee, 'fees.validatorFee');
  assertCount(fees.validators, 'fees.validators');
}

/** The first rule the offer fails, or null when it is eligible. */
function exclusion(
  offer: ProviderOffer,
  request: ServiceRequest,
  score: number,
  excluded: ReadonlySet<string>,
): Omit<ExcludedProvider, 'provider'> | null {
  if (offer.capacity === 0n) {
    return { reason: 'no-capacity', detail: 'the provider offers no capacity for this service' };
  }
  const free = offer.capacity - offer.activeVolume;
  if (free < request.volume) {
    return {
      reason: 'insufficient-free-capacity',
      detail: `free capacity ${free} (capacity ${offer.capacity} − active ${offer.activeVolume}) is below the requested volume ${request.volume}`,
    };
  }
  if (excluded.has(offer.provider)) {
    return { reason: 'excluded-by-consumer', detail: 'the consumer excluded this provider' };
  }
  if (request.maxRate !== undefined && offer.rate > request.maxRate) {
    return {
      reason: 'rate-above-max',
      detail: `rate ${offer.rate} is above the consumer's maximum ${request.maxRate}`,
    };
  }
  if (request.minReputation !== undefined && score < request.minReputation) {
    return {
      reason: 'reputation-below-min',
      detail: `reputation score ${score} is below the consumer's minimum ${request.minReputation}`,
    };
  }
  return null;
}

/** Last of the checks: a provider the escrow would refuse for want of validators is no choice. */
function committeeExclusion(
  offer: ProviderOffer,
  fees: FeeParams,
): Omit<ExcludedProvider, 'provider'> | null {
  const problem = fees.committee?.(offer.provider) ?? null;
  return problem === null ? null : { reason: 'no-committee', detail: problem };
}

/** Ranking order: cheapest, then most reputable, then quickest, then by key. */
function compareRanked(
  a: RankedProvider & { responsiveness?: number },
  b: RankedProvider & { responsiveness?: number },
): number {
  if (a.total !== b.total) return a.total < b.total ? -1 : 1;
  if (a.score !== b.score) return b.score - a.score;
  const ra = a.responsiveness;
  const rb = b.responsiveness;
  if (ra !== rb) {
    if (ra === undefined) return 1;
    if (rb === undefined) return -1;
    return ra - rb;
  }
  return compareKeys(a.provider, b.provider);
}

/** Lowercase hex compares as its bytes do; no locale, so every node orders alike. */
const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Runs N. Throws a RangeError on malformed input, including two offers from the same provider:
 * the caller must pass each provider's latest offer only, so that every provider appears exactly
 * once in `ranked` or `excluded`.
 */
export function negotiate(
  offers: readonly ProviderOffer[],
  request: ServiceRequest,
  fees: FeeParams,
): NegotiationResult {
  checkRequest(request);
  checkFees(fees);
  const seen = new Set<string>();
  for (const [i, offer] of offers.entries()) {
    checkOffer(offer, i);
    if (seen.has(offer.provider)) {
      throw new RangeError(
        `provider ${offer.provider} has more than one offer; pass only its latest offer`,
      );
    }
    seen.add(offer.provider);
  }

  const feeTotal = fees.validatorFee * BigInt(fees.validators);
  const excludedByConsumer = new Set<string>(request.exclude ?? []);
  const ranked: (RankedProvider & { responsiveness?: number })[] = [];
  const excluded: ExcludedProvider[] = [];
  for (const offer of offers) {
    const score = reputationScore(offer.reputation);
    const out =
      exclusion(offer, request, score, excludedByConsumer) ?? committeeExclusion(offer, fees);
    if (out !== null) {
      excluded.push({ provider: offer.provider, ...out });
      continue;
    }
    const price = offer.rate * request.volume;
    ranked.push({
      provider: offer.provider,
      price,
      total: price + feeTotal,
      score,
      freeCapacity: offer.capacity - offer.activeVolume,
      ...(offer.responsiveness === undefined ? {} : { responsiveness: offer.responsiveness }),
    });
  }
  ranked.sort(compareRanked);
  excluded.sort((a, b) => compareKeys(a.provider, b.provider));
  return {
    // Responsiveness only orders the list; the result reports what the consumer pays and why.
    ranked: ranked.map(({ provider, price, total, score, freeCapacity }) => ({
      provider,
      price,
      total,
      score,
      freeCapacity,
    })),
    excluded,
    recommended: ranked[0]?.provider ?? null,
  };
}
