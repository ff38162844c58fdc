// The cover of a checkpoint's cut (shared/ledger/cutCover.ts) and the epochs a peer opens from it
// (engine/epochs.ts, docs/protocol.md §14.11): the cover answers "is it in the cut" exactly as
// the cut itself does, extending it walks only what the later cut adds, and a peer started from
// a certified state covers what it started with and nothing that came after.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TxId } from '../../shared/ids.ts';
import { CutCover } from '../../shared/ledger/cutCover.ts';
import { fromCertified } from '../../shared/ledger/fastForward.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { parentsOf } from '../../shared/ledger/validate.ts';
import { MAX_SNAPSHOT_STATE_BYTES } from '../../shared/replication/snapshotDoc.ts';
import { nextEpoch, planEpochs } from '../../engine/epochPlan.ts';
import { certifiedNetwork, type CertifiedNetwork } from '../helpers/certifiedLedger.ts';
import { registry } from '../helpers/network.ts';

let net: CertifiedNetwork;
beforeAll(async () => {
  net = await certifiedNetwork();
});

const parentsOfId = (ledger: Ledger, id: TxId): TxId[] => {
  const tx = ledger.get(id);
  if (!tx) throw new Error('not held');
  return parentsOf(tx);
};

/**
 * The ids of the cut of checkpoint `id`, from the cut itself, with the genesis: it lies in every
 * cut (cutOf leaves it out only because every ledger starts from it).
 */
function cutIds(ledger: Ledger, id: TxId): Set<TxId> {
  const cut = ledger.cutOf(parentsOfId(ledger, id));
  if (!cut.ok) throw new Error(cut.error);
  return new Set([ledger.genesis.id, ...cut.txs.map((tx) => tx.id)]);
}

function extended(cover: CutCover, ledger: Ledger, id: TxId): CutCover {
  const next = cover.extend(ledger, parentsOfId(ledger, id));
  if (typeof next === 'string') throw new Error(next);
  return next;
}

describe('the cover of a cut', () => {
  it('covers exactly the transactions of the cut', () => {
    const { full, first, second } = net;
    const one = extended(CutCover.none, full, first);
    const two = extended(one, full, second);
    const direct = extended(CutCover.none, full, second);
    const [inFirst, inSecond] = [cutIds(full, first), cutIds(full, second)];
    expect(inFirst.size).toBeGreaterThan(10);
    expect(inSecond.size).toBeGreaterThan(inFirst.size);
    for (const id of full.validIds()) {
      expect(CutCover.none.covers(full, id)).toBe(id === full.genesis.id);
      expect(one.covers(full, id)).toBe(inFirst.has(id));
      expect(two.covers(full, id)).toBe(inSecond.has(id));
      expect(direct.covers(full, id)).toBe(inSecond.has(id));
    }
    expect(two.covers(full, full.genesis.id)).toBe(true);
    // The checkpoint itself comes after its cut: it is in the tail of its epoch.
    expect(two.covers(full, second)).toBe(false);
  });

  it('covers nothing it does not hold, and nothing rejected', () => {
    const { full, first } = net;
    const one = extended(CutCover.none, full, first);
    expect(one.covers(full, '00'.repeat(32) as TxId)).toBe(false);
  });

  it('refuses, in a sentence, a cut whose history is not held', () => {
    const { genesis, full, first, second, states, certificate } = net;
    const based = fromCertified(
      genesis,
      registry,
      certificate(second),
      states.get(second) as Uint8Array,
      {
        maxBytes: MAX_SNAPSHOT_STATE_BYTES,
      },
    );
    if (!based.ok) throw new Error(based.error);
    // From nothing, the cut of the first checkpoint walks into what the state dropped.
    const refused = CutCover.none.extend(based.ledger, parentsOfId(full, first));
    expect(refused).toMatch(/does not hold transaction .* of the cut/);
  });

  it('of a certified state: its cut, and nothing later in the ledger built on it', () => {
    const { genesis, full, second, states, certificate } = net;
    const state = states.get(second) as Uint8Array;
    const based = fromCertified(genesis, registry, certificate(second), state, {
      maxBytes: MAX_SNAPSHOT_STATE_BYTES,
    });
    if (!based.ok) throw new Error(based.error);
    // The ledger of the state alone: the certificate's checkpoint and votes come after the cut.
    const alone = Ledger.fromCompactBytes(genesis, registry, state, MAX_SNAPSHOT_STATE_BYTES);
    if (!alone.ok) throw new Error(alone.error);
    const cover = CutCover.ofLedger(alone.ledger);
    const inSecond = cutIds(full, second);
    for (const id of based.ledger.validIds())
      expect(cover.covers(based.ledger, id)).toBe(inSecond.has(id));
    // What came after the cut, given to the based ledger, is not covered.
    const after = full.validIds().filter((id) => !inSecond.has(id) && id !== genesis.id);
    expect(after.length).toBeGreaterThan(0);
    for (const id of after) based.ledger.insert(full.get(id) as never);
    for (const id of after)
      if (based.ledger.status(id).state !== 'unknown')
        expect(cover.covers(based.ledger, id)).toBe(false);
  });
});

describe('the epochs a peer opens', () => {
  it('a full peer: the latest certified checkpoint and the one before, none before any', () => {
    const { full, fresh } = net;
    expect(planEpochs(fresh(), null).plan.map((p) => p.n)).toEqual([0]);
    const planned = planEpochs(full, null);
    expect(planned.problem).toBeUndefined();
    expect(planned.plan.map((p) => p.n)).toEqual([1, 2]);
    // Already at the latest: nothing to move to.
    expect(nextEpoch(full, planned.plan[1]!)).toBeNull();
    // From epoch 0, the next is the latest certified, with the cover of its cut.
    const next = nextEpoch(full, { n: 0, cover: CutCover.none });
    if (next === null || typeof next === 'string') throw new Error(String(next));
    expect(next.n).toBe(2);
    const inSecond = cutIds(full, net.second);
    for (const id of full.validIds()) expect(next.cover.covers(full, id)).toBe(inSecond.has(id));
  });
});
