// Fuzzing re-founding (docs/protocol.md §13.6) on the whole intake path. Three targets:
// - network-refound announcements, random bodies, bodies with one field replaced, and byte-level
//   mutations of real ones: admitted exactly when the schema says so (refused otherwise with a
//   code and a sentence), a mutation never, and an admitted one moves no money, keeps the audit
//   and is listed by refoundings() as it was signed;
// - genesis bodies with random `refounds` (debts that overlap allocations, unsorted, zero,
//   near 2^64, too many): admitted exactly when the rule says so, and a ledger started from one
//   keeps its audit, gives each account its allocation or its debt, and has allocations minus
//   debts as its supply;
// - planRefound on random small ledgers under mutual credit (payments, votes, double spends):
//   the genesis it plans is admitted and starts a ledger with the same supply, where each
//   identity holds what carriedBalances says it held, which is its balance in the old one.
import { HIDDEN_CHARACTERS } from '../../shared/tx/schema.ts';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual, compareBytes, toHex } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import { sha256 } from '../../shared/crypto/sha256.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import { Ledger, nextPosition } from '../../shared/ledger/ledger.ts';
import { refoundBody, refoundings, REFOUND_TYPE } from '../../shared/net/refound.ts';
import { signTx, type UnsignedTx } from '../../shared/tx/envelope.ts';
import { genesisBody, MAX_ALLOCATIONS } from '../../shared/tx/genesis.ts';
import type { Rejection, RejectionCode } from '../../shared/tx/rejection.ts';
import { admitTx, type VerifiedTx } from '../../shared/tx/registry.ts';
import { U64_MAX } from '../../shared/tx/schema.ts';
import { composeTransfer, composeVote } from '../../shared/wallet/compose.ts';
import { carriedBalances, planRefound } from '../../shared/wallet/refound.ts';
import {
  admit,
  identity,
  newLedger,
  registry,
  verifier,
  type TestIdentity,
} from '../helpers/network.ts';
import { nativeSigner } from '../helpers/nativeSigner.ts';
import { mutate, mutationArb } from './fixtures.ts';
import { fuzz, runs, Watchdog } from './harness.ts';

const watchdog = new Watchdog();

const CODES: readonly RejectionCode[] = [
  'oversized',
  'malformed',
  'non-canonical',
  'unknown-type',
  'bad-signature',
  'wrong-network',
  'bad-sequence',
  'invalid-predecessor',
  'invalid-dependency',
  'unexpected-genesis',
  'insufficient-funds',
  'not-witness',
  'conflicting-vote',
  'invalid-body',
  'frozen-author',
  'revoked-device',
];

const founder = identity('rffuzz founder');
const alice = identity('rffuzz alice');
const bob = identity('rffuzz bob');
/** The members of the random small ledgers of the planner target. */
const members = Array.from({ length: 4 }, (_, i) => identity(`rffuzz member${i}`));

let target: Ledger;
/** Real announcements, signed by alice and accepted by `target`. */
let corpus: VerifiedTx[] = [];

const seen = {
  announcements: 0,
  announcementsAdmitted: 0,
  announcementsRefused: 0,
  mutationsRefused: 0,
  geneses: 0,
  genesesStarted: 0,
  genesesWithDebts: 0,
  genesesRefused: 0,
  negativeSupply: 0,
  overlapRefused: 0,
  plans: 0,
  plansWithDebts: 0,
  plansWithFork: 0,
  codes: new Set<RejectionCode>(),
};

function expectRefusal(rejection: Rejection, type: string): void {
  expect(CODES).toContain(rejection.code);
  expect(typeof rejection.message).toBe('string');
  expect(rejection.message.trim().length).toBeGreaterThan(0);
  expect(rejection.message.length).toBeLessThanOrEqual(400);
  if (rejection.code === 'malformed' && rejection.message.includes(' body: '))
    expect(rejection.message).toMatch(new RegExp(`^${type} body: .`));
  seen.codes.add(rejection.code);
}

const signed = (who: TestIdentity, unsigned: UnsignedTx): Promise<VerifiedTx> =>
  admit(signTx(who.secret, unsigned, nativeSigner));

/** The balance of every account, to check that an announcement moves no money. */
const balances = (ledger: Ledger) =>
  ledger.accounts().map((key) => [key, ledger.account(key).balance] as const);

/** A key that sorts anywhere: the hash of a label. */
const keyOf = (label: string): Uint8Array => sha256(new TextEncoder().encode(`rffuzz ${label}`));

const manyKeys = (n: number, label: string): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => keyOf(`${label} ${i}`)).sort(compareBytes);

beforeAll(async () => {
  watchdog.install();
  target = await newLedger({
    founder,
    witnesses: [founder],
    allocations: [
      [alice, 100n],
      [bob, 50n],
    ],
    creditLimit: 100n,
  });
  const inputs = [
    { name: 'Again', witnesses: [founder.key] },
    { name: 'Co-op 2', witnesses: [alice.key, bob.key, founder.key] },
  ];
  for (const [i, input] of inputs.entries()) {
    const position = nextPosition(target, alice.key);
    if ('code' in position) throw new Error(position.message);
    const tx = await signed(alice, {
      net: target.networkId,
      ...position,
      deps: [],
      type: REFOUND_TYPE,
      body: refoundBody({
        networkId: toHex(keyOf(`network ${i}`)) as TxId,
        name: input.name,
        witnesses: input.witnesses,
        root: toHex(keyOf(`root ${i}`)),
      }),
      time: 10 + i,
    });
    expect(target.insert(tx).status).toBe('accepted');
    corpus.push(tx);
  }
  corpus = [...corpus];
});
afterAll(() => watchdog.uninstall());

// ---- (a) announcements ------------------------------------------------------------------------

const HOSTILE = [...'aé山😀 ', '\u0000', '\n', '\u200b', '\u202e', '\ufeff', '\ud800', '\u0301'];

const bytesArb = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }) },
);
const nameArb: fc.Arbitrary<CborValue> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: 64 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 66 }) },
  {
    weight: 2,
    arbitrary: fc.array(fc.constantFrom(...HOSTILE), { maxLength: 70 }).map((p) => p.join('')),
  },
  { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(64), 'x'.repeat(65), '😀'.repeat(32)) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.uint8Array()) },
);
const witnessesArb: fc.Arbitrary<CborValue> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
        minLength: 1,
        maxLength: 5,
        comparator: (a, b) => bytesEqual(a, b),
      })
      .map((list) => [...list].sort(compareBytes)),
  },
  {
    weight: 1,
    arbitrary: fc.array(bytesArb, { maxLength: 4 }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<CborValue>(
      [],
      manyKeys(64, 'w64'),
      manyKeys(65, 'w65'),
      [...manyKeys(3, 'w3')].reverse(),
      [keyOf('dup'), keyOf('dup')],
    ),
  },
);
const scalar: fc.Arbitrary<CborValue> = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -1000, max: 1000 }),
  fc.bigInt(0n, U64_MAX),
  fc.string({ maxLength: 20 }),
  fc.uint8Array({ minLength: 31, maxLength: 33 }),
);

interface RefoundInput {
  readonly body: CborValue;
}

/** A body that passes the schema, or one with each field's usual ways of being wrong. */
const announcementArb: fc.Arbitrary<RefoundInput> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({
        net: bytesArb,
        name: nameArb,
        witnesses: witnessesArb,
        root: bytesArb,
        extra: fc.oneof(
          { weight: 8, arbitrary: fc.constant(undefined) },
          {
            weight: 1,
            arbitrary: fc.tuple(fc.constantFrom('memo', 'amount', 'to', '__proto__'), scalar),
          },
        ),
        drop: fc.oneof(
          { weight: 10, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constantFrom('net', 'name', 'witnesses', 'root') },
        ),
      })
      .map(({ extra, drop, ...fields }) => {
        const body: Record<string, CborValue> = { ...fields };
        if (drop) delete body[drop];
        // An own key even when it is __proto__, as a decoded map would have it.
        if (extra)
          Object.defineProperty(body, extra[0], {
            value: extra[1],
            enumerable: true,
            writable: true,
            configurable: true,
          });
        return { body };
      }),
  },
  { weight: 1, arbitrary: scalar.map((body) => ({ body })) },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }).map((body) => ({ body })) },
);

/** The schema of shared/net/refound.ts, written out without valibot. */
function validAnnouncement(body: CborValue): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  if (body instanceof Uint8Array) return false;
  const keys = Object.keys(body).sort();
  if (keys.join() !== 'name,net,root,witnesses') return false;
  const b = body as Record<string, CborValue>;
  const is32 = (x: CborValue | undefined) => x instanceof Uint8Array && x.length === 32;
  if (!is32(b.net) || !is32(b.root)) return false;
  if (typeof b.name !== 'string' || b.name.length < 1 || b.name.length > 64) return false;
  if (HIDDEN_CHARACTERS.test(b.name)) return false;
  const list = b.witnesses;
  if (!Array.isArray(list) || list.length < 1 || list.length > 64) return false;
  if (!list.every(is32)) return false;
  const bytes = list as Uint8Array[];
  return bytes.every((k, i) => i === 0 || compareBytes(bytes[i - 1] as Uint8Array, k) < 0);
}

/** Signs `body` as alice's next announcement, admits it, and checks what must hold. */
async function announce(body: CborValue): Promise<void> {
  seen.announcements++;
  const position = nextPosition(target, alice.key);
  if ('code' in position) throw new Error(position.message);
  const bytes = signTx(
    alice.secret,
    { net: target.networkId, ...position, deps: [], type: REFOUND_TYPE, body, time: 100 },
    nativeSigner,
  );
  const expected = validAnnouncement(body);
  const result = await admitTx(bytes, registry, verifier);
  if (!result.ok) {
    seen.announcementsRefused++;
    expectRefusal(result.rejection, REFOUND_TYPE);
    expect(expected, `refused: ${result.rejection.message}`).toBe(false);
    return;
  }
  expect(expected, 'admitted against the schema').toBe(true);
  seen.announcementsAdmitted++;
  const money = balances(target);
  const supply = target.supply;
  expect(target.insert(result.tx).status).toBe('accepted');
  expect(balances(target)).toEqual(money);
  expect(target.supply).toBe(supply);
  expect(target.audit()).toEqual({ ok: true });
  // What was decoded is what was signed (a name that is not well-formed UTF-16 cannot travel).
  const b = result.tx.body as {
    net: Uint8Array;
    name: string;
    witnesses: Uint8Array[];
    root: Uint8Array;
  };
  const input = body as typeof b;
  // A lone surrogate is sent as U+FFFD.
  if (!/\p{Cs}/u.test(input.name)) expect(b).toEqual({ ...input });
  else expect({ ...b, name: input.name }).toEqual({ ...input });
  const listed = refoundings(target.indexes).find((r) => r.id === result.tx.id);
  expect(listed).toEqual({
    id: result.tx.id,
    by: alice.key,
    time: 100,
    networkId: toHex(b.net),
    name: b.name,
    witnesses: b.witnesses.map((k) => toHex(k)),
    root: toHex(b.root),
  });
}

/** Replaces the `path`-th value inside a body (depth first), as devices.fuzz does. */
function replaceAt(body: CborValue, path: number, replacement: CborValue): CborValue {
  let counter = 0;
  const walk = (node: CborValue): CborValue => {
    if (counter++ === path) return replacement;
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object' && !(node instanceof Uint8Array))
      return Object.fromEntries(Object.entries(node).map(([k, x]) => [k, walk(x)]));
    return node;
  };
  return walk(body);
}

// ---- (b) geneses with refounds ------------------------------------------------------------------

type Entry = readonly [Uint8Array, bigint | number];

interface GenesisCase {
  readonly allocations: readonly Entry[];
  readonly debts: readonly Entry[];
  readonly sortAllocations: boolean;
  readonly sortDebts: boolean;
  readonly from: Uint8Array;
  readonly root: Uint8Array;
  readonly refounds: 'yes' | 'absent' | 'extra-field' | 'no-debts-field';
  readonly creditLimit: bigint;
  readonly many: 'none' | 'debts-max' | 'debts-over';
}

/** A few accounts, so that allocations and debts overlap and repeat often. */
const ACCOUNTS = Array.from({ length: 6 }, (_, i) => keyOf(`account ${i}`));
const amountArb: fc.Arbitrary<bigint | number> = fc.oneof(
  { weight: 5, arbitrary: fc.bigInt(1n, 1000n) },
  { weight: 1, arbitrary: fc.constantFrom<bigint | number>(0n, 0, 1, U64_MAX, U64_MAX - 1n) },
  { weight: 1, arbitrary: fc.bigInt(1n << 62n, U64_MAX) },
  { weight: 1, arbitrary: fc.constantFrom<bigint | number>(-1, -(2 ** 40)) },
);
const entryArb: fc.Arbitrary<Entry> = fc.tuple(
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...ACCOUNTS) },
    { weight: 1, arbitrary: bytesArb },
  ),
  amountArb,
);
const genesisArb: fc.Arbitrary<GenesisCase> = fc.record({
  allocations: fc.array(entryArb, { maxLength: 4 }),
  debts: fc.array(entryArb, { maxLength: 4 }),
  sortAllocations: fc.oneof(
    { weight: 6, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  sortDebts: fc.oneof(
    { weight: 6, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  from: bytesArb,
  root: bytesArb,
  refounds: fc.oneof(
    { weight: 8, arbitrary: fc.constant('yes' as const) },
    { weight: 1, arbitrary: fc.constantFrom('absent', 'extra-field', 'no-debts-field') },
  ),
  creditLimit: fc.oneof(fc.constant(0n), fc.bigInt(0n, 1000n), fc.constant(U64_MAX)),
  many: fc.oneof(
    { weight: 20, arbitrary: fc.constant('none' as const) },
    { weight: 1, arbitrary: fc.constantFrom('debts-max', 'debts-over') },
  ),
});

const MAX_DEBT_KEYS = manyKeys(MAX_ALLOCATIONS + 1, 'debtor');

/** Sorted by key and unique, as the schema wants; the first of a repeated key stays. */
function canonicalEntries(list: readonly Entry[]): Entry[] {
  const byKey = new Map<string, Entry>();
  for (const entry of list) if (!byKey.has(toHex(entry[0]))) byKey.set(toHex(entry[0]), entry);
  return [...byKey.values()].sort(([a], [b]) => compareBytes(a, b));
}

function genesisInput(c: GenesisCase) {
  const allocations = c.sortAllocations ? canonicalEntries(c.allocations) : [...c.allocations];
  let debts = c.sortDebts ? canonicalEntries(c.debts) : [...c.debts];
  if (c.many !== 'none') {
    const n = c.many === 'debts-max' ? MAX_ALLOCATIONS : MAX_ALLOCATIONS + 1;
    debts = MAX_DEBT_KEYS.slice(0, n).map((k) => [k, 1n] as const);
  }
  const refounds: Record<string, CborValue> = {
    from: c.from,
    root: c.root,
    debts: debts.map(([k, n]) => [k, n]),
  };
  if (c.refounds === 'extra-field') refounds.supply = 0;
  if (c.refounds === 'no-debts-field') delete refounds.debts;
  const body: Record<string, CborValue> = {
    name: 'refounded',
    witnesses: [keyOf('witness')],
    allocations: allocations.map(([k, n]) => [k, n]),
    params: { creditLimit: c.creditLimit },
  };
  if (c.refounds !== 'absent') body.refounds = refounds;
  return { body, allocations, debts };
}

/** The genesis rule of shared/tx/genesis.ts, written out without valibot. */
function validGenesis(c: GenesisCase, allocations: readonly Entry[], debts: readonly Entry[]) {
  const amountOk = (n: bigint | number) => BigInt(n) > 0n && BigInt(n) <= U64_MAX;
  const listOk = (list: readonly Entry[]) =>
    list.length <= MAX_ALLOCATIONS &&
    list.every(([k, n]) => k.length === 32 && amountOk(n)) &&
    list.every(([k], i) => i === 0 || compareBytes((list[i - 1] as Entry)[0], k) < 0);
  if (!listOk(allocations)) return false;
  if (allocations.reduce((sum, [, n]) => sum + BigInt(n), 0n) > U64_MAX) return false;
  if (c.refounds === 'absent') return true;
  if (c.refounds !== 'yes') return false;
  if (c.from.length !== 32 || c.root.length !== 32 || !listOk(debts)) return false;
  const allocated = new Set(allocations.map(([k]) => toHex(k)));
  return debts.every(([k]) => !allocated.has(toHex(k)));
}

async function startGenesis(c: GenesisCase): Promise<void> {
  seen.geneses++;
  const { body, allocations, debts } = genesisInput(c);
  const bytes = signTx(
    founder.secret,
    { net: null, seq: 0, prev: null, deps: [], type: 'genesis', body, time: 0 },
    nativeSigner,
  );
  const expected = validGenesis(c, allocations, debts);
  const result = await admitTx(bytes, registry, verifier);
  if (!result.ok) {
    seen.genesesRefused++;
    expectRefusal(result.rejection, 'genesis');
    if (/both an allocation and a debt/.test(result.rejection.message)) seen.overlapRefused++;
    expect(expected, `refused: ${result.rejection.message}`).toBe(false);
    return;
  }
  expect(expected, 'admitted against the rule').toBe(true);
  const started = Ledger.fromGenesis(result.tx, registry);
  expect(started.ok).toBe(true);
  if (!started.ok) return;
  seen.genesesStarted++;
  const ledger = started.ledger;
  const carried = c.refounds === 'yes' ? debts : [];
  if (carried.length > 0) seen.genesesWithDebts++;
  const total = (list: readonly Entry[]) => list.reduce((sum, [, n]) => sum + BigInt(n), 0n);
  expect(ledger.supply).toBe(total(allocations) - total(carried));
  if (ledger.supply < 0n) seen.negativeSupply++;
  for (const [key, n] of allocations)
    expect(ledger.account(toHex(key) as KeyHex).balance).toBe(BigInt(n));
  for (const [key, n] of carried)
    expect(ledger.account(toHex(key) as KeyHex).balance).toBe(-BigInt(n));
  expect(ledger.accounts().length).toBe(allocations.length + carried.length);
  expect(ledger.audit()).toEqual({ ok: true });
  expect(() => ledger.stateRoot()).not.toThrow();
}

// ---- (c) the planner ------------------------------------------------------------------------------

type PlanAction =
  | { kind: 'pay'; from: number; to: number; amount: bigint }
  | { kind: 'vote' }
  | { kind: 'double'; from: number; to: [number, number]; amount: bigint };

const planActionArb: fc.Arbitrary<PlanAction> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      from: fc.nat(3),
      to: fc.nat(3),
      amount: fc.bigInt(1n, 150n),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('vote' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('double' as const),
      from: fc.nat(3),
      to: fc.tuple(fc.nat(3), fc.nat(3)),
      amount: fc.bigInt(1n, 100n),
    }),
  },
);

const planCaseArb = fc.record({
  allocations: fc.array(fc.bigInt(0n, 300n), { minLength: 4, maxLength: 4 }),
  creditLimit: fc.oneof(fc.constant(0n), fc.bigInt(1n, 200n)),
  actions: fc.array(planActionArb, { maxLength: 20 }),
  witnesses: fc.subarray([0, 1, 2, 3], { minLength: 1 }),
});

type PlanCase = typeof planCaseArb extends fc.Arbitrary<infer T> ? T : never;

const oldWitness = identity('rffuzz old witness');

async function planCase(c: PlanCase): Promise<void> {
  seen.plans++;
  const old = await newLedger({
    founder,
    witnesses: [oldWitness],
    allocations: members
      .map((m, i) => [m, c.allocations[i] as bigint] as const)
      .filter(([, n]) => n > 0n),
    creditLimit: c.creditLimit,
  });
  const vote = async () => {
    const composed = composeVote(old, oldWitness.key, 1);
    if (composed?.ok) old.insert(await signed(oldWitness, composed.tx));
  };
  for (const action of c.actions) {
    if (action.kind === 'vote') await vote();
    else if (action.kind === 'pay') {
      const from = members[action.from] as TestIdentity;
      const to = members[action.to] as TestIdentity;
      const composed = composeTransfer(old, {
        from: from.key,
        to: to.key,
        amount: action.amount,
        time: 1,
      });
      if (composed.ok) old.insert(await signed(from, composed.tx));
    } else {
      // The same position signed twice, to two payees: a double spend that freezes the author.
      // Both are composed before either is in, so they take the same seq.
      const from = members[action.from] as TestIdentity;
      const both = action.to.map((t) =>
        composeTransfer(old, {
          from: from.key,
          to: (members[t] as TestIdentity).key,
          amount: action.amount + BigInt(t),
          time: 1,
        }),
      );
      for (const composed of both) if (composed.ok) old.insert(await signed(from, composed.tx));
      if (old.isFrozen(from.key)) seen.plansWithFork++;
    }
  }
  expect(old.audit()).toEqual({ ok: true });
  const witnesses = c.witnesses.map((i) => (members[i] as TestIdentity).key);
  const planned = planRefound(old, { name: ' Again ', witnesses });
  expect(planned.ok).toBe(true);
  if (!planned.ok) return;
  const { plan } = planned;
  const carried = carriedBalances(old);
  expect(plan.carried).toEqual(carried);
  expect(plan.root).toBe(old.stateRoot());
  expect(plan.input.refounds?.from).toBe(old.networkId);
  expect(plan.input.name).toBe('Again');
  // Without devices or escrow, what an identity carries is its balance in the old ledger.
  const held = old
    .accounts()
    .map((key) => [key, old.account(key).balance] as const)
    .filter(([, n]) => n !== 0n);
  expect(carried).toEqual(held);
  if ((plan.input.refounds?.debts.length ?? 0) > 0) seen.plansWithDebts++;
  const genesis = await signed(members[0] as TestIdentity, {
    net: null,
    seq: 0,
    prev: null,
    deps: [],
    type: 'genesis',
    body: genesisBody(plan.input),
    time: 0,
  });
  const started = Ledger.fromGenesis(genesis, registry);
  expect(started.ok).toBe(true);
  if (!started.ok) return;
  const next = started.ledger;
  expect(next.supply).toBe(old.supply);
  expect(next.audit()).toEqual({ ok: true });
  for (const [key, amount] of carried) expect(next.account(key).balance).toBe(amount);
  expect(next.accounts()).toEqual(carried.map(([key]) => key));
  expect([...next.witnesses]).toEqual([...witnesses].sort());
  expect(next.creditLimit).toBe(old.creditLimit);
}

describe('fuzz: re-founding', () => {
  it('admits an announcement exactly when its schema does; it moves no money and is listed', async () => {
    await fuzz(
      'refound announcements',
      fc.asyncProperty(announcementArb, ({ body }) =>
        watchdog.run('a network-refound body', () => announce(body)),
      ),
      1311,
      1_000,
    );
  });

  it('takes an announcement with one field replaced only when it still passes the schema', async () => {
    await fuzz(
      'refound replaced fields',
      fc.asyncProperty(fc.nat(), fc.nat(12), scalar, (pick, path, replacement) =>
        watchdog.run('a network-refound body with a field replaced', () => {
          const original = corpus[pick % corpus.length] as VerifiedTx;
          return announce(replaceAt(original.body as CborValue, path, replacement));
        }),
      ),
      1312,
      500,
    );
  });

  it('never admits a mutated announcement, and never throws', async () => {
    await fuzz(
      'refound mutations',
      fc.asyncProperty(
        fc.nat(),
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        (pick, mutations) =>
          watchdog.run('a mutated network-refound', async () => {
            const original = corpus[pick % corpus.length] as VerifiedTx;
            let bytes = original.bytes;
            for (const m of mutations) bytes = mutate(bytes, m);
            const result = await admitTx(bytes, registry, verifier);
            if (!result.ok) {
              seen.mutationsRefused++;
              expectRefusal(result.rejection, REFOUND_TYPE);
              return;
            }
            expect(bytesEqual(bytes, original.bytes)).toBe(true);
            expect(target.insert(result.tx).status).toBe('duplicate');
          }),
      ),
      1313,
      1_000,
    );
    expect(target.audit()).toEqual({ ok: true });
  });

  it('starts a ledger from a genesis with refounds exactly when the rule allows, with allocations minus debts', async () => {
    await fuzz(
      'refound geneses',
      fc.asyncProperty(genesisArb, (c) =>
        watchdog.run('a genesis with refounds', () => startGenesis(c)),
      ),
      1314,
      1_000,
    );
  });

  it('plans a genesis that carries every balance over, on random small ledgers', async () => {
    await fuzz(
      'refound plans',
      fc.asyncProperty(planCaseArb, (c) => watchdog.run('a re-founding plan', () => planCase(c))),
      1315,
      150,
    );
  });

  it('regression: an unknown body key of 5,000 characters came back in the refusal (fixed: keys are cut short and hidden characters shown as ?)', async () => {
    // Found while writing this target: describeIssues (shared/tx/schema.ts) quotes a key it
    // does not know as it came, so the "sentence" of a refusal is as long as the key and carries
    // its bidi and control characters (here U+202E and NUL) into logs and screens. Any type's
    // body does the same; this target keeps its extra keys short so the rest still runs.
    const position = nextPosition(target, alice.key);
    if ('code' in position) throw new Error(position.message);
    const valid = corpus[0]?.body as Record<string, CborValue>;
    const body = { ...valid, [`${'k'.repeat(5_000)}\u202e\u0000`]: 1 };
    const bytes = signTx(
      alice.secret,
      { net: target.networkId, ...position, deps: [], type: REFOUND_TYPE, body, time: 100 },
      nativeSigner,
    );
    const result = await admitTx(bytes, registry, verifier);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.rejection.message.length).toBeLessThanOrEqual(400);
      expect(result.rejection.message).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    }
  });

  const total = runs(1_000) + runs(500) + runs(1_000) + runs(1_000) + runs(150);
  it(`ran ${total} cases, and saw what it means to`, () => {
    expect(watchdog.cases).toBe(total);
    expect(seen.announcementsAdmitted).toBeGreaterThan(runs(1_500) / 10);
    expect(seen.announcementsRefused).toBeGreaterThan(runs(1_500) / 10);
    expect(seen.mutationsRefused).toBeGreaterThan(runs(1_000) * 0.9);
    expect(seen.genesesStarted).toBeGreaterThan(runs(1_000) / 10);
    expect(seen.genesesWithDebts).toBeGreaterThan(runs(1_000) / 20);
    expect(seen.genesesRefused).toBeGreaterThan(runs(1_000) / 10);
    expect(seen.overlapRefused).toBeGreaterThan(0);
    expect(seen.negativeSupply).toBeGreaterThan(0);
    expect(seen.plansWithDebts).toBeGreaterThan(runs(150) / 10);
    expect(seen.plansWithFork).toBeGreaterThan(0);
    for (const code of ['malformed', 'non-canonical', 'bad-signature'])
      expect(seen.codes).toContain(code);
  });
});
