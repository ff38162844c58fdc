// Fuzzing checkpoints (docs/protocol.md §14) on the whole intake path: canonical decoding, the
// checkpoint schema, the envelope signature and the ledger's rule. Two targets:
// - byte-level mutations of real checkpoints are never admitted unless byte-identical, and
//   nothing throws; every refusal has a code and a short sentence;
// - hostile bodies signed by real keys (a number of 0, huge or wrong, `after` absent, random,
//   a transfer or a checkpoint of another number, named as a dep or not, another format, an
//   empty or oversized state, a short root, extra fields, by a witness or not) are admitted and
//   valid exactly when a model of the rule written out below says so, move no money, keep the
//   audit, and are refused otherwise with a code and a sentence. No computation of a state
//   happens on intake: whatever the body says, inserting it is quick.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual, fromHex } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import type { TxId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { stateAtCut } from '../../shared/ledger/cutState.ts';
import { CHECKPOINT_TYPE, MAX_CHECKPOINT_BYTES } from '../../shared/tx/checkpoint.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import type { Rejection } from '../../shared/tx/rejection.ts';
import { admitTx, type VerifiedTx } from '../../shared/tx/registry.ts';
import { composeCheckpoint, planCheckpoint, planParents } from '../../shared/wallet/checkpoint.ts';
import { composeVote } from '../../shared/wallet/compose.ts';
import {
  admit,
  identity,
  newLedger,
  registry,
  transfer,
  verifier,
  type TestIdentity,
} from '../helpers/network.ts';
import { nativeSigner } from '../helpers/nativeSigner.ts';
import { mutate, mutationArb } from './fixtures.ts';
import { fuzz, runs, Watchdog } from './harness.ts';

const watchdog = new Watchdog();
const HIDDEN = /[\p{Cc}\p{Cf}]/u;

const alice = identity('cpfuzz alice');
const bob = identity('cpfuzz bob');
const witnesses = ['cpfuzz w1', 'cpfuzz w2', 'cpfuzz w3', 'cpfuzz w4'].map(identity);
const [w1] = witnesses as [TestIdentity];

let base: Ledger;
/** Real checkpoints: number 1 (certified) and number 2 (not yet). */
let first: VerifiedTx;
let second: VerifiedTx;
let aTransfer: TxId;
const seen = { mutations: 0, hostile: 0, admitted: 0, valid: 0, refused: 0, codes: new Set() };

async function votesAll(ledger: Ledger): Promise<void> {
  for (let round = 0; round < 3; round++)
    for (const w of witnesses) {
      const composed = composeVote(ledger, w.key, 1, { checked: () => true });
      if (composed?.ok) ledger.insert(await admit(signTx(w.secret, composed.tx, nativeSigner)));
    }
}

async function proposeBy(ledger: Ledger, who: TestIdentity, after: Uint8Array | null) {
  const plan = planCheckpoint(ledger, who.key);
  if ('code' in plan) throw new Error(plan.message);
  const state = stateAtCut(ledger, planParents(plan), after);
  if (!state.ok) throw new Error(state.error);
  const composed = composeCheckpoint(
    ledger,
    who.key,
    plan,
    {
      root: state.root,
      size: state.bytes.length,
    },
    1,
  );
  if (!composed.ok) throw new Error(composed.rejection.message);
  const tx = await admit(signTx(who.secret, composed.tx, nativeSigner));
  expect(ledger.insert(tx).status).toBe('accepted');
  return { tx, bytes: state.bytes };
}

/** A copy of the base ledger (the same transactions in the same order). */
function copy(): Ledger {
  const started = Ledger.fromGenesis(base.genesis, registry);
  if (!started.ok) throw new Error(started.rejection.message);
  for (const id of base.validIds()) started.ledger.insert(base.get(id) as VerifiedTx);
  return started.ledger;
}

function expectRefusal(rejection: Rejection): void {
  expect(rejection.message.trim().length).toBeGreaterThan(0);
  expect(rejection.message.length).toBeLessThanOrEqual(400);
  expect(rejection.message).not.toMatch(HIDDEN);
  seen.codes.add(rejection.code);
}

beforeAll(async () => {
  watchdog.install();
  base = await newLedger({
    witnesses,
    allocations: [
      [alice, 100n],
      [bob, 100n],
    ],
  });
  for (let i = 0; i < 3; i++) {
    const { tx } = await transfer(base, alice, bob, 1n);
    aTransfer = tx.id;
    await votesAll(base);
  }
  const one = await proposeBy(base, w1, null);
  first = one.tx;
  await votesAll(base);
  expect(base.latestCertified()?.id).toBe(first.id);
  second = (await proposeBy(base, witnesses[1] as TestIdentity, one.bytes)).tx;
});

afterAll(() => watchdog.uninstall());

interface Hostile {
  readonly by: 'witness' | 'member';
  /** 'match': one above the number of what `after` names (1 when absent). */
  readonly n: number | 'match';
  readonly after: 'absent' | 'first' | 'second' | 'transfer' | 'random';
  readonly listed: boolean;
  readonly format: number;
  readonly size: number;
  readonly rootLength: number;
  readonly extra: boolean;
}

// Weighted towards the valid shape, so that each way out is taken often.
const hostileArb: fc.Arbitrary<Hostile> = fc.record({
  by: fc.constantFrom('witness' as const, 'witness' as const, 'member' as const),
  n: fc.oneof(
    { weight: 6, arbitrary: fc.constant('match' as const) },
    { weight: 4, arbitrary: fc.constantFrom(0, 1, 2, 3) },
    { weight: 1, arbitrary: fc.nat() },
    { weight: 1, arbitrary: fc.constant(Number.MAX_SAFE_INTEGER) },
  ),
  after: fc.constantFrom<Hostile['after']>('absent', 'first', 'second', 'transfer', 'random'),
  listed: fc.constantFrom(true, true, false),
  format: fc.constantFrom(1, 1, 1, 1, 0, 2),
  size: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(1, 1000, MAX_CHECKPOINT_BYTES) },
    { weight: 1, arbitrary: fc.constantFrom(0, MAX_CHECKPOINT_BYTES + 1) },
    { weight: 1, arbitrary: fc.nat() },
  ),
  rootLength: fc.constantFrom(32, 32, 32, 32, 31, 0, 33),
  extra: fc.constantFrom(false, false, false, true),
});

/** The rule of §14.2, written out without the ledger: admitted and valid, or not. */
function model(
  h: Hostile & { readonly n: number },
  afterId: TxId | null,
): { admitted: boolean; valid: boolean } {
  const schemaOk =
    h.n >= 1 &&
    h.format === 1 &&
    h.size >= 1 &&
    h.size <= MAX_CHECKPOINT_BYTES &&
    h.rootLength === 32 &&
    !h.extra;
  if (!schemaOk) return { admitted: false, valid: false };
  if (h.by !== 'witness') return { admitted: true, valid: false };
  if (afterId === null) return { admitted: true, valid: h.n === 1 };
  const earlier = afterId === first.id ? 1 : afterId === second.id ? 2 : null;
  return { admitted: true, valid: h.listed && earlier !== null && earlier === h.n - 1 };
}

async function runHostile(h: Hostile): Promise<void> {
  seen.hostile++;
  const ledger = copy();
  const author = h.by === 'witness' ? (witnesses[2] as TestIdentity) : alice;
  const head = ledger.head(author.key);
  const afterId: TxId | null =
    h.after === 'absent'
      ? null
      : h.after === 'first'
        ? first.id
        : h.after === 'second'
          ? second.id
          : h.after === 'transfer'
            ? aTransfer
            : ('ab'.repeat(32) as TxId);
  const n = h.n !== 'match' ? h.n : h.after === 'absent' ? 1 : h.after === 'second' ? 3 : 2;
  const body: Record<string, CborValue> = {
    n,
    format: h.format,
    root: new Uint8Array(h.rootLength).fill(7),
    size: h.size,
  };
  if (afterId !== null) body.after = fromHex(afterId);
  if (h.extra) body.note = 'extra';
  const known = afterId !== null && ledger.has(afterId);
  const deps = h.listed && known ? [afterId] : [];
  const bytes = signTx(
    author.secret,
    {
      net: ledger.networkId,
      seq: head ? head.seq + 1 : 0,
      prev: head?.id ?? null,
      deps,
      type: CHECKPOINT_TYPE,
      body,
      time: 1,
    },
    nativeSigner,
  );
  // The envelope refuses a dep that repeats the prev (the transfer is alice's own head).
  const repeatsPrev = deps.includes(head?.id as TxId);
  const modelled = model({ ...h, n, listed: h.listed && known }, afterId);
  const expected = repeatsPrev ? { admitted: false, valid: false } : modelled;
  const admitted = await admitTx(bytes, registry, verifier);
  expect(admitted.ok).toBe(expected.admitted);
  if (!admitted.ok) {
    seen.refused++;
    return expectRefusal(admitted.rejection);
  }
  seen.admitted++;
  const before = ledger.accounts().map((key) => [key, ledger.account(key).balance]);
  const outcome = ledger.insert(admitted.tx);
  expect(outcome.status === 'accepted').toBe(expected.valid);
  if (outcome.status === 'rejected') expectRefusal(outcome.rejection);
  if (outcome.status === 'accepted') {
    seen.valid++;
    expect(ledger.checkpoint(admitted.tx.id)).toMatchObject({ n, after: afterId });
  }
  expect(ledger.accounts().map((key) => [key, ledger.account(key).balance])).toEqual(before);
  expect(ledger.audit()).toEqual({ ok: true });
}

describe('checkpoints under fuzzing', () => {
  it('a mutated checkpoint is never admitted unless byte-identical', async () => {
    await fuzz(
      'a mutated checkpoint',
      fc.asyncProperty(fc.constantFrom(first, second), mutationArb, (tx, m) =>
        watchdog.run('a mutated checkpoint', async () => {
          seen.mutations++;
          const bytes = mutate(tx.bytes, m);
          const admitted = await admitTx(bytes, registry, verifier);
          if (admitted.ok) expect(bytesEqual(bytes, tx.bytes)).toBe(true);
          else expectRefusal(admitted.rejection);
        }),
      ),
      0x6370_0001,
      300,
    );
  });

  it('a hostile checkpoint is admitted and valid exactly as the rule says', async () => {
    await fuzz(
      'a hostile checkpoint',
      fc.asyncProperty(hostileArb, (h) =>
        watchdog.run('a hostile checkpoint', () => runHostile(h)),
      ),
      0x6370_0002,
      300,
    );
    // Not vacuous: each way out was taken.
    expect(seen.valid).toBeGreaterThan(runs(300) / 50);
    expect(seen.admitted - seen.valid).toBeGreaterThan(runs(300) / 20);
    expect(seen.refused).toBeGreaterThan(runs(300) / 20);
    expect([...seen.codes]).toEqual(
      expect.arrayContaining(['not-witness', 'invalid-body', 'malformed']),
    );
  });
});
