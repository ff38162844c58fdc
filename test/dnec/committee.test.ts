// The committee checked before the escrow (docs/protocol.md §11.2, issue 18): the wallet's
// committeeFor gives the pool a request will list and the request rule's own verdict on it, so
// what the negotiation offers is what the ledger accepts; the catalogue's committeeAvailable
// says when a type cannot run at all; and N excludes a provider the escrow would refuse.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { negotiate, type ProviderOffer } from '../../shared/dnec/negotiation.ts';
import { committeeAvailable, committeeFor, minimumCommittee } from '../../shared/dnec/queries.ts';
import { BUILT_IN_SERVICES, type ServiceDef } from '../../shared/dnec/services.ts';
import type { KeyHex } from '../../shared/ids.ts';
import { newMarket, type Market } from '../helpers/market.ts';

const TASK = BUILT_IN_SERVICES.get('task') as ServiceDef;
const POW = BUILT_IN_SERVICES.get('pow') as ServiceDef;
const JOB = { fields: { title: 'Proofread a letter' } };

/** Consumer and provider; the provider has bonded too, as a member who validates might. */
async function twoMembers(): Promise<Market> {
  const market = await newMarket([
    ['consumer', 1000n],
    ['provider', 100n],
    ['third', 100n],
  ]);
  await market.act('provider', 'bond', { amount: 10n }, { debit: 10n });
  await market.act('provider', 'offer', { service: 'task', capacity: 10n, rate: 5n });
  await market.voteAll(10);
  return market;
}

const keyOf = (market: Market, name: string): KeyHex => market.who(name).key;

describe('committeeFor: the escrow and the ledger agree', () => {
  it('a provider who is the only bonded validator leaves no committee, as the ledger says', async () => {
    const market = await twoMembers();
    const [consumer, provider] = [keyOf(market, 'consumer'), keyOf(market, 'provider')];
    const { pool, problem } = committeeFor(market.ledger, TASK, { m: 1, k: 1 }, consumer, provider);
    expect(pool).toEqual([]);
    expect(problem).toBe('the pool has 0 bonded validators; 1 are needed');
    // The ledger refuses the same request with the same sentence.
    const { outcome } = await market.request('consumer', 'provider', {
      service: 'task',
      rate: 5n,
      volume: 1n,
      fee: 1n,
      m: 1,
      k: 1,
      job: JOB,
    });
    expect((outcome as { rejection?: { message: string } }).rejection?.message).toContain(problem);
    expect(committeeAvailable(market.ledger, TASK, consumer)).toBe(false);
    expect(committeeAvailable(market.ledger, POW, consumer)).toBe(true);
  });

  it('once a third member bonds, the pool it gives is one the ledger accepts', async () => {
    const market = await twoMembers();
    await market.act('third', 'bond', { amount: 10n }, { debit: 10n });
    await market.voteAll(20);
    const [consumer, provider] = [keyOf(market, 'consumer'), keyOf(market, 'provider')];
    const { pool, problem } = committeeFor(market.ledger, TASK, { m: 1, k: 1 }, consumer, provider);
    expect(problem).toBeNull();
    expect(pool).toHaveLength(1);
    expect(committeeAvailable(market.ledger, TASK, consumer)).toBe(true);
    const { outcome } = await market.request('consumer', 'provider', {
      service: 'task',
      rate: 5n,
      volume: 1n,
      fee: 1n,
      m: 1,
      k: 1,
      job: JOB,
    });
    expect(outcome.status).toBe('accepted');
  });

  it('the smallest committee is none for pow and one for the judged types', () => {
    expect(minimumCommittee(POW)).toBe(0);
    expect(minimumCommittee(TASK)).toBe(1);
    expect(minimumCommittee(BUILT_IN_SERVICES.get('compute') as ServiceDef)).toBe(1);
  });
});

describe('N with the committee check, seeded property', () => {
  const offerArb = fc.record({
    provider: fc
      .uint8Array({ minLength: 32, maxLength: 32 })
      .map((b) => Buffer.from(b).toString('hex')),
    blocked: fc.boolean(),
  });

  it('excludes exactly the providers whose committee fails, with the escrow’s sentence', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(offerArb, { selector: (o) => o.provider, maxLength: 6 }),
        (drawn) => {
          const offers: ProviderOffer[] = drawn.map(({ provider }) => ({
            provider: provider as KeyHex,
            capacity: 10n,
            rate: 1n,
            activeVolume: 0n,
            reputation: { completed: 0, failed: 0, disputesLost: 0 },
          }));
          const blocked = new Set(drawn.filter((o) => o.blocked).map((o) => o.provider));
          const result = negotiate(
            offers,
            { volume: 1n },
            {
              validatorFee: 1n,
              validators: 1,
              committee: (p) => (blocked.has(p) ? 'the pool has 0 bonded validators' : null),
            },
          );
          const excluded = result.excluded.filter((e) => e.reason === 'no-committee');
          expect(new Set(excluded.map((e) => e.provider))).toEqual(blocked);
          for (const e of excluded) expect(e.detail).toBe('the pool has 0 bonded validators');
          expect(result.ranked.every((r) => !blocked.has(r.provider))).toBe(true);
          expect(result.ranked.length + result.excluded.length).toBe(offers.length);
        },
      ),
      { seed: 1818, numRuns: 200 },
    );
  });
});
