// Every feature index written as a snapshot and read back (docs/snapshots.md, "Feature
// indexes"): the restored index answers every query the rules, the wallet and the UI ask as the
// original does, writing it again gives the same bytes, and restore refuses what is not a
// snapshot (truncated, non-canonical, wrong-typed, oversized, unsorted) with a sentence and
// never throws.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCanonical, type CborValue } from '../../shared/codec/cbor.ts';
import type { MarketIndex } from '../../shared/dnec/market.ts';
import { snapshotMarket } from '../../shared/dnec/marketSnapshot.ts';
import { decide } from '../../shared/dnec/outcome.ts';
import {
  deadlinesAwaitingTick,
  eligibleBonds,
  instancesOf,
  instanceView,
  latestEvidence,
  market as marketOfLedger,
  offersFor,
  reputationOf,
  type InstanceView,
} from '../../shared/dnec/queries.ts';
import { latestProfile, type ProfileIndex } from '../../shared/identity/profile.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { refoundings } from '../../shared/net/refound.ts';
import { PROTOCOL_TYPES } from '../../shared/protocol.ts';
import {
  restoreSskPairs,
  SskDirectory,
  snapshotSskPairs,
  type SskPairs,
} from '../../shared/ssk/directory.ts';
import { roomKeys } from '../../shared/ssk/roomKey.ts';
import { restoreIndexBytes, type IndexCodec, type Restored } from '../../shared/tx/types.ts';
import { loadOf, servicesOf, timelineOf } from '../../shared/wallet/market.ts';
import {
  CODECS,
  indexOf,
  insertAll,
  newWorld,
  PEOPLE,
  replay,
  runSchedule,
  stepArb,
  withIndexes,
  validTxs,
  type Step,
  type World,
} from './indexWorld.ts';

const MAX_BYTES = 64 * 1024 * 1024;

/** The SSK directory's table, as a codec, so that every check below runs over it too. */
const SSK_CODEC: IndexCodec = {
  key: 'ssk-directory',
  snapshot: (index) => snapshotSskPairs(index as SskPairs),
  restore: restoreSskPairs,
};

let world: World;
/** The same transactions as the world's ledger, inserted in a shuffled order. */
let ledger: Ledger;

function restored(codec: IndexCodec, value: CborValue): unknown {
  const result = codec.restore(value);
  if (!result.ok) throw new Error(result.error);
  return result.index;
}

function originalOf(key: string): unknown {
  return key === SSK_CODEC.key ? new SskDirectory(ledger) : indexOf(ledger, key);
}

beforeAll(async () => {
  world = await newWorld();
  const [steps] = fc.sample(fc.array(stepArb, { minLength: 80, maxLength: 80 }), {
    seed: 20260117,
    numRuns: 1,
  });
  // A life cycle that reaches verdicts first, then what the seeded schedule draws.
  const script: Step[] = [{ kind: 'votes', time: 1, mask: 15 }];
  for (const job of [0, 1, 2, 3]) script.push({ kind: 'accept', job, arg: 0 });
  script.push({ kind: 'votes', time: 1, mask: 15 });
  for (const job of [1, 2, 3]) script.push({ kind: 'reveal', job, arg: 0 });
  for (const job of [0, 1, 2, 3]) script.push({ kind: 'deliver', job, arg: 0 });
  script.push({ kind: 'votes', time: 1, mask: 15 });
  script.push({ kind: 'review', job: 2, arg: 1 }, { kind: 'votes', time: 1, mask: 15 });
  for (const arg of [0, 1, 2, 4, 5, 6])
    for (const job of [1, 2]) script.push({ kind: 'verdict', job, arg });
  await runSchedule(world, [...script, ...(steps as Step[])]);
  ledger = replay(world.market.ledger, [7, 3, 11, 0, 5, 2, 9, 1, 8, 4, 10, 6]);
  expect(ledger.stateRoot()).toBe(world.market.ledger.stateRoot());
}, 60_000);

describe('index codecs', () => {
  it('every protocol type that keeps an index declares its codec', () => {
    for (const type of PROTOCOL_TYPES) {
      if (type.accepted) expect(type.index, type.name).toBeDefined();
    }
    expect(CODECS.map((c) => c.key).sort()).toEqual(['dnec', 'profile', 'refound', 'room-key']);
  });

  it('the schedule reached every indexed type', () => {
    for (const kind of ['profile', 'refound', 'room-key', 'ssk', 'accept', 'deliver', 'verdict'])
      expect(world.done.get(kind) ?? 0, kind).toBeGreaterThan(0);
    expect(world.done.get('fork')).toBe(2);
  });

  it.each([...CODECS, SSK_CODEC].map((c) => [c.key, c] as const))(
    '%s: writing the restored index again gives the same bytes',
    (_key, codec) => {
      const value = codec.snapshot(originalOf(codec.key));
      const bytes = encodeCanonical(value);
      const again = codec.snapshot(restored(codec, value));
      expect(encodeCanonical(again)).toEqual(bytes);
      const fromBytes = restoreIndexBytes(codec, bytes, MAX_BYTES);
      expect(fromBytes.ok).toBe(true);
    },
  );

  it('an index no transaction created is written as the empty one', () => {
    for (const codec of CODECS) {
      const empty = codec.snapshot(undefined);
      expect(encodeCanonical(codec.snapshot(restored(codec, empty)))).toEqual(
        encodeCanonical(empty),
      );
    }
    expect(() => CODECS[0]?.snapshot(new Date())).toThrow(/not this type's index/);
  });
});

// ---- the restored indexes answer as the originals ------------------------------------------

const byId = <T extends { readonly id: string }>(list: Iterable<T>): T[] =>
  [...list].sort((a, b) => (a.id < b.id ? -1 : 1));

/** An instance view with the lists that follow arrival order sorted (see the report below). */
function comparable(view: InstanceView | undefined): unknown {
  if (!view) return view;
  const decision =
    view.decision.state === 'decided'
      ? { ...view.decision, paidVoters: [...view.decision.paidVoters].sort() }
      : view.decision;
  return { ...view, decision, verdicts: byId(view.verdicts) };
}

describe('the DNEC market index', () => {
  let original: MarketIndex;
  let copy: MarketIndex;
  let view: Ledger;
  beforeAll(() => {
    original = marketOfLedger(ledger);
    copy = restored(
      CODECS.find((c) => c.key === 'dnec') as IndexCodec,
      snapshotMarket(original),
    ) as MarketIndex;
    view = withIndexes(ledger, new Map([['dnec', copy]]));
    expect(marketOfLedger(view)).toBe(copy);
  });

  it('holds the same services, bonds, requests and providers', () => {
    expect(byId(copy.services.values())).toEqual(byId(original.services.values()));
    expect(byId(copy.bonds.values())).toEqual(byId(original.bonds.values()));
    expect(byId(copy.requests.values())).toEqual(byId(original.requests.values()));
    expect(copy.providers()).toEqual(original.providers());
    for (const provider of original.providers())
      expect(copy.latestSnapshot(provider)).toEqual(original.latestSnapshot(provider));
  });

  it('lists the same actions (sorted by id: the live index lists them in arrival order)', () => {
    const kinds = [
      'accept',
      'decline',
      'abandon',
      'reveal',
      'deliver',
      'review',
      'verdict',
      'settle',
      'unbond',
    ] as const;
    const subjects = [...original.requests.keys(), ...original.bonds.keys()];
    let listed = 0;
    for (const subject of subjects) {
      for (const kind of kinds) {
        const ids = original.actions(subject, kind);
        listed += ids.length;
        expect([...copy.actions(subject, kind)]).toEqual([...ids].sort());
      }
    }
    expect(listed).toBe([...original.actionRecords()].length);
    expect(byId(copy.actionRecords())).toEqual(byId(original.actionRecords()));
  });

  it('answers the chain-local questions of the rules alike', () => {
    const reader = ledger.reader;
    let asked = 0;
    for (const record of original.actionRecords()) {
      const author = record.author;
      for (const id of ledger.validIds()) {
        if (ledger.get(id)?.author !== author) continue;
        asked++;
        expect(copy.doneOnChain(reader, author, record.subject, record.kind, id)).toBe(
          original.doneOnChain(reader, author, record.subject, record.kind, id),
        );
      }
    }
    for (const provider of original.providers()) {
      expect(copy.snapshotAt(reader, provider, null)).toEqual(
        original.snapshotAt(reader, provider, null),
      );
      for (const id of ledger.validIds()) {
        if (ledger.get(id)?.author !== provider) continue;
        asked++;
        expect(copy.snapshotAt(reader, provider, id)).toEqual(
          original.snapshotAt(reader, provider, id),
        );
      }
    }
    expect(asked).toBeGreaterThan(50);
  });

  it('gives the wallet and the UI the same instances, outcomes, offers and reputations', () => {
    const evidence = latestEvidence(ledger);
    for (const request of original.requests.values()) {
      expect(comparable(instanceView(view, request.id))).toEqual(
        comparable(instanceView(ledger, request.id)),
      );
      const a = decide(ledger.reader, original, request, evidence);
      const b = decide(ledger.reader, copy, request, evidence);
      expect(b.state === 'decided' ? { ...b, paidVoters: [...b.paidVoters].sort() } : b).toEqual(
        a.state === 'decided' ? { ...a, paidVoters: [...a.paidVoters].sort() } : a,
      );
      const timeline = (l: Ledger) =>
        timelineOf(l, instanceView(l, request.id) as InstanceView)
          .map((e) => JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)))
          .sort();
      expect(timeline(view)).toEqual(timeline(ledger));
    }
    const keys = [...PEOPLE, 'v1', 'v2', 'v3'].map((n) => world.market.who(n).key);
    for (const key of keys) {
      expect(instancesOf(view, key).map(comparable)).toEqual(
        instancesOf(ledger, key).map(comparable),
      );
      expect(reputationOf(view, key)).toEqual(reputationOf(ledger, key));
      expect(loadOf(view, key)).toEqual(loadOf(ledger, key));
    }
    for (const service of ['pow', 'compute', 'task', world.service])
      expect(offersFor(view, service)).toEqual(offersFor(ledger, service));
    expect(eligibleBonds(view, [])).toEqual(eligibleBonds(ledger, []));
    expect(servicesOf(view)).toEqual(servicesOf(ledger));
    for (const w of world.market.witnesses)
      expect(deadlinesAwaitingTick(view, w.key, 10_000)).toEqual(
        deadlinesAwaitingTick(ledger, w.key, 10_000),
      );
  });
});

describe('what the live market index keeps in arrival order', () => {
  it('lists verdicts in the order they arrived, while the snapshots agree byte for byte', () => {
    const codec = CODECS.find((c) => c.key === 'dnec') as IndexCodec;
    const txs = validTxs(world.market.ledger);
    const isVerdict = (tx: { type: string }) => tx.type === 'verdict';
    const forward = insertAll(world.market.ledger, txs);
    const backward = insertAll(world.market.ledger, [
      ...txs.filter((tx) => !isVerdict(tx)),
      ...txs.filter(isVerdict).reverse(),
    ]);
    expect(backward.stateRoot()).toBe(forward.stateRoot());
    const verdicts = (l: Ledger) =>
      [...marketOfLedger(l).requests.keys()].map((r) => marketOfLedger(l).actions(r, 'verdict'));
    // The same verdicts, in another order: InstanceView.verdicts and Decision.paidVoters follow it.
    expect(verdicts(backward).map((ids) => [...ids].sort())).toEqual(
      verdicts(forward).map((ids) => [...ids].sort()),
    );
    expect(verdicts(backward)).not.toEqual(verdicts(forward));
    expect(encodeCanonical(codec.snapshot(marketOfLedger(backward)))).toEqual(
      encodeCanonical(codec.snapshot(marketOfLedger(forward))),
    );
  });
});

describe('the profile index', () => {
  it('gives every identity the same profile, and every chain the same profiles', () => {
    const codec = CODECS.find((c) => c.key === 'profile') as IndexCodec;
    const original = indexOf(ledger, 'profile') as ProfileIndex;
    const copy = restored(codec, codec.snapshot(original)) as ProfileIndex;
    const view = withIndexes(ledger, new Map([['profile', copy]]));
    const names = [...PEOPLE, 'forker', 'v1', 'w1'];
    for (const name of names) {
      const key = world.market.who(name).key;
      expect(latestProfile(view, key)).toEqual(latestProfile(ledger, key));
    }
    expect([...copy.authors()].sort()).toEqual([...original.authors()].sort());
    for (const author of original.authors()) {
      const chain = original.chain(author);
      const forked = new Set(chain.map((e) => e.seq)).size < chain.length;
      // A fork's two profiles at one seq: the live index lists the later arrival first, the
      // restored one the smaller id first. Elsewhere the order is the chain's own.
      if (forked)
        expect([...copy.chain(author)].sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(
          [...chain].sort((a, b) => (a.id < b.id ? -1 : 1)),
        );
      else expect(copy.chain(author)).toEqual(chain);
    }
  });
});

describe('the re-founding and room-key indexes', () => {
  it('list the same announcements and rotations', () => {
    const refound = CODECS.find((c) => c.key === 'refound') as IndexCodec;
    const roomKey = CODECS.find((c) => c.key === 'room-key') as IndexCodec;
    const view = withIndexes(
      ledger,
      new Map([
        ['refound', restored(refound, refound.snapshot(indexOf(ledger, 'refound')))],
        ['room-key', restored(roomKey, roomKey.snapshot(indexOf(ledger, 'room-key')))],
      ]),
    );
    expect(refoundings(view.indexes).length).toBeGreaterThan(0);
    expect(refoundings(view.indexes)).toEqual(refoundings(ledger.indexes));
    expect(roomKeys(view.indexes).length).toBeGreaterThan(0);
    expect(roomKeys(view.indexes)).toEqual(roomKeys(ledger.indexes));
  });
});

describe('the SSK directory', () => {
  it('answers every pair alike', () => {
    const original = new SskDirectory(ledger);
    const copy = restored(SSK_CODEC, snapshotSskPairs(original)) as SskPairs;
    const keys = PEOPLE.map((n) => world.market.who(n).key);
    let shares = 0;
    for (const a of keys) {
      expect(copy.partnersOf(a)).toEqual(original.partnersOf(a));
      for (const b of keys) {
        shares += original.shares(a, b).length;
        expect(copy.shares(a, b)).toEqual(original.shares(a, b));
        expect(copy.current(a, b)).toEqual(original.current(a, b));
        expect(copy.nextEpoch(a, b)).toBe(original.nextEpoch(a, b));
        for (let epoch = 1; epoch <= 5; epoch++) {
          expect(copy.isRevoked(a, b, epoch)).toBe(original.isRevoked(a, b, epoch));
          expect(copy.sharesAt(a, b, epoch)).toEqual(original.sharesAt(a, b, epoch));
        }
      }
    }
    expect(shares).toBeGreaterThan(0);
  });
});

// ---- refusals ------------------------------------------------------------------------------

function refused(result: Restored<unknown>): string {
  expect(result.ok).toBe(false);
  const error = result.ok ? '' : result.error;
  expect(error).toMatch(/^not a snapshot of .+/);
  return error;
}

/** The same value with its first header's length in a longer form than needed. */
function nonCanonical(bytes: Uint8Array): Uint8Array {
  const head = bytes[0] as number;
  const info = head & 0x1f;
  if (info >= 24) return Uint8Array.of(head, ...bytes);
  return Uint8Array.of((head & 0xe0) | 24, info, ...bytes.subarray(1));
}

/** Every list in the value with two or more entries, by path. */
function lists(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(value)) {
    if (value.length >= 2 && value.every((item) => Array.isArray(item))) out.push(path);
    value.forEach((item, i) => out.push(...lists(item, [...path, i])));
  } else if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const [key, item] of Object.entries(value)) out.push(...lists(item, [...path, key]));
  }
  return out;
}

function edit(
  value: unknown,
  path: readonly (string | number)[],
  change: (list: unknown[]) => unknown[],
): unknown {
  if (path.length === 0) return change([...(value as unknown[])]);
  const [head, ...rest] = path;
  if (Array.isArray(value))
    return (value as unknown[]).map((item, i) => (i === head ? edit(item, rest, change) : item));
  return {
    ...(value as object),
    [head as string]: edit((value as Record<string, unknown>)[head as string], rest, change),
  };
}

describe.each([...CODECS, SSK_CODEC].map((c) => [c.key, c] as const))(
  '%s: restore refuses what is not a snapshot',
  (_key, codec) => {
    let value: CborValue;
    let bytes: Uint8Array;
    beforeAll(() => {
      value = codec.snapshot(originalOf(codec.key));
      bytes = encodeCanonical(value);
    });

    it('truncated, non-canonical and oversized bytes', () => {
      for (const cut of [0, 1, 2, bytes.length >> 1, bytes.length - 1])
        refused(restoreIndexBytes(codec, bytes.subarray(0, cut), MAX_BYTES));
      expect(refused(restoreIndexBytes(codec, nonCanonical(bytes), MAX_BYTES))).toMatch(
        /canonical/,
      );
      expect(refused(restoreIndexBytes(codec, bytes, bytes.length - 1))).toMatch(/too large/);
      refused(restoreIndexBytes(codec, Uint8Array.of(...bytes, 0), MAX_BYTES));
      refused(restoreIndexBytes(codec, 'not bytes', MAX_BYTES));
    });

    it('wrong-typed values, and values that throw when read', () => {
      const hostile = new Proxy(
        {},
        {
          get() {
            throw new Error('boom');
          },
          ownKeys() {
            throw new Error('boom');
          },
          getPrototypeOf() {
            throw new Error('boom');
          },
        },
      );
      for (const wrong of [
        undefined,
        null,
        0,
        -1,
        1n,
        'x',
        true,
        new Uint8Array(4),
        {},
        [1],
        [[1, 2]],
        new Map(),
        hostile,
      ])
        refused(codec.restore(wrong));
    });

    it('lists out of order or with an entry twice', () => {
      const found = lists(value);
      expect(found.length).toBeGreaterThan(0);
      for (const path of found) {
        refused(codec.restore(edit(value, path, (list) => [...list].reverse())));
        refused(codec.restore(edit(value, path, (list) => [list[0], ...list])));
      }
    });

    it('random damage: never throws; what it accepts it writes back byte for byte', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(), fc.nat(5), leafArb), { minLength: 1, maxLength: 4 }),
          (edits) => {
            let damaged: unknown = value;
            for (const [at, how, leaf] of edits) damaged = damage(damaged, at, how, leaf);
            const result = codec.restore(damaged);
            if (!result.ok) {
              expect(result.error).toMatch(/^not a snapshot of .+/);
              return;
            }
            expect(encodeCanonical(codec.snapshot(result.index))).toEqual(
              encodeCanonical(damaged as CborValue),
            );
          },
        ),
        { seed: 17, numRuns: 300 },
      );
    });
  },
);

const leafArb: fc.Arbitrary<CborValue> = fc.oneof(
  fc.nat(),
  fc.integer({ min: -5, max: 5 }),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ minLength: 0, maxLength: 40 }),
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.constant([]),
);

/** Node number `at` (in a walk of the value) replaced, dropped, duplicated or emptied. */
function damage(value: unknown, at: number, how: number, leaf: CborValue): unknown {
  let count = 0;
  const total = size(value);
  const target = at % total;
  const walk = (node: unknown): unknown => {
    const here = count++;
    if (here === target) {
      if (how === 0 || how === 1) return leaf;
      if (Array.isArray(node)) {
        const list = node as unknown[];
        if (how === 2) return list.slice(1);
        if (how === 3) return [...list, ...list.slice(0, 1)];
        if (how === 4) return [...list].reverse();
        return [];
      }
      if (node !== null && typeof node === 'object' && !(node instanceof Uint8Array)) {
        const entries = Object.entries(node);
        return Object.fromEntries(how === 2 ? entries.slice(1) : [...entries, ['extra', leaf]]);
      }
      return leaf;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object' && !(node instanceof Uint8Array))
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return walk(value);
}

function size(value: unknown): number {
  if (Array.isArray(value)) return 1 + value.reduce((n: number, v) => n + size(v), 0);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array))
    return 1 + Object.values(value).reduce((n: number, v) => n + size(v), 0);
  return 1;
}
