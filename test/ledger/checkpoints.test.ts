// Checkpoints (shared/ledger/checkpoints.ts, cut.ts, cutState.ts; docs/protocol.md §14): who may
// propose one, how they are numbered, what a witness covers, and the state at a cut.
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import type { TxId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { checkpointState, stateAtCut, statesMatch } from '../../shared/ledger/cutState.ts';
import { CHECKPOINT_FORMAT, CHECKPOINT_TYPE } from '../../shared/tx/checkpoint.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import {
  composeCheckpoint,
  planCheckpoint,
  planParents,
  type CheckpointPlan,
} from '../../shared/wallet/checkpoint.ts';
import { composeVote } from '../../shared/wallet/compose.ts';
import {
  identity,
  newLedger,
  rawTransfer,
  registry,
  sign,
  transfer,
  type TestIdentity,
} from '../helpers/network.ts';

const alice = identity('alice');
const bob = identity('bob');
const [w1, w2, w3, w4] = [identity('w1'), identity('w2'), identity('w3'), identity('w4')];
const witnesses = [w1, w2, w3, w4] as const;
const noPause = () => Promise.resolve();
/** The states of the checkpoints proposed here, which the next ones build on. */
const states = new Map<TxId, Uint8Array>();

async function network(): Promise<Ledger> {
  return newLedger({
    witnesses: [...witnesses],
    allocations: [
      [alice, 1000n],
      [bob, 1000n],
    ],
  });
}

/** Every witness votes, covering checkpoints only when `checked` says so, until nothing is new. */
async function settle(ledger: Ledger, checked: (id: TxId) => boolean = () => true): Promise<void> {
  for (let round = 0; round < 4; round++)
    for (const w of witnesses) {
      const composed = composeVote(ledger, w.key, 1, { checked });
      if (composed === null) continue;
      if (!composed.ok) throw new Error(composed.rejection.message);
      ledger.insert(await sign(w, composed.tx));
    }
}

/** A checkpoint by `witness` at its plan, stating `root` (the right one unless given). */
async function propose(
  ledger: Ledger,
  witness: TestIdentity,
  change: (plan: CheckpointPlan) => CheckpointPlan = (p) => p,
  root?: string,
): Promise<VerifiedTx> {
  const planned = planCheckpoint(ledger, witness.key);
  if ('code' in planned) throw new Error(planned.message);
  const plan = change(planned);
  const base = plan.after ? (states.get(plan.after) ?? null) : null;
  const state = stateAtCut(ledger, planParents(plan), base);
  if (!state.ok) throw new Error(state.error);
  const composed = composeCheckpoint(
    ledger,
    witness.key,
    plan,
    { root: root ?? state.root, size: state.bytes.length },
    1,
  );
  if (!composed.ok) throw new Error(composed.rejection.message);
  const tx = await sign(witness, composed.tx);
  states.set(tx.id, state.bytes);
  return tx;
}

/** w1's checkpoint of `plan`, unsigned, stating `root` and `size`. */
function composedTx(ledger: Ledger, plan: CheckpointPlan, root: string, size: number) {
  const composed = composeCheckpoint(ledger, w1.key, plan, { root, size }, 1);
  if (!composed.ok) throw new Error(composed.rejection.message);
  return composed.tx;
}

async function payments(ledger: Ledger, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await transfer(ledger, i % 2 ? bob : alice, i % 2 ? alice : bob, 1n);
    await settle(ledger);
  }
}

describe('the checkpoint rules', () => {
  it('a witness proposes checkpoint 1, and a quorum certifies it', async () => {
    const ledger = await network();
    await payments(ledger, 4);
    const first = await propose(ledger, w1);
    expect(ledger.insert(first).status).toBe('accepted');
    expect(ledger.checkpoints()).toMatchObject([{ id: first.id, n: 1, certified: false }]);
    expect(ledger.latestCertified()).toBeUndefined();
    await settle(ledger);
    expect(ledger.latestCertified()?.id).toBe(first.id);
    // The next one follows it.
    await payments(ledger, 2);
    const second = await propose(ledger, w2);
    expect(ledger.insert(second).status).toBe('accepted');
    expect(ledger.checkpoint(second.id)).toMatchObject({ n: 2, after: first.id });
    await settle(ledger);
    expect(ledger.latestCertified()?.id).toBe(second.id);
  });

  it('refuses a checkpoint by a non-witness, a wrong number, or one that skips its parent', async () => {
    const ledger = await network();
    await payments(ledger, 2);
    const planned = planCheckpoint(ledger, w1.key);
    if ('code' in planned) throw new Error(planned.message);
    // Alice is no witness.
    const byAlice = await sign(alice, {
      ...composedTx(ledger, planned, '00'.repeat(32), 10),
      seq: ledger.head(alice.key)!.seq + 1,
      prev: ledger.head(alice.key)!.id,
    });
    expect(ledger.insert(byAlice)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'not-witness' },
    });
    // Checkpoint 2 with nothing it follows.
    const orphan = await propose(ledger, w1, (p) => ({ ...p, n: 2 }));
    expect(ledger.insert(orphan)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'invalid-body', message: 'checkpoint 2 must name checkpoint 1' },
    });
    const first = await propose(ledger, w1);
    ledger.insert(first);
    await settle(ledger);
    // Number 3 after 1, and an "after" that is not among the parents.
    const skip = await propose(ledger, w2, (p) => ({ ...p, n: 3 }));
    expect(ledger.insert(skip).status === 'rejected' && ledger.rejectionOf(skip.id)?.message).toBe(
      'checkpoint 3 cannot follow checkpoint 1',
    );
    const unlinked = await propose(ledger, w3, (p) => ({
      ...p,
      deps: p.deps.filter((d) => d !== first.id),
    }));
    expect(ledger.rejectionOf(unlinked.id)).toBeUndefined();
    expect(ledger.insert(unlinked)).toMatchObject({
      status: 'rejected',
      rejection: { message: 'the checkpoint it follows must be one of its parents' },
    });
    // A transfer named as the checkpoint it follows.
    const transferId = ledger.head(alice.key)!.id;
    const notOne = await propose(ledger, w3, (p) => ({
      ...p,
      after: transferId,
      deps: [...p.deps.filter((d) => d !== first.id), transferId],
    }));
    expect(ledger.insert(notOne)).toMatchObject({
      status: 'rejected',
      rejection: { message: 'it follows a transaction that is no checkpoint' },
    });
  });

  it('is not composed on a chain that moved on while its state was computed', async () => {
    const ledger = await network();
    await payments(ledger, 2);
    const planned = planCheckpoint(ledger, w1.key);
    if ('code' in planned) throw new Error(planned.message);
    await transfer(ledger, alice, bob, 1n);
    await settle(ledger);
    expect(
      composeCheckpoint(ledger, w1.key, planned, { root: '22'.repeat(32), size: 5 }, 1),
    ).toEqual({
      ok: false,
      rejection: {
        code: 'bad-sequence',
        message: 'the chain moved on while the state was computed',
      },
    });
  });

  it('refuses a body with another format or an empty state', async () => {
    const ledger = await network();
    const planned = planCheckpoint(ledger, w1.key);
    if ('code' in planned) throw new Error(planned.message);
    const tx = composedTx(ledger, planned, '11'.repeat(32), 1);
    const body = tx.body as Record<string, unknown>;
    await expect(sign(w1, { ...tx, body: { ...body, format: 2 } })).rejects.toThrow(/format is 1/);
    await expect(sign(w1, { ...tx, body: { ...body, size: 0 } })).rejects.toThrow(/never empty/);
    expect(CHECKPOINT_FORMAT).toBe(1);
  });
});

describe('what an honest witness covers', () => {
  it('never a checkpoint it has not checked, nor anything above it; the transaction below, yes', async () => {
    const ledger = await network();
    await payments(ledger, 2);
    // What is just below the checkpoint on w1's chain (its latest vote) stays coverable.
    const checkpoint = await propose(ledger, w1, (p) => p, 'ab'.repeat(32));
    ledger.insert(checkpoint);
    const below = checkpoint.prev;
    const heads = (checked: boolean) =>
      ledger
        .votableHeads(
          w2.key,
          () => false,
          () => checked,
        )
        .filter((h) => h.author === w1.key);
    expect(heads(true)).toEqual([{ author: w1.key, seq: checkpoint.seq, id: checkpoint.id }]);
    const unchecked = heads(false);
    if (below === null) expect(unchecked).toEqual([]);
    else expect(unchecked).toEqual([{ author: w1.key, seq: checkpoint.seq - 1, id: below }]);
    // Witnesses that find the root wrong never certify it.
    await settle(ledger, (id) => id !== checkpoint.id);
    expect(ledger.isFinal(checkpoint.id)).toBe(false);
    expect(ledger.latestCertified()).toBeUndefined();
  });

  it('checks a proposed root against the state it computes', async () => {
    const ledger = await network();
    await payments(ledger, 3);
    const right = await propose(ledger, w1);
    const wrong = await propose(ledger, w2, (p) => p, 'cd'.repeat(32));
    ledger.insert(right);
    ledger.insert(wrong);
    const check = async (id: TxId) => {
      const checkpoint = ledger.checkpoint(id)!;
      return statesMatch(
        checkpoint,
        await checkpointState(ledger, checkpoint, () => undefined, noPause),
      );
    };
    expect(await check(right.id)).toBe(true);
    expect(await check(wrong.id)).toBe(false);
  });
});

describe('the state at a cut', () => {
  it('is the same whatever else a peer holds and in whatever order it came', async () => {
    const ledger = await network();
    await payments(ledger, 6);
    const planned = planCheckpoint(ledger, w1.key);
    if ('code' in planned) throw new Error(planned.message);
    const parents = planParents(planned);
    const here = stateAtCut(ledger, parents);
    // More history on one side, and the same transactions in another order on the other.
    const all: VerifiedTx[] = ledger.validIds().map((id) => ledger.get(id) as VerifiedTx);
    await payments(ledger, 3);
    const reversed = Ledger.fromGenesis(ledger.genesis, registry);
    if (!reversed.ok) throw new Error('genesis');
    for (const tx of [...all].reverse()) reversed.ledger.insert(tx);
    const there = stateAtCut(reversed.ledger, parents);
    expect(here.ok && there.ok).toBe(true);
    if (!here.ok || !there.ok) return;
    expect(there.root).toBe(here.root);
    expect(stateAtCut(ledger, parents)).toEqual(here);
    // A cut with more in it states another root.
    const later = planCheckpoint(ledger, w1.key);
    if ('code' in later) throw new Error(later.message);
    const after = stateAtCut(ledger, planParents(later));
    expect(after.ok && after.root).not.toBe(here.root);
  });

  it('is refused by a peer that no longer holds the history before it', async () => {
    const ledger = await network();
    await payments(ledger, 6);
    const compacted = ledger.compact();
    if (!compacted.ok) throw new Error(compacted.error);
    const restored = Ledger.fromCompact(ledger.genesis, registry, compacted.state);
    if (!restored.ok) throw new Error('restore');
    const planned = planCheckpoint(restored.ledger, w1.key);
    if ('code' in planned) throw new Error(planned.message);
    const state = stateAtCut(restored.ledger, planParents(planned));
    expect(state).toMatchObject({ ok: false });
    expect(!state.ok && state.error).toMatch(/does not hold transaction .* of the cut/);
  });

  it('keeps every checkpoint through compaction, so the next one is checked as before', async () => {
    const ledger = await network();
    await payments(ledger, 2);
    const first = await propose(ledger, w1);
    ledger.insert(first);
    await settle(ledger);
    await payments(ledger, 4);
    const bytes = ledger.compactBytes();
    if (!bytes.ok) throw new Error(bytes.error);
    const restored = Ledger.fromCompactBytes(ledger.genesis, registry, bytes.bytes, 1 << 24);
    if (!restored.ok) throw new Error(restored.error);
    expect(restored.ledger.latestCertified()?.id).toBe(first.id);
    expect(restored.ledger.checkpoint(first.id)).toEqual(ledger.checkpoint(first.id));
    // The next checkpoint, composed on the full ledger, is valid on the restored one too.
    const second = await propose(ledger, w2);
    expect(restored.ledger.insert(second).status).toBe('accepted');
    expect(ledger.insert(second).status).toBe('accepted');
    expect(second.type).toBe(CHECKPOINT_TYPE);
    expect(fromHex(ledger.checkpoint(second.id)!.root)).toHaveLength(32);
  });

  it('does not count twice a transaction a snapshot dropped when it is sent again', async () => {
    const ledger = await network();
    await payments(ledger, 6);
    const compacted = ledger.compact();
    if (!compacted.ok) throw new Error(compacted.error);
    const started = Ledger.fromCompact(ledger.genesis, registry, compacted.state);
    if (!started.ok) throw new Error('restore');
    const restored = started.ledger;
    const all = ledger.validIds().map((id) => ledger.get(id) as VerifiedTx);
    const outcomes = all.map((tx) => restored.insert(tx).status);
    expect(outcomes).toContain('pruned');
    expect(outcomes.filter((o) => o !== 'pruned' && o !== 'duplicate')).toEqual([]);
    expect(restored.counts().waiting).toBe(0);
    for (const who of [alice, bob])
      expect(restored.account(who.key)).toEqual(ledger.account(who.key));
    expect(restored.audit()).toEqual({ ok: true });
  });

  it("is the same whichever of a forked author's two first transactions came first", async () => {
    const ledger = await network();
    const one = await sign(alice, rawTransfer(ledger, { seq: 0, prev: null }, bob, 1n));
    const two = await sign(alice, rawTransfer(ledger, { seq: 0, prev: null }, bob, 2n));
    const rootOf = async (order: VerifiedTx[]) => {
      const l = await network();
      for (const tx of order) l.insert(tx);
      const bytes = l.compactBytes();
      if (!bytes.ok) throw new Error(bytes.error);
      return bytes.root;
    };
    expect(await rootOf([one, two])).toBe(await rootOf([two, one]));
  });
});
