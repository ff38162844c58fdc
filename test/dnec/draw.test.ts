// The witnesses' part of the validator draw (docs/protocol.md §11.5): the committee waits for the
// beacons, is drawn from exactly the ones a quorum saw in time, a withheld beacon delays the
// draw but decides nothing, and the beacon rule refuses everything else.
import { describe, expect, it } from 'vitest';
import { fromHex, utf8 } from '../../shared/bytes.ts';
import { vrfOutput, vrfProve } from '../../shared/crypto/vrf.ts';
import { beaconAlpha } from '../../shared/dnec/draw.ts';
import { instanceView } from '../../shared/dnec/queries.ts';
import { selectValidators, selectionSeed } from '../../shared/dnec/selection.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import { composeAction, composeBeacon } from '../../shared/wallet/dnecCompose.ts';
import { stateOf, type Market } from '../helpers/market.ts';
import { disputedTask, VALIDATORS, witnessedMarket } from '../helpers/draw.ts';
import { sign } from '../helpers/network.ts';

/** The committee computed by hand from the beacons of `witnesses` (indexes). */
function expectedCommittee(
  market: Market,
  request: { id: TxId; reveal: Uint8Array },
  acceptId: TxId,
  witnesses: readonly number[],
): KeyHex[] {
  const beacons = witnesses.map((i) => {
    const w = market.witnesses[i] as (typeof market.witnesses)[number];
    const output = vrfOutput(vrfProve(w.secret, beaconAlpha(acceptId)));
    return { witness: w.key, output: output as Uint8Array };
  });
  const pool = VALIDATORS.map((v) => market.who(v).key);
  const seed = selectionSeed({
    requestId: request.id,
    reveal: request.reveal,
    acceptTxId: acceptId,
    beacons,
  });
  return selectValidators(pool, 1, seed);
}

const nameOf = (market: Market, key: KeyHex | undefined) =>
  VALIDATORS.find((v) => market.who(v).key === key) as string;

describe("the witnesses' draw", () => {
  it('waits for every beacon, then draws the committee from them', async () => {
    const market = await witnessedMarket();
    const { request, acceptId } = await disputedTask(market);
    await market.voteAll(500);
    expect(stateOf(market, request.id)).toBe('open:draw');
    expect(instanceView(market.ledger, request.id)?.committee).toEqual([]);
    for (const i of [0, 1, 2, 3])
      expect((await market.beacon(i, request.id)).outcome.status).toBe('accepted');
    await market.voteAll(600);
    const committee = instanceView(market.ledger, request.id)?.committee;
    expect(committee).toEqual(expectedCommittee(market, request, acceptId, [0, 1, 2, 3]));
    expect(stateOf(market, request.id)).toBe('open:evaluate');
    const verdict = await market.verdict(nameOf(market, committee?.[0]), request.id, false);
    expect(verdict.outcome.status).toBe('accepted');
    await market.voteAll(700);
    expect(stateOf(market, request.id)).toBe('failed');
  });

  it('costs the witnesses nothing of their writing budget (protocol §15.1)', async () => {
    const budget = { every: 1_000, burst: 50 };
    const market = await witnessedMarket(true, budget);
    const { request } = await disputedTask(market);
    await market.voteAll(500);
    for (const i of [0, 1, 2, 3])
      expect((await market.beacon(i, request.id)).outcome.status).toBe('accepted');
    await market.voteAll(600);
    // Votes that cover new work and beacons are free: every witness still has a full budget.
    for (const w of market.witnesses)
      expect(market.ledger.budgetOf(w.key)?.level).toBe(budget.every * budget.burst);
  });

  it('a withheld beacon delays the draw to the delivery deadline, and decides nothing', async () => {
    const market = await witnessedMarket();
    const { request, acceptId } = await disputedTask(market);
    for (const i of [0, 1, 2]) await market.beacon(i, request.id);
    await market.voteAll(600);
    // Three of four beacons seen, the fourth neither seen nor closed out: the draw waits.
    expect(stateOf(market, request.id)).toBe('open:draw');
    // The witnesses date their views past deliverBy (2000): the fourth is out, the draw is made.
    await market.voteAll(2100);
    const committee = instanceView(market.ledger, request.id)?.committee;
    expect(committee).toEqual(expectedCommittee(market, request, acceptId, [0, 1, 2]));
    expect(stateOf(market, request.id)).toBe('open:evaluate');
    // The instance goes on as any other: a verdict decides it.
    await market.verdict(nameOf(market, committee?.[0]), request.id, true);
    await market.voteAll(2200);
    expect(stateOf(market, request.id)).toBe('passed');
    // A late beacon is valid, but counts for nothing: the committee stays the one drawn.
    await market.beacon(3, request.id);
    await market.voteAll(2300);
    expect(instanceView(market.ledger, request.id)?.committee).toEqual(committee);
  });

  it('refuses a verdict whose evidence does not decide the draw', async () => {
    const market = await witnessedMarket();
    const { request } = await disputedTask(market);
    for (const i of [0, 1, 2, 3]) await market.beacon(i, request.id);
    await market.voteAll(600);
    const view = instanceView(market.ledger, request.id);
    const validator = nameOf(market, view?.committee[0]);
    const ids = [request.id, view?.accept, view?.reveal, view?.delivery] as TxId[];
    const bare = composeAction(
      market.ledger,
      market.who(validator).key,
      'verdict',
      {
        request: fromHex(request.id),
        accept: fromHex(ids[1] as string),
        reveal: fromHex(ids[2] as string),
        delivery: fromHex(ids[3] as string),
        pass: true,
      },
      { deps: ids, time: 1 },
    );
    if (!bare.ok) throw new Error(bare.rejection.message);
    const outcome = market.ledger.insert(await sign(market.who(validator), bare.tx));
    expect(outcome.status).toBe('rejected');
    expect('rejection' in outcome && outcome.rejection.message).toMatch(
      /evidence does not decide the witnesses' draw/,
    );
  });

  it('refuses beacons from non-witnesses, with a wrong proof, twice, or where not asked for', async () => {
    const market = await witnessedMarket();
    const { request, acceptId } = await disputedTask(market);
    const refused = async (name: string, secret: Uint8Array, alpha: Uint8Array) => {
      const who = market.who(name);
      const proof = vrfProve(secret, alpha);
      const composed = composeBeacon(market.ledger, who.key, request.id, acceptId, proof, 1);
      if (!composed.ok) throw new Error(composed.rejection.message);
      const outcome = market.ledger.insert(await sign(who, composed.tx));
      return 'rejection' in outcome ? outcome.rejection.message : outcome.status;
    };
    const consumer = market.who('consumer');
    expect(await refused('consumer', consumer.secret, beaconAlpha(acceptId))).toMatch(
      /only a witness/,
    );
    const w1 = market.witnesses[0] as (typeof market.witnesses)[number];
    expect(await refused('w1', w1.secret, utf8('another input'))).toMatch(/the proof is not/);
    expect((await market.beacon(0, request.id)).outcome.status).toBe('accepted');
    expect((await market.beacon(0, request.id)).outcome).toMatchObject({ status: 'rejected' });

    const plain = await witnessedMarket(false);
    const other = await disputedTask(plain);
    const { outcome } = await plain.beacon(0, other.request.id);
    expect('rejection' in outcome && outcome.rejection.message).toMatch(/take no randomness/);
  });
});
