// Fuzzing changes of the witnesses (docs/protocol.md §13) on the whole intake path: canonical
// decoding, the witness-set schema, the envelope and the proposer's inner signature, then the
// ledger's proposal and vote rules and its epochs. Three targets:
// - byte-level mutations of real proposals and of the votes that back them (and hand them over)
//   are never admitted unless byte-identical, and nothing throws;
// - hostile proposals signed by real keys (wrong epoch, bad witness lists, `by` not a witness, a
//   bad inner signature, seq > 0, the founder or a witness as author, huge numbers, extra fields)
//   are admitted exactly when the rule of §13.2 says so, refused otherwise with a code and a
//   sentence; a valid one is enacted exactly when a quorum of the open set backs it;
// - random interleavings of proposals, backing votes and hand-made conflicting votes (a witness
//   backing two changes for one epoch, in one vote, on top of its chain, or on a fork of it)
//   give the same state root and the same witness sets in any arrival order.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual, fromHex } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import type { Config } from '../../shared/ledger/epochs.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { quorumOf } from '../../shared/ledger/votes.ts';
import { signTx, type UnsignedTx } from '../../shared/tx/envelope.ts';
import { MAX_WITNESSES } from '../../shared/tx/genesis.ts';
import type { Rejection, RejectionCode } from '../../shared/tx/rejection.ts';
import { admitTx, type VerifiedTx } from '../../shared/tx/registry.ts';
import { WITNESS_SET_TYPE, witnessSetMessage } from '../../shared/tx/witnessSet.ts';
import { composeTransfer, composeVote } from '../../shared/wallet/compose.ts';
import {
  admit,
  genesisOf,
  identity,
  registry,
  verifier,
  type TestIdentity,
} from '../helpers/network.ts';
import { nativeSigner } from '../helpers/nativeSigner.ts';
import { mutate, mutationArb } from './fixtures.ts';
import { fuzz, runs, Watchdog } from './harness.ts';

const watchdog = new Watchdog();

/** Every code of shared/tx/rejection.ts: a refusal names one of them. */
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

/**
 * Whether the interleaving target lets one one-time key sign two proposals. Off: that case is
 * the known bug of the regression below (a vote's validity then depends on a proposal outside
 * its causal past). Turn it on once that regression passes.
 */
const REUSE_ONE_TIME_KEYS = true;

const founder = identity('wsfuzz founder');
const alice = identity('wsfuzz alice');
const bob = identity('wsfuzz bob');
/** w0..w3 are the genesis witnesses; w4 and w5 are outside until a change adds them. */
const pool = Array.from({ length: 6 }, (_, i) => identity(`wsfuzz witness${i}`));
const at = (i: number) => pool[i] as TestIdentity;
const once1 = identity('wsfuzz one-time 1');
const once2 = identity('wsfuzz one-time 2');
const known = new Map<KeyHex, TestIdentity>(
  [founder, alice, bob, once1, once2, ...pool].map((who) => [who.key, who]),
);

let genesis: VerifiedTx;
/** Epoch 1 open ({w0, w1, w2, w4}), nothing proposed for epoch 2. */
let baseline: VerifiedTx[] = [];
/** The baseline, then a proposal for epoch 2 backed by two of the four. */
let history: VerifiedTx[] = [];
/** The proposals and the votes of `history`: what the mutation target starts from. */
let corpus: VerifiedTx[] = [];
let mutationTarget: Ledger;
/** P1, the change that opened epoch 1 (its author is once1). */
let p1: VerifiedTx;
/** The genesis witness set (epoch 0). */
let genesisSet: Config;

const seen = {
  mutations: 0,
  mutationsRefused: 0,
  hostile: 0,
  hostileRefusedAtAdmission: 0,
  hostileRejected: 0,
  hostileWaiting: 0,
  hostileAccepted: 0,
  hostileEnacted: 0,
  hostileBackedShort: 0,
  codes: new Set<RejectionCode>(),
  interleavings: 0,
  conflictingVotes: 0,
  forkedWitnesses: 0,
  competing: 0,
  changed: 0,
};

function fresh(): Ledger {
  const started = Ledger.fromGenesis(genesis, registry);
  if (!started.ok) throw new Error(started.rejection.message);
  return started.ledger;
}

function replay(txs: readonly VerifiedTx[]): Ledger {
  const ledger = fresh();
  for (const tx of txs) ledger.insert(tx);
  return ledger;
}

/** Signs with Node's signer (the same signatures as noble's, faster) and admits. */
const signed = (who: TestIdentity, unsigned: UnsignedTx): Promise<VerifiedTx> =>
  admit(signTx(who.secret, unsigned, nativeSigner));

/** Signs and admits; null when admission refuses it (two heads of one author, say). */
async function signedOrNull(who: TestIdentity, unsigned: UnsignedTx): Promise<VerifiedTx | null> {
  const result = await admitTx(signTx(who.secret, unsigned, nativeSigner), registry, verifier);
  if (!result.ok) expectRefusal(result.rejection);
  return result.ok ? result.tx : null;
}

/** The proposer's inner signature over exactly the fields that admission checks. */
function innerSig(
  by: TestIdentity,
  net: TxId,
  author: KeyHex,
  epoch: number,
  witnesses: readonly KeyHex[],
): Uint8Array {
  return nativeSigner(
    by.secret,
    witnessSetMessage({
      net: fromHex(net),
      author: fromHex(author),
      epoch,
      witnesses: witnesses.map((k) => fromHex(k)),
    }),
  );
}

/** A proposal as the planner would make it, but without its refusals: any set, any epoch. */
function proposal(
  ledger: Ledger,
  by: TestIdentity,
  author: TestIdentity,
  witnesses: readonly KeyHex[],
  { epoch = ledger.epochs.open.epoch + 1, deps = [ledger.epochTx] as readonly TxId[] } = {},
): Promise<VerifiedTx> {
  const sorted = [...witnesses].sort();
  return signed(author, {
    net: ledger.networkId,
    seq: 0,
    prev: null,
    deps,
    type: WITNESS_SET_TYPE,
    body: {
      epoch,
      witnesses: sorted.map((k) => fromHex(k)),
      by: fromHex(by.key),
      sig: innerSig(by, ledger.networkId, author.key, epoch, sorted),
    },
    time: 1,
  });
}

/** One honest vote by `witness`, backing the changes in `backs`; null when it has nothing to say. */
async function honestVote(
  ledger: Ledger,
  witness: TestIdentity,
  backs: readonly TxId[],
): Promise<VerifiedTx | null> {
  const composed = composeVote(ledger, witness.key, 1, { backs: (id) => backs.includes(id) });
  if (!composed?.ok) return null;
  const tx = await signed(witness, composed.tx);
  const outcome = ledger.insert(tx);
  if (outcome.status !== 'accepted')
    throw new Error(`honest vote refused: ${JSON.stringify(outcome)}`);
  return tx;
}

/** Rounds of honest votes by everyone in the pool until nobody has anything to say. */
async function settleVotes(
  ledger: Ledger,
  backs: readonly TxId[],
  out: VerifiedTx[],
  backers: ReadonlySet<KeyHex> | null = null,
): Promise<void> {
  for (let round = 0; round < 8; round++) {
    let any = false;
    for (const w of pool) {
      const vote = await honestVote(ledger, w, backers === null || backers.has(w.key) ? backs : []);
      if (vote) {
        out.push(vote);
        any = true;
      }
    }
    if (!any) return;
  }
}

async function pay(ledger: Ledger, from: TestIdentity, to: TestIdentity, amount: bigint) {
  const composed = composeTransfer(ledger, { from: from.key, to: to.key, amount, time: 1 });
  if (!composed.ok) return null;
  const tx = await signed(from, composed.tx);
  ledger.insert(tx);
  return tx;
}

function expectRefusal(rejection: Rejection): void {
  expect(CODES).toContain(rejection.code);
  expect(typeof rejection.message).toBe('string');
  expect(rejection.message.trim().length).toBeGreaterThan(0);
  expect(rejection.message.length).toBeLessThanOrEqual(400);
  seen.codes.add(rejection.code);
}

beforeAll(async () => {
  watchdog.install();
  genesis = await genesisOf({
    founder,
    witnesses: pool.slice(0, 4),
    allocations: [
      [alice, 1000n],
      [bob, 1000n],
    ],
  });
  const ledger = fresh();
  genesisSet = ledger.epochs.open;
  const out: VerifiedTx[] = [];
  const record = (tx: VerifiedTx | null) => {
    if (tx) out.push(tx);
  };
  record(await pay(ledger, alice, bob, 10n));
  await settleVotes(ledger, [], out);
  // P1: w0 proposes replacing w3 with w4; w0, w1 and w2 back it, w3 does not.
  p1 = await proposal(
    ledger,
    at(0),
    once1,
    [at(0), at(1), at(2), at(4)].map((w) => w.key),
  );
  expect(ledger.insert(p1).status).toBe('accepted');
  out.push(p1);
  await settleVotes(ledger, [p1.id], out, new Set([at(0).key, at(1).key, at(2).key]));
  expect(ledger.epochs.open.key).toBe(`1:${p1.id}`);
  record(await pay(ledger, bob, alice, 5n));
  await settleVotes(ledger, [], out);
  expect(ledger.audit()).toEqual({ ok: true });
  baseline = [...out];
  // P2: w4 proposes adding w5 for epoch 2; only w0 and w4 back it (the quorum of four is three).
  const p2 = await proposal(
    ledger,
    at(4),
    once2,
    [at(0), at(1), at(2), at(4), at(5)].map((w) => w.key),
  );
  expect(ledger.insert(p2).status).toBe('accepted');
  out.push(p2);
  await settleVotes(ledger, [p2.id], out, new Set([at(0).key, at(4).key]));
  expect(ledger.epochs.open.epoch).toBe(1);
  history = out;
  corpus = out.filter((tx) => tx.type === WITNESS_SET_TYPE || tx.type === 'vote');
  mutationTarget = replay(history);
});
afterAll(() => watchdog.uninstall());

// ---- (b) hostile proposals ------------------------------------------------------------------

type AuthorKind = 'fresh' | 'founder' | 'allocation' | 'witness' | 'former-witness' | 'used';
type EpochKind = 'next' | 'current' | 'skip' | 'zero' | 'negative' | 'huge' | 'u64' | 'text';
type ListKind = 'change' | 'current' | 'empty' | 'oversized' | 'unsorted' | 'duplicate' | 'short';
type ByKind = 'open' | 'former' | 'outsider' | 'author' | 'short';
type SigKind = 'right' | 'other-signer' | 'other-author' | 'other-epoch' | 'random' | 'short';
type DepsKind = 'epoch' | 'none' | 'old-vote' | 'missing';

interface Hostile {
  readonly author: AuthorKind;
  readonly seq: 0 | 1;
  readonly epoch: EpochKind;
  readonly list: ListKind;
  readonly pick: number;
  readonly by: ByKind;
  readonly byIndex: number;
  readonly sig: SigKind;
  readonly deps: DepsKind;
  readonly extra: CborValue | undefined;
  readonly time: number;
  /** Which of the open witnesses back it, as bits. */
  readonly backers: number;
  readonly noise: Uint8Array;
}

/** Mostly one thing wrong at a time, so that the valid case is common too. */
const often = <T>(usual: T, ...others: T[]): fc.Arbitrary<T> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(usual) },
    { weight: 1, arbitrary: fc.constantFrom(...others) },
  );

const scalar: fc.Arbitrary<CborValue> = fc.oneof(
  fc.constant(null),
  fc.integer({ min: 0, max: 1000 }),
  fc.bigInt(0n, (1n << 64n) - 1n),
  fc.string({ maxLength: 20 }),
  fc.uint8Array({ minLength: 31, maxLength: 33 }),
);

const hostileArb: fc.Arbitrary<Hostile> = fc.record({
  author: often<AuthorKind>('fresh', 'founder', 'allocation', 'witness', 'former-witness', 'used'),
  seq: often<0 | 1>(0, 1),
  epoch: often<EpochKind>('next', 'current', 'skip', 'zero', 'negative', 'huge', 'u64', 'text'),
  list: often<ListKind>(
    'change',
    'current',
    'empty',
    'oversized',
    'unsorted',
    'duplicate',
    'short',
  ),
  pick: fc.nat(),
  by: often<ByKind>('open', 'former', 'outsider', 'author', 'short'),
  byIndex: fc.nat(),
  sig: often<SigKind>('right', 'other-signer', 'other-author', 'other-epoch', 'random', 'short'),
  deps: often<DepsKind>('epoch', 'none', 'old-vote', 'missing'),
  extra: fc.oneof(
    { weight: 7, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: scalar },
  ),
  time: fc.constantFrom(1, 2 ** 53 - 1),
  backers: fc.nat(15),
  noise: fc.uint8Array({ minLength: 64, maxLength: 64 }),
});

/** A non-empty subset of the pool, sorted: a witness list that passes the schema. */
function subsetOf(pick: number): KeyHex[] {
  const bits = (pick % 63) + 1;
  return pool
    .filter((_, i) => bits & (1 << i))
    .map((w) => w.key)
    .sort();
}

const oversized = Array.from(
  { length: MAX_WITNESSES + 1 },
  (_, i) => identity(`wsfuzz many ${i}`).key,
).sort();

/** Builds the hostile proposal and says whether §13.2 makes it valid (null: it must wait). */
function hostileCase(ledger: Ledger, h: Hostile) {
  const net = ledger.networkId;
  const author =
    h.author === 'founder'
      ? founder
      : h.author === 'allocation'
        ? alice
        : h.author === 'witness'
          ? at(1)
          : h.author === 'former-witness'
            ? at(3)
            : h.author === 'used'
              ? once1
              : identity(`wsfuzz hostile ${Buffer.from(h.noise).toString('hex')}`);
  // The state the proposal's parents give it: epoch 1 through the ledger's epoch transaction,
  // the genesis state with no deps or with a vote cast before the change.
  const oldVote = baseline.find((tx) => tx.type === 'vote') as VerifiedTx;
  const missing = Buffer.from(h.noise.subarray(0, 32)).toString('hex') as TxId;
  const deps: TxId[] =
    h.deps === 'epoch'
      ? [ledger.epochTx]
      : h.deps === 'none'
        ? []
        : h.deps === 'old-vote'
          ? [oldVote.id]
          : [missing];
  const stateOpen = h.deps === 'epoch' ? ledger.epochs.open : genesisSet;
  const openKeys = stateOpen.sorted;
  const epoch: CborValue =
    h.epoch === 'next'
      ? stateOpen.epoch + 1
      : h.epoch === 'current'
        ? stateOpen.epoch
        : h.epoch === 'skip'
          ? stateOpen.epoch + 2
          : h.epoch === 'zero'
            ? 0
            : h.epoch === 'negative'
              ? -1
              : h.epoch === 'huge'
                ? Number.MAX_SAFE_INTEGER
                : h.epoch === 'u64'
                  ? (1n << 64n) - 1n
                  : '2';
  const change = subsetOf(h.pick);
  const list: readonly KeyHex[] =
    h.list === 'change'
      ? change
      : h.list === 'current'
        ? openKeys
        : h.list === 'empty'
          ? []
          : h.list === 'oversized'
            ? oversized
            : h.list === 'unsorted'
              ? change.length > 1
                ? [...change].reverse()
                : [...openKeys].reverse()
              : h.list === 'duplicate'
                ? [change[0] as KeyHex, ...change]
                : [];
  const witnesses: Uint8Array[] =
    h.list === 'short' ? [h.noise.subarray(0, 31)] : list.map((k) => fromHex(k));
  const byWho =
    h.by === 'open'
      ? (known.get(openKeys[h.byIndex % openKeys.length] as KeyHex) as TestIdentity)
      : h.by === 'former'
        ? at(3)
        : h.by === 'outsider'
          ? at(5)
          : h.by === 'author'
            ? author
            : at(0);
  const byBytes = h.by === 'short' ? h.noise.subarray(0, 31) : fromHex(byWho.key);
  const numericEpoch = typeof epoch === 'number' ? epoch : 0;
  let sig: Uint8Array;
  if (h.sig === 'random') sig = h.noise;
  else if (h.sig === 'short') sig = h.noise.subarray(0, 63);
  else {
    const signer = h.sig === 'other-signer' ? bob : byWho;
    const named = h.sig === 'other-author' ? once2.key : author.key;
    const signedEpoch =
      h.sig !== 'other-epoch'
        ? numericEpoch
        : numericEpoch === Number.MAX_SAFE_INTEGER
          ? numericEpoch - 1
          : numericEpoch + 1;
    sig = nativeSigner(
      signer.secret,
      witnessSetMessage({
        net: fromHex(net),
        author: fromHex(named),
        epoch: signedEpoch,
        witnesses,
      }),
    );
    // A signature over a number the body does not carry: the body's epoch is not a safe number.
    if (typeof epoch !== 'number') sig = h.noise;
  }
  const head = ledger.head(author.key);
  const position =
    h.seq === 0
      ? { seq: 0, prev: null }
      : head
        ? { seq: head.seq + 1, prev: head.id }
        : { seq: 1, prev: genesis.id };
  const body: Record<string, CborValue> = { epoch, witnesses, by: byBytes, sig };
  if (h.extra !== undefined) body.memo = h.extra;
  const bytes = signTx(
    author.secret,
    { net, ...position, deps, type: WITNESS_SET_TYPE, body, time: h.time },
    nativeSigner,
  );

  // The rule of §13.2, written out without the ledger's code.
  const fresh1 =
    author.key !== founder.key &&
    author.key !== alice.key &&
    author.key !== bob.key &&
    !openKeys.includes(author.key);
  const listOk = h.list === 'change';
  const valid =
    h.seq === 0 &&
    fresh1 &&
    h.epoch === 'next' &&
    listOk &&
    change.join() !== openKeys.join() &&
    h.by !== 'short' &&
    openKeys.includes(byWho.key) &&
    h.sig === 'right' &&
    h.extra === undefined;
  return { bytes, valid: h.deps === 'missing' ? null : valid, stateEpoch: stateOpen.epoch };
}

/** The balances of every account, to check that a change moves no money. */
const balances = (ledger: Ledger) =>
  ledger.accounts().map((key) => [key, ledger.account(key).balance] as const);

async function runHostile(h: Hostile): Promise<void> {
  seen.hostile++;
  const ledger = replay(baseline);
  const before = { seen: ledger.epochs.seen.key, open: ledger.epochs.open.key };
  const openBefore = ledger.epochs.open;
  const money = balances(ledger);
  const { bytes, valid, stateEpoch } = hostileCase(ledger, h);
  const admitted = await admitTx(bytes, registry, verifier);
  if (!admitted.ok) {
    seen.hostileRefusedAtAdmission++;
    expectRefusal(admitted.rejection);
    expect(valid, `refused at admission: ${admitted.rejection.message}`).not.toBe(true);
    return;
  }
  const outcome = ledger.insert(admitted.tx);
  if (outcome.status === 'waiting') {
    seen.hostileWaiting++;
    expect(valid).toBeNull();
    return;
  }
  if (outcome.status === 'rejected') {
    seen.hostileRejected++;
    expectRefusal(outcome.rejection);
    expect(valid, `rejected: ${outcome.rejection.message}`).toBe(false);
    expect({ seen: ledger.epochs.seen.key, open: ledger.epochs.open.key }).toEqual(before);
    return;
  }
  expect(outcome.status).toBe('accepted');
  expect(valid, 'accepted against the rule').toBe(true);
  seen.hostileAccepted++;
  const id = admitted.tx.id;
  expect(ledger.proposals().some((p) => p.id === id)).toBe(true);

  // The open witnesses vote; those in `backers` back it. It is enacted (and handed over) when
  // a quorum backs it, and only then: a proposal from a past epoch, or one whose author froze
  // by signing a second seq 0, gets no backing from honest witnesses.
  const backers = new Set(openBefore.sorted.filter((_, i) => h.backers & (1 << i)));
  const votes: VerifiedTx[] = [];
  await settleVotes(ledger, [id], votes, backers);
  const backable =
    stateEpoch === openBefore.epoch && h.author !== 'used' && h.author !== 'former-witness';
  const enacted = backable && backers.size >= openBefore.quorum;
  if (enacted) {
    seen.hostileEnacted++;
    expect(ledger.epochs.seen.key).toBe(`${openBefore.epoch + 1}:${id}`);
    expect(ledger.epochs.open.key).toBe(`${openBefore.epoch + 1}:${id}`);
  } else {
    if (backable && backers.size > 0) seen.hostileBackedShort++;
    expect({ seen: ledger.epochs.seen.key, open: ledger.epochs.open.key }).toEqual(before);
  }
  // Independently of the expectation above: an epoch never moves without a quorum of the open
  // set's votes naming the change.
  if (ledger.epochs.seen.key !== before.seen) {
    const named = new Set(
      votes
        .filter((v) => openBefore.witnesses.has(v.author))
        .filter((v) =>
          (v.body as { heads: [Uint8Array, number, Uint8Array][] }).heads.some(
            ([, , head]) => Buffer.from(head).toString('hex') === id,
          ),
        )
        .map((v) => v.author),
    );
    expect(named.size).toBeGreaterThanOrEqual(quorumOf(openBefore.sorted.length));
  }
  expect(balances(ledger)).toEqual(money);
  expect(ledger.audit()).toEqual({ ok: true });
  expect(() => ledger.stateRoot()).not.toThrow();
}

// ---- (c) interleavings --------------------------------------------------------------------

type Action =
  | { kind: 'propose'; by: number; pick: number; key: number; stale: boolean }
  | { kind: 'vote'; witness: number; backs: number }
  | {
      kind: 'conflict';
      witness: number;
      a: number;
      b: number;
      mode: 'both' | 'next' | 'fork';
    }
  | { kind: 'pay'; from: number; amount: bigint }
  | { kind: 'settle'; backs: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('propose' as const),
      by: fc.nat(5),
      pick: fc.nat(),
      key: fc.nat(2),
      // Now and then a proposal from the genesis state: a stale rival for epoch 1.
      stale: fc.constantFrom(false, false, false, true),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('vote' as const),
      witness: fc.nat(5),
      backs: fc.nat(255),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('conflict' as const),
      witness: fc.nat(5),
      a: fc.nat(7),
      b: fc.nat(7),
      mode: fc.constantFrom('both' as const, 'next' as const, 'fork' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      from: fc.nat(1),
      amount: fc.bigInt(1n, 300n),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('settle' as const), backs: fc.nat(255) }) },
);

/** A hand-made vote: by `witness` at `position`, naming exactly `heads`, citing `extra` too. */
function handVote(
  ledger: Ledger,
  witness: TestIdentity,
  position: { seq: number; prev: TxId | null },
  heads: readonly VerifiedTx[],
  extra: readonly TxId[],
): Promise<VerifiedTx | null> {
  const sorted = [...heads].sort((x, y) => (x.author < y.author ? -1 : 1));
  return signedOrNull(witness, {
    net: ledger.networkId,
    ...position,
    deps: [...new Set([...extra, ...sorted.map((t) => t.id)])].filter((d) => d !== position.prev),
    type: 'vote',
    body: { heads: sorted.map((t) => [fromHex(t.author), t.seq, fromHex(t.id)]) },
    time: 1,
  });
}

async function runInterleaving(actions: readonly Action[], orderSeed: number): Promise<void> {
  seen.interleavings++;
  const source = fresh();
  const signedTxs: VerifiedTx[] = [];
  const proposals: VerifiedTx[] = [];
  const record = (tx: VerifiedTx | null) => {
    if (!tx) return;
    signedTxs.push(tx);
    const outcome = source.insert(tx);
    if (outcome.status === 'rejected' && outcome.rejection.code === 'conflicting-vote')
      seen.conflictingVotes++;
  };
  const chosen = (bits: number) => proposals.filter((_, i) => bits & (1 << i)).map((p) => p.id);
  let keys = 0;
  for (const action of actions) {
    if (action.kind === 'propose') {
      const by = at(action.by);
      const list = subsetOf(action.pick);
      const author = identity(
        REUSE_ONE_TIME_KEYS ? `wsfuzz reused ${action.key}` : `wsfuzz once ${orderSeed} ${keys++}`,
      );
      const tx = await proposal(source, by, author, list, {
        deps: action.stale ? [] : [source.epochTx],
        epoch: action.stale ? 1 : source.epochs.open.epoch + 1,
      });
      proposals.push(tx);
      record(tx);
    } else if (action.kind === 'vote') {
      record(await honestVote(source, at(action.witness), chosen(action.backs)));
    } else if (action.kind === 'settle') {
      for (const w of pool) record(await honestVote(source, w, chosen(action.backs)));
    } else if (action.kind === 'pay') {
      const [from, to] = action.from === 0 ? [alice, bob] : [bob, alice];
      record(await pay(source, from, to, action.amount));
    } else {
      const witness = at(action.witness);
      const a = proposals[action.a % Math.max(1, proposals.length)];
      const rivals = proposals.filter((p) => a && p.id !== a.id && sameEpoch(p, a));
      const b = rivals[action.b % Math.max(1, rivals.length)];
      if (!a || !b) continue;
      seen.competing++;
      const head = source.head(witness.key);
      const evidence = source.epochEvidence(witness.key).deps;
      if (action.mode === 'both') {
        // One vote naming two changes for one epoch.
        const position = head ? { seq: head.seq + 1, prev: head.id } : { seq: 0, prev: null };
        record(await handVote(source, witness, position, [a, b], evidence));
      } else if (action.mode === 'next') {
        // On top of a chain that backed one change, a vote that backs the other.
        const first = head ? { seq: head.seq + 1, prev: head.id } : { seq: 0, prev: null };
        const one = await handVote(source, witness, first, [a], evidence);
        record(one);
        if (one)
          record(await handVote(source, witness, { seq: first.seq + 1, prev: one.id }, [b], []));
      } else {
        // A fork of the witness's own chain: one branch backs a, the other b.
        const prev = head ? (source.get(head.id)?.prev ?? null) : null;
        const seq = head ? head.seq : 0;
        const base = head && head.seq > 0 ? { seq, prev } : { seq: 0, prev: null };
        record(await handVote(source, witness, base, [a], evidence));
        record(await handVote(source, witness, base, [b], evidence));
        if (source.isFrozen(witness.key)) seen.forkedWitnesses++;
      }
    }
  }
  if (source.epochs.open.epoch > 0) seen.changed++;
  const first = replay(shuffled(signedTxs, orderSeed));
  const second = replay(shuffled(signedTxs, orderSeed ^ 0x5bd1e995));
  const described = (l: Ledger) => ({
    root: l.stateRoot(),
    seen: l.epochs.seen.key,
    open: l.epochs.open.key,
  });
  expect(described(first)).toEqual(described(second));
  expect(described(first)).toEqual(described(source));
  for (const l of [source, first, second]) expect(l.audit()).toEqual({ ok: true });
}

const sameEpoch = (x: VerifiedTx, y: VerifiedTx) =>
  (x.body as { epoch: number }).epoch === (y.body as { epoch: number }).epoch;

/** A permutation from a seed (mulberry32 and Fisher-Yates), so a failing order replays. */
function shuffled<T>(list: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('fuzz: changes of the witnesses', () => {
  it('never admits a mutated proposal or vote, and never throws', async () => {
    await fuzz(
      'witness-set mutations',
      fc.asyncProperty(
        fc.nat(),
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        (pick, mutations) =>
          watchdog.run('a mutated proposal or vote', async () => {
            seen.mutations++;
            const original = corpus[pick % corpus.length] as VerifiedTx;
            let bytes = original.bytes;
            for (const m of mutations) bytes = mutate(bytes, m);
            const result = await admitTx(bytes, registry, verifier);
            if (!result.ok) {
              seen.mutationsRefused++;
              expectRefusal(result.rejection);
              return;
            }
            expect(bytesEqual(bytes, original.bytes)).toBe(true);
            expect(mutationTarget.insert(result.tx).status).toBe('duplicate');
          }),
      ),
      1301,
      1_500,
    );
    expect(mutationTarget.audit()).toEqual({ ok: true });
  });

  it('admits a hostile proposal exactly when the rule does, and enacts it only with a quorum', async () => {
    await fuzz(
      'witness-set hostile bodies',
      fc.asyncProperty(hostileArb, (h) => watchdog.run('a hostile proposal', () => runHostile(h))),
      1302,
      300,
    );
  });

  it('gives the same state and witness sets in any order, conflicting votes and all', async () => {
    await fuzz(
      'witness-set interleavings',
      fc.asyncProperty(
        fc.array(actionArb, { minLength: 8, maxLength: 30 }),
        fc.integer(),
        (actions, orderSeed) =>
          watchdog.run('an interleaving of proposals and votes', () =>
            runInterleaving(actions, orderSeed),
          ),
      ),
      1303,
      60,
    );
  });

  it('regression: one one-time key signs two proposals; a vote backing the first was valid or not by arrival order (fixed: the head names its proposal)', async () => {
    // Found while writing this target (REUSE_ONE_TIME_KEYS). ProposalIndex.add overwrites
    // byAuthor, so once the second proposal B of key `reused` is in, #proposalConflict reads
    // a vote that names only A as naming A "against" B, which the vote's causal past does not
    // hold: A, V, B accepts V; A, B, V rejects it (conflicting-vote). Two peers with the same
    // transactions end with different valid sets and state roots.
    const ledger = fresh();
    const reused = identity('wsfuzz reused one-time key');
    const a = await proposal(
      ledger,
      at(0),
      reused,
      [at(0), at(1), at(2)].map((w) => w.key),
    );
    const b = await proposal(
      ledger,
      at(1),
      reused,
      [at(0), at(1), at(2), at(3), at(4)].map((w) => w.key),
    );
    expect(ledger.insert(a).status).toBe('accepted');
    const vote = await honestVote(ledger, at(1), [a.id]);
    expect(vote).not.toBeNull();
    const v = vote as VerifiedTx;
    expect(ledger.insert(b).status).toBe('accepted');
    const other = replay([a, b, v]);
    expect(other.status(v.id).state).toBe(ledger.status(v.id).state);
    expect(other.stateRoot()).toBe(ledger.stateRoot());
  });

  it(`ran ${runs(1_500) + runs(300) + runs(60)} cases, and saw what it means to`, () => {
    expect(watchdog.cases).toBe(runs(1_500) + runs(300) + runs(60));
    expect(seen.mutationsRefused).toBeGreaterThan(runs(1_500) * 0.9);
    expect(seen.hostileRefusedAtAdmission).toBeGreaterThan(0);
    expect(seen.hostileRejected).toBeGreaterThan(0);
    expect(seen.hostileAccepted).toBeGreaterThan(runs(300) / 20);
    expect(seen.hostileEnacted).toBeGreaterThan(0);
    expect(seen.hostileBackedShort).toBeGreaterThan(0);
    for (const code of [
      'malformed',
      'bad-signature',
      'bad-sequence',
      'invalid-body',
      'not-witness',
    ])
      expect(seen.codes).toContain(code);
    expect(seen.conflictingVotes).toBeGreaterThan(0);
    expect(seen.forkedWitnesses).toBeGreaterThan(0);
    expect(seen.changed).toBeGreaterThan(0);
  });
});
