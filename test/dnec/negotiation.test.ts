// The Negotiation function N: who may take a request, in which order, and why the others may
// not. Examples pin each rule; property tests check the whole output against an independent
// statement of the rules over arbitrary offers.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyHex } from '../../shared/ids.ts';
import {
  affordable,
  negotiate,
  reputationScore,
  type FeeParams,
  type ProviderOffer,
  type ServiceRequest,
} from '../../shared/dnec/negotiation.ts';

const key = (label: string): KeyHex => createHash('sha256').update(label).digest('hex') as KeyHex;

const clean = { completed: 0, failed: 0, disputesLost: 0 };
const offer = (label: string, fields: Partial<ProviderOffer> = {}): ProviderOffer => ({
  provider: key(label),
  capacity: 1000n,
  rate: 10n,
  activeVolume: 0n,
  reputation: clean,
  ...fields,
});
const fees: FeeParams = { validatorFee: 5n, validators: 3 };

describe('reputationScore', () => {
  it('is ⌊1000 (completed + 1) / (completed + failed + 2 disputesLost + 2)⌋', () => {
    expect(reputationScore(clean)).toBe(500);
    expect(reputationScore({ completed: 8, failed: 0, disputesLost: 0 })).toBe(900);
    expect(reputationScore({ completed: 0, failed: 8, disputesLost: 0 })).toBe(100);
    expect(reputationScore({ completed: 1, failed: 0, disputesLost: 0 })).toBe(666);
    // A lost dispute counts as two failures.
    expect(reputationScore({ completed: 3, failed: 0, disputesLost: 1 })).toBe(
      reputationScore({ completed: 3, failed: 2, disputesLost: 0 }),
    );
    expect(reputationScore({ completed: 3, failed: 0, disputesLost: 1 })).toBe(571);
  });

  it('stays exact and below 1000 at the largest counts', () => {
    const max = Number.MAX_SAFE_INTEGER;
    expect(reputationScore({ completed: max, failed: 0, disputesLost: 0 })).toBe(999);
    expect(reputationScore({ completed: 0, failed: max, disputesLost: max })).toBe(0);
  });

  it('rises with completions and falls with failures and lost disputes', () => {
    const count = fc.nat({ max: 1_000_000 });
    fc.assert(
      fc.property(count, count, count, (completed, failed, disputesLost) => {
        const s = reputationScore({ completed, failed, disputesLost });
        expect(Number.isInteger(s) && s >= 0 && s < 1000).toBe(true);
        expect(
          reputationScore({ completed: completed + 1, failed, disputesLost }),
        ).toBeGreaterThanOrEqual(s);
        expect(
          reputationScore({ completed, failed: failed + 1, disputesLost }),
        ).toBeLessThanOrEqual(s);
        expect(
          reputationScore({ completed, failed, disputesLost: disputesLost + 1 }),
        ).toBeLessThanOrEqual(reputationScore({ completed, failed: failed + 1, disputesLost }));
      }),
    );
  });

  it('refuses counts that are not non-negative integers', () => {
    expect(() => reputationScore({ completed: -1, failed: 0, disputesLost: 0 })).toThrow(
      'reputation.completed must be a non-negative integer, got -1',
    );
    expect(() => reputationScore({ completed: 0, failed: 0.5, disputesLost: 0 })).toThrow(
      /reputation.failed/,
    );
  });
});

describe('affordable', () => {
  it('compares the balance, plus any mutual-credit limit, with the total', () => {
    expect(affordable(100n, 100n)).toBe(true);
    expect(affordable(99n, 100n)).toBe(false);
    expect(affordable(-20n, 10n, 30n)).toBe(true);
    expect(affordable(-20n, 11n, 30n)).toBe(false);
    expect(affordable(0n, 0n)).toBe(true);
    expect(() => affordable(1n, -1n)).toThrow('the total to pay must be a non-negative bigint');
    expect(() => affordable(1n, 1n, -1n)).toThrow(/credit limit/);
    expect(() => affordable(1 as unknown as bigint, 1n)).toThrow(/balance must be a bigint/);
  });
});

describe('negotiate', () => {
  const request: ServiceRequest = { volume: 100n };

  it('prices each eligible provider: price = rate × volume, total = price + fees', () => {
    const result = negotiate([offer('a', { rate: 7n, activeVolume: 150n })], request, fees);
    expect(result.ranked).toEqual([
      { provider: key('a'), price: 700n, total: 715n, score: 500, freeCapacity: 850n },
    ]);
    expect(result.excluded).toEqual([]);
    expect(result.recommended).toBe(key('a'));
  });

  it('gives every left-out provider the first rule it fails, with a detail sentence', () => {
    const offers = [
      offer('empty', { capacity: 0n }),
      offer('busy', { capacity: 300n, activeVolume: 250n }),
      offer('overcommitted', { capacity: 100n, activeVolume: 150n }),
      offer('banned', { rate: 999n }),
      offer('dear', { rate: 21n }),
      offer('unknown', { reputation: { completed: 0, failed: 3, disputesLost: 0 } }),
      offer('good', { rate: 20n, reputation: { completed: 9, failed: 0, disputesLost: 0 } }),
    ];
    const result = negotiate(
      offers,
      { volume: 100n, maxRate: 20n, minReputation: 400, exclude: [key('banned')] },
      fees,
    );
    const reasons = Object.fromEntries(result.excluded.map((e) => [e.provider, e]));
    expect(reasons[key('empty')]).toEqual({
      provider: key('empty'),
      reason: 'no-capacity',
      detail: 'the provider offers no capacity for this service',
    });
    expect(reasons[key('busy')]?.reason).toBe('insufficient-free-capacity');
    expect(reasons[key('busy')]?.detail).toBe(
      'free capacity 50 (capacity 300 − active 250) is below the requested volume 100',
    );
    expect(reasons[key('overcommitted')]?.detail).toMatch(/^free capacity -50 /);
    // 'banned' also asks too much, but the consumer's own exclusion is reported first.
    expect(reasons[key('banned')]?.reason).toBe('excluded-by-consumer');
    expect(reasons[key('dear')]).toEqual({
      provider: key('dear'),
      reason: 'rate-above-max',
      detail: "rate 21 is above the consumer's maximum 20",
    });
    expect(reasons[key('unknown')]).toEqual({
      provider: key('unknown'),
      reason: 'reputation-below-min',
      detail: "reputation score 200 is below the consumer's minimum 400",
    });
    expect(result.ranked.map((r) => r.provider)).toEqual([key('good')]);
    expect(result.recommended).toBe(key('good'));
  });

  it('keeps a provider whose free capacity equals the volume exactly', () => {
    const result = negotiate([offer('full', { capacity: 150n, activeVolume: 50n })], request, fees);
    expect(result.ranked[0]?.freeCapacity).toBe(100n);
  });

  it('breaks ties by reputation, then responsiveness (unknown last), then key', () => {
    const trusted = { completed: 20, failed: 0, disputesLost: 0 };
    const offers = [
      offer('z-cheap', { rate: 9n }),
      offer('trusted', { reputation: trusted }),
      offer('quick', { responsiveness: 100 }),
      offer('slow', { responsiveness: 5000 }),
      offer('silent-1'),
      offer('silent-2'),
    ];
    const silent = [key('silent-1'), key('silent-2')].sort();
    const result = negotiate(offers, request, fees);
    expect(result.ranked.map((r) => r.provider)).toEqual([
      key('z-cheap'),
      key('trusted'),
      key('quick'),
      key('slow'),
      ...silent,
    ]);
  });

  it('recommends no one when no provider is eligible', () => {
    const result = negotiate([offer('a', { capacity: 0n })], request, fees);
    expect(result).toEqual({
      ranked: [],
      excluded: [expect.objectContaining({ provider: key('a'), reason: 'no-capacity' })],
      recommended: null,
    });
    expect(negotiate([], request, fees)).toEqual({ ranked: [], excluded: [], recommended: null });
  });

  it('refuses malformed input with a sentence naming it', () => {
    expect(() => negotiate([offer('a'), offer('a', { rate: 1n })], request, fees)).toThrow(
      `provider ${key('a')} has more than one offer; pass only its latest offer`,
    );
    expect(() => negotiate([offer('a', { provider: 'AB' as KeyHex })], request, fees)).toThrow(
      'offer 0: provider must be 64 lowercase hex characters, got "AB"',
    );
    expect(() => negotiate([offer('a', { capacity: -1n })], request, fees)).toThrow(
      'offer 0: capacity must be a bigint from 0 to 2^64 − 1, got -1n',
    );
    expect(() => negotiate([offer('a', { rate: 2n ** 64n })], request, fees)).toThrow(
      /offer 0: rate/,
    );
    expect(() => negotiate([offer('a', { responsiveness: 1.5 })], request, fees)).toThrow(
      'offer 0: responsiveness (ms) must be a non-negative integer, got 1.5',
    );
    expect(() =>
      negotiate(
        [offer('a', { reputation: { completed: 1, failed: -2, disputesLost: 0 } })],
        request,
        fees,
      ),
    ).toThrow('offer 0: reputation.failed must be a non-negative integer, got -2');
    expect(() =>
      negotiate([offer('a', { reputation: null as unknown as typeof clean })], request, fees),
    ).toThrow('offer 0: reputation must be an object of counts');
    expect(() =>
      negotiate([offer('a', { provider: new Uint8Array(32) as unknown as KeyHex })], request, fees),
    ).toThrow('offer 0: provider must be 64 lowercase hex characters, got 32 bytes');
    expect(() => negotiate([], { volume: 0n }, fees)).toThrow('request.volume must be positive');
    expect(() => negotiate([], { volume: 100 as unknown as bigint }, fees)).toThrow(
      /request.volume must be a bigint/,
    );
    expect(() => negotiate([], { volume: 1n, minReputation: 1001 }, fees)).toThrow(
      'request.minReputation must be at most 1000, got 1001',
    );
    expect(() => negotiate([], { volume: 1n, deadline: -5 }, fees)).toThrow(/request.deadline/);
    expect(() => negotiate([], { volume: 1n, exclude: ['x' as KeyHex] }, fees)).toThrow(
      /request.exclude\[0\]/,
    );
    expect(() => negotiate([], request, { validatorFee: 1n, validators: -1 })).toThrow(
      /fees.validators/,
    );
  });
});

// ---- properties over arbitrary markets ----

const providerKeys = Array.from({ length: 12 }, (_, i) => key(`provider-${i}`));

const offersArb = fc
  .uniqueArray(fc.integer({ min: 0, max: providerKeys.length - 1 }), { maxLength: 12 })
  .chain((indices) =>
    fc.tuple(
      ...indices.map((i) =>
        fc.record(
          {
            provider: fc.constant(providerKeys[i] as KeyHex),
            capacity: fc.constantFrom(0n, 50n, 100n, 200n, 1000n),
            rate: fc.bigInt({ min: 0n, max: 6n }),
            activeVolume: fc.constantFrom(0n, 50n, 150n),
            reputation: fc.record({
              completed: fc.nat({ max: 4 }),
              failed: fc.nat({ max: 2 }),
              disputesLost: fc.nat({ max: 1 }),
            }),
            responsiveness: fc.nat({ max: 3 }),
          },
          { requiredKeys: ['provider', 'capacity', 'rate', 'activeVolume', 'reputation'] },
        ),
      ),
    ),
  );

const requestArb: fc.Arbitrary<ServiceRequest> = fc.record(
  {
    volume: fc.constantFrom(1n, 50n, 100n),
    maxRate: fc.bigInt({ min: 0n, max: 6n }),
    minReputation: fc.constantFrom(0, 300, 500, 700),
    exclude: fc.subarray(providerKeys, { maxLength: 3 }),
  },
  { requiredKeys: ['volume'] },
);

const feesArb: fc.Arbitrary<FeeParams> = fc.record({
  validatorFee: fc.bigInt({ min: 0n, max: 10n }),
  validators: fc.nat({ max: 5 }),
});

/** The rules restated independently of the implementation. */
function isEligible(o: ProviderOffer, r: ServiceRequest): boolean {
  return (
    o.capacity > 0n &&
    o.capacity - o.activeVolume >= r.volume &&
    !(r.exclude ?? []).includes(o.provider) &&
    (r.maxRate === undefined || o.rate <= r.maxRate) &&
    (r.minReputation === undefined || reputationScore(o.reputation) >= r.minReputation)
  );
}

describe('negotiate (properties)', () => {
  it('ranks exactly the eligible providers, and lists every provider exactly once', () => {
    fc.assert(
      fc.property(offersArb, requestArb, feesArb, (offers, request, f) => {
        const result = negotiate(offers, request, f);
        const eligible = offers.filter((o) => isEligible(o, request)).map((o) => o.provider);
        expect([...result.ranked.map((r) => r.provider)].sort()).toEqual([...eligible].sort());
        const all = [
          ...result.ranked.map((r) => r.provider),
          ...result.excluded.map((e) => e.provider),
        ];
        expect(all.sort()).toEqual(offers.map((o) => o.provider).sort());
        for (const e of result.excluded) expect(e.detail.length).toBeGreaterThan(0);
      }),
    );
  });

  it('does not depend on the order of the offers', () => {
    fc.assert(
      fc.property(
        offersArb.chain((offers) =>
          fc.tuple(fc.constant(offers), fc.shuffledSubarray(offers, { minLength: offers.length })),
        ),
        requestArb,
        feesArb,
        ([offers, shuffled], request, f) => {
          expect(negotiate(shuffled, request, f)).toEqual(negotiate(offers, request, f));
        },
      ),
    );
  });

  it('recommends a cheapest eligible provider, and the ranking never gets cheaper', () => {
    fc.assert(
      fc.property(offersArb, requestArb, feesArb, (offers, request, f) => {
        const result = negotiate(offers, request, f);
        const eligible = offers.filter((o) => isEligible(o, request));
        if (eligible.length === 0) {
          expect(result.recommended).toBeNull();
          return;
        }
        const fee = f.validatorFee * BigInt(f.validators);
        const cheapest = eligible.reduce(
          (min, o) => (o.rate < min ? o.rate : min),
          eligible[0]!.rate,
        );
        expect(result.ranked[0]?.total).toBe(cheapest * request.volume + fee);
        expect(result.recommended).toBe(result.ranked[0]?.provider);
        for (let i = 1; i < result.ranked.length; i++) {
          const prev = result.ranked[i - 1]!;
          const cur = result.ranked[i]!;
          expect(prev.total <= cur.total).toBe(true);
          if (prev.total === cur.total) expect(prev.score).toBeGreaterThanOrEqual(cur.score);
        }
      }),
    );
  });
});
