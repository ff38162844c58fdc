// Re-founding (docs/protocol.md §13.6): the new genesis carries every identity's balance over,
// debts included, and money in escrow goes back to whoever locked it. The new network starts
// with the same total and each identity holds what it held.
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { genesisBody } from '../../shared/tx/genesis.ts';
import { carriedBalances, planRefound } from '../../shared/wallet/refound.ts';
import { admit, identity, newLedger, registry, transfer } from '../helpers/network.ts';
import { newMarket } from '../helpers/market.ts';

const founder = identity('refound founder');
const alice = identity('alice');
const bob = identity('bob');

async function startFrom(input: Parameters<typeof genesisBody>[0]): Promise<Ledger> {
  const tx = await admit(
    signTx(founder.secret, {
      net: null,
      seq: 0,
      prev: null,
      deps: [],
      type: 'genesis',
      body: genesisBody(input),
      time: 0,
    }),
  );
  const started = Ledger.fromGenesis(tx, registry);
  if (!started.ok) throw new Error(started.rejection.message);
  return started.ledger;
}

describe('re-founding carries the balances over', () => {
  it('with mutual credit: who owes still owes, and the total is the same', async () => {
    const old = await newLedger({
      founder,
      witnesses: [founder],
      allocations: [[bob, 50n]],
      creditLimit: 100n,
    });
    await transfer(old, alice, bob, 80n);
    const planned = planRefound(old, { name: 'Again', witnesses: [founder.key] });
    if (!planned.ok) throw new Error(planned.rejection.message);
    expect(planned.plan.input.refounds?.debts).toEqual([[alice.key, 80n]]);
    const next = await startFrom(planned.plan.input);
    expect(next.account(alice.key).balance).toBe(-80n);
    expect(next.account(bob.key).balance).toBe(130n);
    expect(next.supply).toBe(old.supply);
    expect(next.audit()).toEqual({ ok: true });
    // Alice may still spend up to her limit: 20 more.
    await expect(transfer(next, alice, bob, 21n)).rejects.toThrow(/insufficient-funds/);
    await transfer(next, alice, bob, 20n);
  });

  it('returns money held in escrow to whoever locked it', async () => {
    const market = await newMarket([
      ['consumer', 1000n],
      ['provider', 0n],
    ]);
    const offered = await market.act('provider', 'offer', {
      service: 'pow',
      capacity: 1000n,
      rate: 2n,
    });
    expect(offered.outcome.status).toBe('accepted');
    await market.voteAll(10);
    const request = await market.request('consumer', 'provider', {
      rate: 2n,
      volume: 64n,
      job: { data: new Uint8Array(8), difficulty: 6 },
    });
    expect(request.outcome.status).toBe('accepted');
    expect(market.ledger.escrow(request.id)).toBe(128n);
    expect(market.ledger.account(market.who('consumer').key).balance).toBe(872n);
    const carried = new Map(carriedBalances(market.ledger));
    expect(carried.get(market.who('consumer').key)).toBe(1000n);
  });

  it('refuses what cannot be carried, each with a sentence', async () => {
    const old = await newLedger({ founder, witnesses: [founder], allocations: [[bob, 5n]] });
    const cases = [
      [{ name: ' ', witnesses: [founder.key] }, /a name of 1 to 64/],
      [{ name: 'Again', witnesses: [] }, /at least one witness/],
      [{ name: 'Again', witnesses: [founder.key, founder.key] }, /named twice/],
    ] as const;
    for (const [request, message] of cases) {
      const planned = planRefound(old, request);
      expect(planned.ok).toBe(false);
      if (!planned.ok) expect(planned.rejection.message).toMatch(message);
    }
  });

  it('a genesis cannot give one account both an allocation and a debt', async () => {
    const bytes = signTx(founder.secret, {
      net: null,
      seq: 0,
      prev: null,
      deps: [],
      type: 'genesis',
      body: {
        ...(genesisBody({
          name: 'x',
          witnesses: [founder.key],
          allocations: [[bob.key, 5n]],
          creditLimit: 10n,
        }) as Record<string, unknown>),
        refounds: {
          from: new Uint8Array(32),
          root: new Uint8Array(32),
          debts: [[fromHex(bob.key), 5n]],
        },
      },
      time: 0,
    });
    await expect(admit(bytes)).rejects.toThrow(/both an allocation and a debt/);
  });
});
