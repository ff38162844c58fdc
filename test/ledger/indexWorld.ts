// A ledger that holds transactions of every type that keeps an index (DNEC life cycle, profile,
// network-refound, room-key, SSK shares and revokes), built by a schedule of steps through the
// real pipeline; and what the index snapshot tests need around it: every index codec, a replay
// of the same transactions in another order, and a view of a ledger with restored indexes.
import fc from 'fast-check';
import { fromHex, utf8 } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import { computeCost, computeResultHash, runCompute } from '../../shared/dnec/compute.ts';
import { instanceView } from '../../shared/dnec/queries.ts';
import type { TxId } from '../../shared/ids.ts';
import { Ledger, nextPosition } from '../../shared/ledger/ledger.ts';
import { refoundBody } from '../../shared/net/refound.ts';
import { PROTOCOL_TYPES } from '../../shared/protocol.ts';
import { roomKeyBody } from '../../shared/ssk/roomKey.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import type { IndexCodec, IndexStore } from '../../shared/tx/types.ts';
import { newMarket, solvePow, type Market } from '../helpers/market.ts';
import { registry, sign } from '../helpers/network.ts';

const POW = { data: utf8('index snapshots'), difficulty: 4 };
const COMPUTE = { fn: 'count-primes', input: new Uint8Array([0, 0, 1, 0]) };
export const VALIDATORS = ['v1', 'v2', 'v3'];
export const PEOPLE = ['alice', 'bob', 'carol', 'consumer', 'provider'];

/** Every codec the protocol's types declare, once per key. */
export const CODECS: readonly IndexCodec[] = [
  ...new Map(
    PROTOCOL_TYPES.flatMap((t) => (t.index ? [[t.index.key, t.index] as const] : [])),
  ).values(),
];

export type Step =
  | {
      kind: 'accept' | 'decline' | 'deliver' | 'reveal' | 'review' | 'verdict' | 'settle';
      job: number;
      arg: number;
    }
  | { kind: 'votes'; time: number; mask: number }
  | { kind: 'profile' | 'refound' | 'room-key' | 'share' | 'revoke' | 'unbond'; who: number }
  | { kind: 'fork' };

const dnecStep: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom(
    'accept' as const,
    'decline' as const,
    'deliver' as const,
    'reveal' as const,
    'review' as const,
    'verdict' as const,
    'settle' as const,
  ),
  job: fc.nat(3),
  arg: fc.nat(7),
});

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: dnecStep },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('votes' as const),
      time: fc.integer({ min: 0, max: 25 }),
      mask: fc.integer({ min: 1, max: 15 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'profile' as const,
        'refound' as const,
        'room-key' as const,
        'share' as const,
        'revoke' as const,
        'unbond' as const,
      ),
      who: fc.nat(20),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'fork' as const }) },
);

interface Job {
  readonly id: TxId;
  readonly reveal: Uint8Array;
  readonly kind: 'pow' | 'compute' | 'task' | 'registered';
}

export interface World {
  readonly market: Market;
  readonly jobs: readonly Job[];
  readonly service: TxId;
  /** Steps that did something, by kind (a guard against a vacuous schedule). */
  readonly done: Map<string, number>;
  forked: boolean;
  clock: number;
}

export async function newWorld(): Promise<World> {
  const market = await newMarket([
    ['consumer', 10_000n],
    ['provider', 0n],
    ['v1', 100n],
    ['v2', 100n],
    ['v3', 100n],
    ['alice', 0n],
    ['bob', 0n],
    ['carol', 0n],
    ['forker', 0n],
  ]);
  for (const v of VALIDATORS) await market.act(v, 'bond', { amount: 10n }, { debit: 10n });
  const registered = await market.act('provider', 'service', {
    name: 'Translation',
    unit: 'pages',
    fields: [['text', 'text', false, true]],
    negotiation: 'lowest-total',
    evaluation: 'review',
    compensation: 'rate-times-volume',
  });
  const service = registered.tx.id;
  for (const s of ['pow', 'compute', 'task', service]) {
    await market.act(
      'provider',
      'offer',
      { service: s, capacity: 10_000n, rate: 1n },
      {
        deps: s === service ? [service] : [],
      },
    );
  }
  await market.voteAll(0);
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
  const translation = await market.request('consumer', 'provider', {
    service,
    rate: 2n,
    volume: 3n,
    fee: 1n,
    m: 1,
    k: 1,
    job: { fields: { text: 'Bonjour' } },
    deadlines,
  });
  jobs.push({ id: translation.id, reveal: translation.reveal, kind: 'registered' });
  return { market, jobs, service, done: new Map(), forked: false, clock: 1 };
}

/** Tries one step; a step the ledger refuses (or that cannot be composed) changes nothing. */
export async function runStep(world: World, step: Step): Promise<void> {
  const { market, jobs } = world;
  const count = async (kind: string, action: () => Promise<{ outcome: { status: string } }>) => {
    const result = await action().catch(() => undefined);
    if (result?.outcome.status === 'accepted')
      world.done.set(kind, (world.done.get(kind) ?? 0) + 1);
  };
  if (step.kind === 'votes') {
    world.clock += step.time;
    const only = [0, 1, 2, 3].filter((i) => step.mask & (1 << i));
    await market.voteAll(world.clock, only).catch(() => undefined);
    return;
  }
  if (step.kind === 'fork') {
    if (world.forked) return;
    world.forked = true;
    // Two profiles at one position of one chain: both are valid, and the author is frozen.
    const forker = market.who('forker');
    const position = nextPosition(market.ledger, forker.key);
    if ('code' in position) return;
    for (const name of ['Fork A', 'Fork B']) {
      const tx = await sign(forker, {
        net: market.ledger.networkId,
        ...position,
        deps: [],
        type: 'profile',
        body: { name },
        time: 5,
      });
      if (market.ledger.insert(tx).status === 'accepted')
        world.done.set('fork', (world.done.get('fork') ?? 0) + 1);
    }
    return;
  }
  if ('who' in step) {
    const person = PEOPLE[step.who % PEOPLE.length] as string;
    const other = PEOPLE[(step.who + 1 + (step.who % 3)) % PEOPLE.length] as string;
    const n = step.who;
    switch (step.kind) {
      case 'profile':
        return count('profile', () => market.act(person, 'profile', { name: `${person} ${n}` }));
      case 'refound':
        return count('refound', () =>
          market.act(
            person,
            'network-refound',
            refoundBody({
              networkId: 'ab'.repeat(32) as TxId,
              name: `again ${n}`,
              witnesses: [market.who('alice').key, market.who('bob').key],
              root: 'cd'.repeat(32),
            }) as Record<string, CborValue>,
          ),
        );
      case 'room-key':
        return count('room-key', () =>
          market.act(
            `w${(n % 4) + 1}`,
            'room-key',
            roomKeyBody({
              generation: (n % 5) + 1,
              boxes: [person, other].map(
                (name) => [market.who(name).key, new Uint8Array(80).fill(n)] as const,
              ),
              change: n % 2 === 0 ? null : market.ledger.networkId,
            }) as Record<string, CborValue>,
          ),
        );
      case 'share':
        return count('ssk', () =>
          market.act(person, 'ssk', {
            action: 'share',
            to: fromHex(market.who(other).key),
            epoch: (n % 4) + 1,
            box: new Uint8Array(96).fill(n),
            self: new Uint8Array(96).fill(n + 1),
          }),
        );
      case 'revoke':
        return count('ssk', () =>
          market.act(person, 'ssk', {
            action: 'revoke',
            to: fromHex(market.who(other).key),
            epoch: (n % 4) + 1,
          }),
        );
      case 'unbond': {
        const validator = VALIDATORS[n % 3] as string;
        const bond = [...market.ledger.validIds()].find((id) => {
          const tx = market.ledger.get(id);
          return tx?.type === 'bond' && tx.author === market.who(validator).key;
        });
        if (!bond) return;
        return count('unbond', () =>
          market.act(validator, 'unbond', { bond: fromHex(bond) }, { deps: [bond] }),
        );
      }
    }
  }
  if (!('job' in step)) return;
  const job = jobs[step.job % jobs.length] as Job;
  const req = fromHex(job.id);
  const view = instanceView(market.ledger, job.id);
  switch (step.kind) {
    case 'accept':
    case 'decline':
      return count(step.kind, () =>
        market.act('provider', step.kind, { request: req }, { deps: [job.id] }),
      );
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
      return count('deliver', () =>
        market.act('provider', 'deliver', { request: req, ...result }, { deps: [job.id] }),
      );
    }
    case 'reveal':
      if (!view?.accept) return;
      return count('reveal', () =>
        market.act(
          'consumer',
          'reveal',
          { request: req, accept: fromHex(view.accept as string), reveal: job.reveal },
          { deps: [view.accept as TxId] },
        ),
      );
    case 'review':
      if (!view?.delivery) return;
      return count('review', () =>
        market.act(
          'consumer',
          'review',
          { request: req, delivery: fromHex(view.delivery as string), approve: step.arg % 2 === 0 },
          { deps: [view.delivery as TxId] },
        ),
      );
    case 'verdict':
      return count('verdict', () =>
        market.verdict(VALIDATORS[step.arg % 3] as string, job.id, step.arg < 4),
      );
    case 'settle':
      return count('settle', () =>
        market.settle(step.arg % 2 === 0 ? 'consumer' : 'provider', job.id),
      );
  }
}

/** Runs the steps, then lets every deadline pass and every instance settle. */
export async function runSchedule(world: World, steps: readonly Step[]): Promise<void> {
  const closing: Step[] = [
    { kind: 'votes', time: 600, mask: 15 },
    ...world.jobs.flatMap((_, job) => [0, 1].map((arg): Step => ({ kind: 'settle', job, arg }))),
    { kind: 'votes', time: 100, mask: 15 },
    // Each indexed type at least once, whatever the schedule drew.
    { kind: 'profile', who: 0 },
    { kind: 'refound', who: 1 },
    { kind: 'room-key', who: 2 },
    { kind: 'share', who: 3 },
    { kind: 'revoke', who: 4 },
  ];
  for (const step of [...steps, ...closing]) await runStep(world, step);
}

/** The ledger's valid transactions other than its genesis, in the ledger's order. */
export const validTxs = (ledger: Ledger): VerifiedTx[] =>
  ledger
    .validIds()
    .filter((id) => id !== ledger.networkId)
    .map((id) => ledger.get(id) as VerifiedTx);

/** A new ledger with `ledger`'s genesis, and `txs` inserted in the order given. */
export function insertAll(ledger: Ledger, txs: readonly VerifiedTx[]): Ledger {
  const result = Ledger.fromGenesis(ledger.genesis, registry);
  if (!result.ok) throw new Error(result.rejection.message);
  for (const tx of txs) result.ledger.insert(tx);
  return result.ledger;
}

/** The same valid transactions, inserted into a new ledger in the order `order` draws. */
export function replay(ledger: Ledger, order: readonly number[]): Ledger {
  const result = Ledger.fromGenesis(ledger.genesis, registry);
  if (!result.ok) throw new Error(result.rejection.message);
  const txs = validTxs(ledger);
  const rank = new Map(
    txs.map((tx, i) => [tx.id, order.length === 0 ? i : order[i % order.length]]),
  );
  const shuffled = [...txs].sort(
    (a, b) => (rank.get(a.id) as number) - (rank.get(b.id) as number) || (a.id < b.id ? -1 : 1),
  );
  for (const tx of shuffled) result.ledger.insert(tx);
  return result.ledger;
}

/** The ledger's index under `key`; throws (changing nothing) when no transaction made one. */
export const indexOf = (ledger: Ledger, key: string): unknown =>
  ledger.indexes.index<unknown>(key, () => {
    throw new Error(`the ledger has no ${key} index`);
  });

/** The ledger seen through other indexes: every query reads `restored` instead of its own. */
export function withIndexes(ledger: Ledger, restored: ReadonlyMap<string, unknown>): Ledger {
  const indexes: IndexStore = {
    index: <T>(key: string, create: () => T): T =>
      (restored.has(key) ? restored.get(key) : ledger.indexes.index(key, create)) as T,
  };
  return new Proxy(ledger, {
    get(target, property) {
      if (property === 'indexes') return indexes;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}
