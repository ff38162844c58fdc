// Pruning the log at a certified checkpoint (engine/pruning.ts, docs/protocol.md §14.12): on a
// network with two certified checkpoints, the log drops what the second one's cut covers except
// the genesis and the user's own records; the next start builds on the saved base and reads the
// tail only, with the same accounts, and gives the user's own records back as `past`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntake } from '../../engine/intake.ts';
import { loadBase, saveBase, startFromBase, type Base } from '../../engine/fastForward.ts';
import { readCheckpoint, replayLog } from '../../engine/logReplay.ts';
import { Persister } from '../../engine/persister.ts';
import { ownPast, Pruner, type PrunerHost } from '../../engine/pruning.ts';
import { isOwnTransfer } from '../../shared/ledger/past.ts';
import { historyOf } from '../../renderer/runtime/views.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import { CutCover } from '../../shared/ledger/cutCover.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { MemoryLogStore } from '../../shared/storage/memoryStore.ts';
import { decodeTx, type VerifiedTx } from '../../shared/tx/registry.ts';
import {
  alice,
  bob,
  certifiedNetwork,
  witnesses,
  type CertifiedNetwork,
} from '../helpers/certifiedLedger.ts';
import { registry } from '../helpers/network.ts';
import { nodeVerify } from '../../node/platform/nodeVerify.ts';

const verify = nodeVerify();
afterAll(() => verify.close());
let net: CertifiedNetwork;
beforeAll(async () => {
  net = await certifiedNetwork();
});

const all = (): VerifiedTx[] => net.full.validIds().map((id) => net.full.get(id) as VerifiedTx);
const idsOf = (records: readonly Uint8Array[]): TxId[] =>
  records.map((bytes) => {
    const decoded = decodeTx(bytes, registry);
    if (!decoded.ok) throw new Error(decoded.rejection.message);
    return decoded.tx.id;
  });
const coverOf = (id: TxId): CutCover => {
  const state = net.states.get(id);
  if (!state) throw new Error('no state');
  const restored = Ledger.fromCompactBytes(net.genesis, registry, state, 1 << 30);
  if (!restored.ok) throw new Error(restored.error);
  return CutCover.ofLedger(restored.ledger);
};

interface Setup {
  store: MemoryLogStore;
  persister: Persister;
  pruner: Pruner;
  pruned: Array<{ n: number; dropped: number; kept: number }>;
  warnings: string[];
  moved: Array<string | undefined>;
}

function setup(mine: readonly KeyHex[], host: Partial<PrunerHost> = {}): Setup {
  const store = new MemoryLogStore();
  const persister = new Persister(store, { onFailure: () => undefined });
  const pruned: Setup['pruned'] = [];
  const warnings: string[] = [];
  const moved: Setup['moved'] = [];
  const pruner = new Pruner({
    store,
    persister,
    minRecords: 1,
    ledger: () => net.full,
    mine: () => mine,
    mayPrune: () => true,
    pause: () => Promise.resolve(),
    keepBase: (base: Base) => saveBase(store, base),
    moved: (instance) => Promise.resolve(void moved.push(instance)),
    onPruned: (n, dropped, kept) => void pruned.push({ n, dropped, kept }),
    warn: (message) => void warnings.push(message),
    ...host,
  });
  return { store, persister, pruner, pruned, warnings, moved };
}

describe('pruning the log at a certified checkpoint', () => {
  it('keeps the genesis, what follows the cut and the user’s own records; the next start reads only those', async () => {
    const mine = net.full.chainsOf(alice.key);
    const { store, pruner, pruned, warnings, moved } = setup(mine);
    const txs = all();
    await store.append(txs.map((tx) => tx.bytes));
    await pruner.certified(net.second, net.states.get(net.second) as Uint8Array);
    expect(warnings).toEqual([]);

    const keptIds = idsOf(store.data.records);
    const cover = coverOf(net.second);
    const dropped = txs.filter((tx) => !keptIds.includes(tx.id));
    expect(pruned).toEqual([{ n: 2, dropped: dropped.length, kept: keptIds.length }]);
    expect(moved).toHaveLength(1);
    expect(dropped.length).toBeGreaterThan(0);
    expect(keptIds[0]).toBe(net.genesis.id);
    const mineSet = new Set(mine);
    for (const tx of dropped) {
      // Only what the cut covers goes, and no payment from or to the user.
      expect(cover.covers(net.full, tx.id)).toBe(true);
      expect(isOwnTransfer(tx, mineSet)).toBe(false);
    }
    // Alice's other own records below the cut (none here but transfers) and everyone's votes go.
    expect(dropped.some((tx) => tx.type === 'vote')).toBe(true);
    for (const tx of txs.filter((t) => !cover.covers(net.full, t.id)))
      expect(keptIds).toContain(tx.id);
    expect(await readCheckpoint(store)).toBe(keptIds.length);

    // The next start: the base, then the log, which holds no history the base does not need.
    const base = await loadBase(store, verify.verifier);
    if (typeof base === 'string' || !base) throw new Error(`no base: ${base}`);
    expect(base.n).toBe(2);
    const replayed = await replayLog(
      store,
      net.genesis.id,
      createIntake(verify),
      undefined,
      startFromBase(base),
    );
    expect(replayed.recovered).toBeUndefined();
    for (const who of [alice, bob, ...witnesses])
      expect(replayed.ledger?.account(who.key)).toEqual(net.full.account(who.key));
    expect(replayed.ledger?.counts().waiting).toBe(0);
    // The user's records below the cut come back apart, every one of them.
    const pastIds = replayed.past.map((tx) => tx.id);
    const ownBelow = txs.filter(
      (tx) =>
        tx.id !== net.genesis.id && cover.covers(net.full, tx.id) && isOwnTransfer(tx, mineSet),
    );
    expect(ownBelow.length).toBeGreaterThan(0);
    // (The state keeps the tip of each chain, so the ledger holds those itself.)
    const ledger = replayed.ledger as Ledger;
    expect(pastIds.filter((id) => ledger.has(id))).toEqual([]);
    const shown = ownBelow.filter((tx) => pastIds.includes(tx.id) || ledger.has(tx.id));
    expect(shown).toEqual(ownBelow);
    const valid = new Set(ledger.validIds());
    for (const tx of ownBelow.filter((t) => ledger.has(t.id))) expect(valid.has(tx.id)).toBe(true);
    expect(pastIds.length).toBeGreaterThan(ownBelow.length / 2);

    // What the history screens show is the same as before the prune, all of it final.
    ledger.keepPast(ownPast(ledger, alice.key, replayed.past));
    const before = historyOf(net.full, alice.key);
    const after = historyOf(ledger, alice.key);
    expect(after.map((e) => e.id)).toEqual(before.map((e) => e.id));
    expect(after.map((e) => e.status)).toEqual(before.map((e) => e.status));
    expect(after.filter((e) => e.kind === 'transfer').length).toBeGreaterThan(10);
  });

  it('adds nothing to the old log while it works: what is saved meanwhile lands in the new one', async () => {
    const { store, persister, pruner } = setup([bob.key]);
    const txs = all();
    const last = txs.at(-1) as VerifiedTx;
    await store.append(txs.slice(0, -1).map((tx) => tx.bytes));
    const pruning = pruner.certified(net.second, net.states.get(net.second) as Uint8Array);
    persister.add(last);
    await pruning;
    await persister.flushed();
    expect(idsOf(store.data.records).at(-1)).toBe(last.id);
    expect(persister.saved).toBe(store.data.records.length);
  });

  it('prunes once per checkpoint, never on a state other than the certified one, and not below its minimum', async () => {
    const txs = all();
    const wrong = setup([alice.key]);
    await wrong.store.append(txs.map((tx) => tx.bytes));
    // The first checkpoint's state offered as the second's: not the root the quorum signed.
    await wrong.pruner.certified(net.second, net.states.get(net.first) as Uint8Array);
    expect(wrong.store.data.records).toHaveLength(txs.length);
    expect(await loadBase(wrong.store, verify.verifier)).toBeNull();

    const small = setup([alice.key], { minRecords: txs.length });
    await small.store.append(txs.map((tx) => tx.bytes));
    await small.pruner.certified(net.second, net.states.get(net.second) as Uint8Array);
    expect(small.store.data.records).toHaveLength(txs.length);
    expect(small.pruned).toEqual([]);

    const twice = setup([alice.key]);
    await twice.store.append(txs.map((tx) => tx.bytes));
    await twice.pruner.certified(net.second, net.states.get(net.second) as Uint8Array);
    await twice.pruner.certified(net.first, net.states.get(net.first) as Uint8Array);
    await twice.pruner.certified(net.second, net.states.get(net.second) as Uint8Array);
    expect(twice.pruned).toHaveLength(1);
  });

  it('leaves the log whole, and says so, when the store cannot rewrite it', async () => {
    const { store, pruner, warnings, pruned } = setup([alice.key]);
    const txs = all();
    await store.append(txs.map((tx) => tx.bytes));
    store.rewrite = () => Promise.reject(new Error('disk full'));
    await pruner.certified(net.second, net.states.get(net.second) as Uint8Array);
    expect(store.data.records).toHaveLength(txs.length);
    expect(pruned).toEqual([]);
    expect(warnings).toEqual([
      'The log could not be pruned at checkpoint 2 (disk full): it keeps everything, and the next checkpoint tries again.',
    ]);
  });
});
