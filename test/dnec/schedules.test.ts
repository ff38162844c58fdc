// Random concurrent schedules of DNEC life-cycle actions (seeded fast-check). Witnesses vote at
// random times in random subsets, so deliveries, accepts and reviews race their deadlines. For
// every schedule:
// - each instance has at most one valid settle, and once decided its outcome never changes;
// - money is conserved: balances plus escrow equal the genesis supply, and a settled escrow is 0;
// - a peer that receives the same transactions in another order reaches the same state, and
//   draws the same committees.
// It runs twice: with the commit-reveal draw alone, and with the witnesses' beacons (§11.5),
// which random steps publish or withhold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, utf8 } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import { computeCost, computeResultHash, runCompute } from '../../shared/dnec/compute.ts';
import { instanceView, market as marketIndex } from '../../shared/dnec/queries.ts';
import type { TxId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { newMarket, solvePow, type Market } from '../helpers/market.ts';
import { registry } from '../helpers/network.ts';

const POW = { data: utf8('schedule'), difficulty: 4 };
const COMPUTE = { fn: 'count-primes', input: new Uint8Array([0, 0, 1, 0]) };
const VALIDATORS = ['v1', 'v2', 'v3'];

type Step =
  | {
      kind:
        'accept' | 'decline' | 'deliver' | 'reveal' | 'review' | 'verdict' | 'settle' | 'beacon';
      job: number;
      arg: number;
    }
  | { kind: 'votes'; time: number; mask: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'accept',
        'decline',
        'deliver',
        'reveal',
        'review',
        'verdict',
        'settle',
        'beacon',
      ),
      job: fc.nat(2),
      arg: fc.nat(7),
    }),
  },
  {
    weight: 1,
    // `time` is how far witness time advances: small steps, so actions race every deadline.
    arbitrary: fc.record({
      kind: fc.constant('votes' as const),
      time: fc.integer({ min: 0, max: 25 }),
      mask: fc.integer({ min: 1, max: 15 }),
    }),
  },
);

interface Job {
  readonly id: TxId;
  readonly reveal: Uint8Array;
  readonly kind: 'pow' | 'compute' | 'task';
}

async function setUp(
  witnessedDraw: boolean,
): Promise<{ market: Market; jobs: Job[]; all: VerifiedTx[] }> {
  const market = await newMarket(
    [
      ['consumer', 10_000n],
      ['provider', 0n],
      ['v1', 100n],
      ['v2', 100n],
      ['v3', 100n],
    ],
    4,
    { witnessedDraw },
  );
  for (const v of VALIDATORS) await market.act(v, 'bond', { amount: 10n }, { debit: 10n });
  for (const service of ['pow', 'compute', 'task']) {
    await market.act('provider', 'offer', { service, capacity: 10_000n, rate: 1n });
  }
  await market.voteAll(0);
  // Deadlines (witness time): accept by 100, deliver by 200, review by 300, evaluate by 400.
  const deadlines = [100, 200, 300, 400] as const;
  const jobs: Job[] = [];
  const pow = await market.request('consumer', 'provider', {
    rate: 1n,
    volume: 16n,
    job: POW,
    deadlines,
  });
  jobs.push({ id: pow.id, reveal: pow.reveal, kind: 'pow' });
  const compute = await market.request('consumer', 'provider', {
    service: 'compute',
    rate: 1n,
    volume: computeCost(COMPUTE),
    fee: 2n,
    m: 3,
    k: 2,
    job: COMPUTE,
    deadlines,
  });
  jobs.push({ id: compute.id, reveal: compute.reveal, kind: 'compute' });
  const task = await market.request('consumer', 'provider', {
    service: 'task',
    rate: 3n,
    volume: 2n,
    fee: 1n,
    m: 1,
    k: 1,
    job: { fields: { title: 'Fix a bike' } },
    deadlines,
  });
  jobs.push({ id: task.id, reveal: task.reveal, kind: 'task' });
  return { market, jobs, all: [] };
}

/** Tries one step; steps the ledger refuses (or that cannot be composed) change nothing. */
async function run(
  market: Market,
  jobs: Job[],
  step: Step,
  clock: { time: number },
): Promise<void> {
  if (step.kind === 'votes') {
    clock.time += step.time;
    const only = [0, 1, 2, 3].filter((i) => step.mask & (1 << i));
    await market.voteAll(clock.time, only).catch(() => undefined);
    return;
  }
  const job = jobs[step.job] as Job;
  const req = fromHex(job.id);
  const view = instanceView(market.ledger, job.id);
  const attempt = async (action: () => Promise<unknown>) => {
    await action().catch(() => undefined);
  };
  switch (step.kind) {
    case 'accept':
      return attempt(() => market.act('provider', 'accept', { request: req }, { deps: [job.id] }));
    case 'decline':
      return attempt(() => market.act('provider', 'decline', { request: req }, { deps: [job.id] }));
    case 'deliver': {
      const result: Record<string, CborValue> =
        job.kind === 'pow'
          ? { nonce: solvePow(POW.data, POW.difficulty) }
          : {
              hash:
                job.kind === 'compute' && step.arg % 2 === 0
                  ? computeResultHash(runCompute(COMPUTE))
                  : new Uint8Array(32).fill(step.arg),
            };
      return attempt(() =>
        market.act('provider', 'deliver', { request: req, ...result }, { deps: [job.id] }),
      );
    }
    case 'reveal':
      if (!view?.accept) return;
      return attempt(() =>
        market.act(
          'consumer',
          'reveal',
          { request: req, accept: fromHex(view.accept as string), reveal: job.reveal },
          { deps: [view.accept as TxId] },
        ),
      );
    case 'review':
      if (!view?.delivery) return;
      return attempt(() =>
        market.act(
          'consumer',
          'review',
          { request: req, delivery: fromHex(view.delivery as string), approve: step.arg % 2 === 0 },
          { deps: [view.delivery as TxId] },
        ),
      );
    case 'verdict':
      return attempt(() =>
        market.verdict(VALIDATORS[step.arg % 3] as string, job.id, step.arg < 4),
      );
    case 'settle':
      return attempt(() => market.settle(step.arg % 2 === 0 ? 'consumer' : 'provider', job.id));
    case 'beacon':
      return attempt(() => market.beacon(step.arg % 4, job.id));
  }
}

function outcomes(ledger: Ledger, jobs: readonly Job[]): string[] {
  return jobs.map((job) => {
    const view = instanceView(ledger, job.id);
    return view?.decision.state === 'decided' ? view.decision.outcome : 'open';
  });
}

function committees(ledger: Ledger, jobs: readonly Job[]): string[][] {
  return jobs.map((job) => [...(instanceView(ledger, job.id)?.committee ?? [])]);
}

function replay(market: Market, order: readonly number[]): Ledger {
  const result = Ledger.fromGenesis(market.ledger.genesis, registry);
  if (!result.ok) throw new Error(result.rejection.message);
  const ids = market.ledger.validIds().filter((id) => id !== market.ledger.networkId);
  const txs = ids.map((id) => market.ledger.get(id) as VerifiedTx);
  const shuffled =
    order.length === 0
      ? txs
      : [...txs].sort(
          (a, b) =>
            (order[txs.indexOf(a) % order.length] as number) -
              (order[txs.indexOf(b) % order.length] as number) || (a.id < b.id ? -1 : 1),
        );
  for (const tx of shuffled) result.ledger.insert(tx);
  return result.ledger;
}

describe.each([
  ['the commit-reveal draw', false],
  ["the witnesses' draw", true],
])('DNEC under random concurrent schedules, with %s', (_name, witnessedDraw) => {
  it('one terminal outcome per instance, conservation, and the same state and committees in any arrival order', async () => {
    // Guards against a vacuous pass: the schedules must reach many different outcomes and settle.
    const reached = new Set<string>();
    let settled = 0;
    let drawn = 0;
    let beacons = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 20, maxLength: 60 }),
        fc.array(fc.nat(1000), { minLength: 1, maxLength: 50 }),
        async (steps, order) => {
          const { market, jobs } = await setUp(witnessedDraw);
          const clock = { time: 1 };
          const decided = new Map<TxId, string>();
          for (const step of [
            ...steps,
            { kind: 'votes', time: 600, mask: 15 } as Step,
            ...jobs.flatMap((_, job) => [0, 1].map((arg): Step => ({ kind: 'settle', job, arg }))),
            { kind: 'votes', time: 100, mask: 15 } as Step,
          ]) {
            await run(market, jobs, step, clock);
            for (const [i, outcome] of outcomes(market.ledger, jobs).entries()) {
              const id = (jobs[i] as Job).id;
              const before = decided.get(id);
              if (before)
                expect(outcome).toBe(before); // once decided, never different
              else if (outcome !== 'open') decided.set(id, outcome);
            }
          }
          const index = marketIndex(market.ledger);
          for (const job of jobs) {
            beacons += index.actions(job.id, 'beacon').length;
            const settles = index.actions(job.id, 'settle');
            expect(settles.length).toBeLessThanOrEqual(1);
            if (settles.length === 1) {
              settled++;
              expect(market.ledger.escrow(job.id)).toBe(0n);
              expect(instanceView(market.ledger, job.id)?.settled?.outcome).toBe(
                decided.get(job.id),
              );
            }
          }
          for (const outcome of decided.values()) reached.add(outcome);
          expect(market.ledger.audit()).toEqual({ ok: true });
          const other = replay(market, order);
          expect(other.stateRoot()).toBe(market.ledger.stateRoot());
          expect(outcomes(other, jobs)).toEqual(outcomes(market.ledger, jobs));
          expect(committees(other, jobs)).toEqual(committees(market.ledger, jobs));
          for (const c of committees(market.ledger, jobs)) if (c.length > 0) drawn++;
        },
      ),
      {
        numRuns: Number(process.env.GPOW_DNEC_RUNS ?? 25),
        seed: Number(process.env.GPOW_DNEC_SEED ?? 20261124),
      },
    );
    expect([...reached].sort()).toEqual(expect.arrayContaining(['completed', 'expired', 'late']));
    expect(reached.size).toBeGreaterThanOrEqual(6);
    expect(settled).toBeGreaterThanOrEqual(10);
    expect(drawn).toBeGreaterThanOrEqual(5);
    // Beacons are refused where the genesis does not ask for them, and count where it does.
    if (witnessedDraw) expect(beacons).toBeGreaterThanOrEqual(10);
    else expect(beacons).toBe(0);
  }, 120_000);
});
