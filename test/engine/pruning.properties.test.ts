// Seeded property of pruning (docs/protocol.md §14.12): over random histories of payments among
// members, with two certified checkpoints at random places and the log in random order, a
// prune at either checkpoint followed by a start from the pruned log gives every account the
// same as the whole ledger, and each member's history (the app's history view) the same as
// before, all of it final where it was. Failing seeds become named regressions below.
import { afterAll, describe, expect, it } from 'vitest';
import { createIntake } from '../../engine/intake.ts';
import { loadBase, saveBase, startFromBase } from '../../engine/fastForward.ts';
import { replayLog } from '../../engine/logReplay.ts';
import { Persister } from '../../engine/persister.ts';
import { ownPast, Pruner } from '../../engine/pruning.ts';
import { nodeVerify } from '../../node/platform/nodeVerify.ts';
import { historyOf } from '../../renderer/runtime/views.ts';
import type { TxId } from '../../shared/ids.ts';
import { stateAtCut } from '../../shared/ledger/cutState.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { MemoryLogStore } from '../../shared/storage/memoryStore.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { composeCheckpoint, planCheckpoint, planParents } from '../../shared/wallet/checkpoint.ts';
import { composeVote } from '../../shared/wallet/compose.ts';
import { mulberry32 } from '../helpers/mulberry32.ts';
import {
  genesisOf,
  identity,
  registry,
  sign,
  transfer,
  type TestIdentity,
} from '../helpers/network.ts';

const verify = nodeVerify();
afterAll(() => verify.close());

const members = ['pp a', 'pp b', 'pp c'].map(identity);
const witnesses = ['pp w1', 'pp w2', 'pp w3', 'pp w4'].map(identity);

interface History {
  genesis: VerifiedTx;
  full: Ledger;
  states: Map<TxId, Uint8Array>;
  checkpoints: TxId[];
}

async function history(seed: number): Promise<History> {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const genesis = await genesisOf({
    witnesses,
    allocations: members.map((m) => [m, 1000n] as const),
  });
  const started = Ledger.fromGenesis(genesis, registry);
  if (!started.ok) throw new Error(started.rejection.message);
  const full = started.ledger;
  const states = new Map<TxId, Uint8Array>();
  const checkpoints: TxId[] = [];
  const settle = async () => {
    for (let round = 0; round < 3; round++)
      for (const w of witnesses) {
        const composed = composeVote(full, w.key, 1, { checked: () => true });
        if (composed?.ok) full.insert(await sign(w, composed.tx));
      }
  };
  const checkpoint = async (who: TestIdentity) => {
    const plan = planCheckpoint(full, who.key);
    if ('code' in plan) throw new Error(plan.message);
    const after = plan.after ? states.get(plan.after) : null;
    const state = stateAtCut(full, planParents(plan), after);
    if (!state.ok) throw new Error(state.error);
    const size = state.bytes.length;
    const composed = composeCheckpoint(full, who.key, plan, { root: state.root, size }, 1);
    if (!composed.ok) throw new Error(composed.rejection.message);
    const tx = await sign(who, composed.tx);
    expect(full.insert(tx).status).toBe('accepted');
    states.set(tx.id, state.bytes);
    checkpoints.push(tx.id);
    await settle();
  };
  const pay = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const from = pick(members);
      const to = pick(members.filter((m) => m !== from));
      await transfer(full, from, to, BigInt(1 + Math.floor(random() * 20)));
      if (random() < 0.7) await settle();
    }
    await settle();
  };
  await pay(3 + Math.floor(random() * 6));
  await checkpoint(witnesses[0] as TestIdentity);
  await pay(2 + Math.floor(random() * 6));
  await checkpoint(witnesses[1] as TestIdentity);
  await pay(Math.floor(random() * 5));
  return { genesis, full, states, checkpoints };
}

/** Prunes a log of `h` at checkpoint `at` for `me`, then starts from it: the ledger it gives. */
async function pruneAndStart(h: History, at: TxId, me: TestIdentity, seed: number) {
  const random = mulberry32(seed ^ 0x5eed);
  const store = new MemoryLogStore();
  const txs = h.full.validIds().map((id) => h.full.get(id) as VerifiedTx);
  // The genesis first, the rest in any order a log may hold (parents may come later).
  const rest = txs.slice(1).sort(() => random() - 0.5);
  await store.append([h.genesis.bytes, ...rest.map((tx) => tx.bytes)]);
  const persister = new Persister(store, { onFailure: () => undefined });
  const warnings: string[] = [];
  const pruner = new Pruner({
    store,
    persister,
    minRecords: 1,
    ledger: () => h.full,
    mine: () => h.full.chainsOf(me.key),
    mayPrune: () => true,
    pause: () => Promise.resolve(),
    keepBase: (base) => saveBase(store, base),
    moved: () => Promise.resolve(),
    onPruned: () => undefined,
    warn: (message) => void warnings.push(message),
  });
  await pruner.certified(at, h.states.get(at) as Uint8Array);
  expect(warnings).toEqual([]);
  const base = await loadBase(store, verify.verifier);
  if (typeof base === 'string' || !base) throw new Error(`no base: ${base}`);
  const replayed = await replayLog(
    store,
    h.genesis.id,
    createIntake(verify),
    undefined,
    startFromBase(base),
  );
  const ledger = replayed.ledger as Ledger;
  ledger.keepPast(ownPast(ledger, me.key, replayed.past));
  return { ledger, records: store.data.records.length, before: txs.length };
}

async function check(seed: number): Promise<void> {
  const h = await history(seed);
  const random = mulberry32(seed);
  const at = h.checkpoints[Math.floor(random() * h.checkpoints.length)] as TxId;
  const me = members[seed % members.length] as TestIdentity;
  const { ledger, records, before } = await pruneAndStart(h, at, me, seed);
  expect(records).toBeLessThan(before);
  expect(ledger.counts().waiting).toBe(0);
  for (const who of [...members, ...witnesses])
    expect(ledger.account(who.key), `seed ${seed}: account`).toEqual(h.full.account(who.key));
  const was = historyOf(h.full, me.key).map((e) => [e.id, e.amount, e.direction, e.status]);
  const is = historyOf(ledger, me.key).map((e) => [e.id, e.amount, e.direction, e.status]);
  expect(is, `seed ${seed}: history`).toEqual(was);
}

describe('pruning, over random histories (seeded)', () => {
  it('a start from the pruned log gives the same accounts and the same history', async () => {
    for (let seed = 1; seed <= 12; seed++) await check(seed);
  }, 60_000);
});
