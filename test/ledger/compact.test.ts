// The retention rules of a compact state (shared/ledger/compact.ts), each by a history where
// dropping what the rule keeps would make the restored ledger decide differently from the full
// one. The seeded property (compact.properties.test.ts) covers random histories; these cover
// the cases random histories rarely reach.
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import type { TxId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { encodeCanonical } from '../../shared/codec/cbor.ts';
import { latestProfile, profileIndexCodec } from '../../shared/identity/profile.ts';
import { COMPACTABLE } from '../../shared/ledger/compact.ts';
import { newWorld, runSchedule } from './indexWorld.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { composeVote } from '../../shared/wallet/compose.ts';
import {
  finalizeAll,
  identity,
  newLedger,
  rawTransfer,
  registry,
  sign,
  transfer,
  vote,
  type TestIdentity,
} from '../helpers/network.ts';

const alice = identity('alice');
const bob = identity('bob');
const [w1, w2, w3, w4] = [identity('w1'), identity('w2'), identity('w3'), identity('w4')];
const witnesses = [w1, w2, w3, w4] as const;

async function network(): Promise<Ledger> {
  return newLedger({
    witnesses: [...witnesses],
    allocations: [
      [alice, 1000n],
      [bob, 1000n],
    ],
  });
}

/** The ledger restored from a compact state of `ledger`, and how many entries it dropped. */
function compacted(ledger: Ledger): { restored: Ledger; dropped: number } {
  const result = ledger.compact();
  if (!result.ok) throw new Error(result.error);
  const started = Ledger.fromCompact(ledger.genesis, registry, result.state);
  if (!started.ok) throw new Error(started.rejection.message);
  return {
    restored: started.ledger,
    dropped: ledger.validIds().length - result.state.entries.length,
  };
}

/** A vote by `witness` naming exactly `heads`, on its own chain's head in `ledger`. */
async function voteFor(
  ledger: Ledger,
  witness: TestIdentity,
  heads: readonly VerifiedTx[],
): Promise<VerifiedTx> {
  const head = ledger.head(witness.key);
  return sign(witness, {
    net: ledger.networkId,
    seq: head ? head.seq + 1 : 0,
    prev: head?.id ?? null,
    deps: heads.map((h) => h.id),
    type: 'vote',
    body: { heads: heads.map((h) => [fromHex(h.author), h.seq, fromHex(h.id)]) },
    time: 1,
  });
}

/** Inserts into both ledgers and says what each did. */
function both(full: Ledger, restored: Ledger, tx: VerifiedTx): [string, string] {
  return [full.insert(tx).status, restored.insert(tx).status];
}

describe('compacting a ledger', () => {
  it('drops final history and keeps what later rules read', async () => {
    const ledger = await network();
    for (let i = 0; i < 10; i++) {
      await transfer(ledger, alice, bob, 1n);
      await finalizeAll(ledger, [...witnesses]);
    }
    const { restored, dropped } = compacted(ledger);
    expect(dropped).toBeGreaterThan(30);
    for (const key of ledger.accounts()) expect(restored.account(key)).toEqual(ledger.account(key));
    expect(restored.audit()).toEqual({ ok: true });
    // A payment after the cut claims bob's credits and becomes final on both.
    const { tx } = await transfer(restored, bob, alice, 5n);
    expect(ledger.insert(tx).status).toBe('accepted');
    for (const w of witnesses) {
      const v = await vote(restored, w);
      if (v) expect(ledger.insert(v).status).toBe('accepted');
    }
    expect(restored.isFinal(tx.id)).toBe(true);
    expect(restored.account(bob.key)).toEqual(ledger.account(bob.key));
  });

  it("keeps a dropped head's place that a witness's latest vote names (it skipped an author)", async () => {
    const ledger = await network();
    await transfer(ledger, alice, bob, 1n);
    await finalizeAll(ledger, [...witnesses]);
    // w1 stops voting on alice; the others finalize five more of her payments.
    for (let i = 0; i < 5; i++) {
      await transfer(ledger, alice, bob, 1n);
      await finalizeAll(ledger, [w2, w3, w4]);
    }
    // bob claims what she paid him, so her payments are dropped, the one w1 voted for too.
    await transfer(ledger, bob, alice, 1n);
    await finalizeAll(ledger, [w2, w3, w4]);
    const { restored } = compacted(ledger);
    expect(
      restored.has(
        ledger
          .validIds()
          .find((id) => ledger.get(id)?.author === alice.key && ledger.get(id)?.seq === 0)!,
      ),
    ).toBe(false);
    const { tx } = await transfer(ledger, alice, bob, 1n);
    expect(restored.insert(tx).status).toBe('accepted');
    // w1's vote now names her new head, which extends the one it last voted for (dropped).
    const composed = composeVote(restored, w1.key, 1);
    if (!composed?.ok) throw new Error('w1 has nothing to vote for');
    expect(both(ledger, restored, await sign(w1, composed.tx))).toEqual(['accepted', 'accepted']);
  });

  it("still refuses a witness's vote that contradicts its latest vote from before the cut", async () => {
    const ledger = await network();
    const { tx: first } = await transfer(ledger, alice, bob, 1n);
    await finalizeAll(ledger, [...witnesses]);
    // alice's second payment gets w1's vote only; w1 then votes on bob, so that vote is not
    // w1's head nor its latest vote.
    const { tx: second } = await transfer(ledger, alice, bob, 1n);
    expect(ledger.insert(await voteFor(ledger, w1, [second])).status).toBe('accepted');
    const { tx: paid } = await transfer(ledger, bob, alice, 1n);
    expect(ledger.insert(await voteFor(ledger, w1, [paid])).status).toBe('accepted');
    const { restored } = compacted(ledger);
    // alice forks at her second payment's seq, on her final first one (kept: her final head).
    const fork = await sign(alice, rawTransfer(ledger, { seq: 1, prev: first.id }, bob, 2n));
    expect(both(ledger, restored, fork)).toEqual(['accepted', 'accepted']);
    const contradiction = await voteFor(ledger, w1, [fork]);
    expect(both(ledger, restored, contradiction)).toEqual(['rejected', 'rejected']);
    expect(ledger.rejectionOf(contradiction.id)?.code).toBe('conflicting-vote');
    expect(restored.rejectionOf(contradiction.id)?.code).toBe('conflicting-vote');
  });

  it("keeps a witness's last payment that a witness has not voted on yet", async () => {
    const ledger = await newLedger({
      witnesses: [...witnesses],
      allocations: [
        [alice, 1000n],
        [w1, 100n],
      ],
    });
    const { tx: paid } = await transfer(ledger, w1, alice, 7n);
    await finalizeAll(ledger, [w1, w2, w3]); // final without w4
    for (let i = 0; i < 3; i++) {
      await transfer(ledger, alice, w1, 1n);
      await finalizeAll(ledger, [w1, w2, w3]);
    }
    const { restored } = compacted(ledger);
    expect(restored.votableHeads(w4.key)).toEqual(ledger.votableHeads(w4.key));
    expect(restored.votableHeads(w4.key).map((h) => h.id)).toContain(paid.id);
    const composed = composeVote(restored, w4.key, 1);
    if (!composed?.ok) throw new Error('w4 has nothing to vote for');
    expect(both(ledger, restored, await sign(w4, composed.tx))).toEqual(['accepted', 'accepted']);
  });

  it('drops a credit once claimed with a final payment: citing it again waits for history', async () => {
    const ledger = await network();
    const { tx: credit } = await transfer(ledger, bob, alice, 50n);
    await finalizeAll(ledger, [...witnesses]);
    const { tx: claim } = await transfer(ledger, alice, bob, 1n); // claims the 50
    expect(claim.deps).toContain(credit.id);
    await transfer(ledger, bob, alice, 1n); // the credit is no longer bob's head
    await finalizeAll(ledger, [...witnesses]);
    const { restored } = compacted(ledger);
    expect(restored.has(credit.id)).toBe(false);
    // Citing the claimed credit again claims nothing on the full ledger, and waits here.
    const head = ledger.head(alice.key)!;
    const again = await sign(
      alice,
      rawTransfer(ledger, { seq: head.seq + 1, prev: head.id }, bob, 1n, [credit.id]),
    );
    expect(both(ledger, restored, again)).toEqual(['accepted', 'waiting']);
    expect(restored.status(again.id)).toEqual({ state: 'waiting', missing: [credit.id] });
  });

  it('keeps a credit until it is claimed, with who claimed it', async () => {
    const ledger = await network();
    const { tx: credit } = await transfer(ledger, bob, alice, 50n);
    await finalizeAll(ledger, [...witnesses]);
    const { restored } = compacted(ledger);
    expect(restored.claimableCredits(alice.key)).toEqual(ledger.claimableCredits(alice.key));
    expect(restored.claimableCredits(alice.key).map((c) => c.id)).toEqual([credit.id]);
    const { tx: claim } = await transfer(restored, alice, bob, 1n);
    expect(ledger.insert(claim).status).toBe('accepted');
    expect(restored.claimableCredits(alice.key)).toEqual([]);
    expect(restored.account(alice.key)).toEqual(ledger.account(alice.key));
  });

  it('refuses with a sentence what it cannot compact yet', async () => {
    const ledger = await network();
    const missing = '00'.repeat(32) as TxId;
    await sign(alice, rawTransfer(ledger, { seq: 0, prev: null }, bob, 1n, [missing])).then((tx) =>
      ledger.insert(tx),
    );
    expect(ledger.compact()).toEqual({
      ok: false,
      error: 'a ledger is compacted only when nothing waits and no witness set changed',
    });
  });

  it('refuses a type whose rules read more of the past, naming it', async () => {
    const world = await newWorld();
    await runSchedule(world, []);
    const result = world.market.ledger.compact();
    if (result.ok) throw new Error('a ledger with DNEC transactions was compacted');
    const named =
      /^this ledger holds a "([a-z-]+)" transaction, and compacting those is not built yet$/.exec(
        result.error,
      );
    expect(named).not.toBeNull();
    expect(COMPACTABLE.has(named?.[1] ?? 'transfer')).toBe(false);
  });

  it('keeps profiles whole and rebuilds their index, from memory and from bytes', async () => {
    const ledger = await network();
    const profile = async (name: string) => {
      const head = ledger.head(alice.key);
      const tx = await sign(alice, {
        net: ledger.networkId,
        seq: head ? head.seq + 1 : 0,
        prev: head?.id ?? null,
        deps: [],
        type: 'profile',
        body: { name },
        time: 1,
      });
      expect(ledger.insert(tx).status).toBe('accepted');
      return tx;
    };
    await profile('Alice');
    for (let i = 0; i < 3; i++) {
      await transfer(ledger, alice, bob, 1n);
      await finalizeAll(ledger, [...witnesses]);
    }
    await profile('Alice B.');
    await transfer(ledger, bob, alice, 1n);
    await finalizeAll(ledger, [...witnesses]);
    const { restored } = compacted(ledger);
    const bytes = ledger.compactBytes();
    if (!bytes.ok) throw new Error(bytes.error);
    const fromBytes = Ledger.fromCompactBytes(ledger.genesis, registry, bytes.bytes, 1 << 24);
    if (!fromBytes.ok) throw new Error(fromBytes.error);
    for (const copy of [restored, fromBytes.ledger]) {
      expect(latestProfile(copy, alice.key)?.body.name).toBe('Alice B.');
      expect(
        encodeCanonical(profileIndexCodec.snapshot(copy.indexes.index('profile', () => undefined))),
      ).toEqual(
        encodeCanonical(
          profileIndexCodec.snapshot(ledger.indexes.index('profile', () => undefined)),
        ),
      );
    }
    // A profile after the cut replaces the name on both.
    const head = ledger.head(alice.key)!;
    const later = await sign(alice, {
      net: ledger.networkId,
      seq: head.seq + 1,
      prev: head.id,
      deps: [],
      type: 'profile',
      body: { name: 'Alice C.' },
      time: 1,
    });
    expect(both(ledger, restored, later)).toEqual(['accepted', 'accepted']);
    expect(latestProfile(restored, alice.key)?.body.name).toBe('Alice C.');
  });
});
