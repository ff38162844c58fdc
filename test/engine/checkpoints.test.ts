// The checkpoint duty (engine/checkpoints.ts, through engine/witness.ts; docs/protocol.md §14):
// four witnesses, each with its own duty over one shared ledger, wired as engine/peer.ts wires
// them (every accepted transaction reaches Witness.accepted), with timers and the clock run by
// hand. The witness whose turn it is proposes once enough transactions came, the others check
// the state and certify it; a wrong root is never covered and is reported; when the one whose
// turn it is stays silent, the next takes over after its wait.
import { describe, expect, it, vi } from 'vitest';
import type { StateStore } from '../../shared/storage/checkpointState.ts';
import type { Compose } from '../../engine/events.ts';
import type { LogStore } from '../../shared/storage/port.ts';
import { CHECKPOINT_FALLBACK_MS } from '../../engine/timing.ts';
import { Witness } from '../../engine/witness.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { checkpointState, stateAtCut, stateAtCutInSteps } from '../../shared/ledger/cutState.ts';
import type * as CutStateModule from '../../shared/ledger/cutState.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { composeCheckpoint, planCheckpoint, planParents } from '../../shared/wallet/checkpoint.ts';
import { withEpochDeps } from '../../shared/wallet/compose.ts';
import {
  admit,
  identity,
  newLedger,
  registry,
  rawTransfer,
  sign,
  transfer,
  type TestIdentity,
} from '../helpers/network.ts';
import { proposeTx } from '../helpers/witnessSets.ts';
import {
  alice as ffAlice,
  bob as ffBob,
  certifiedNetwork,
  witnesses as ffWitnesses,
} from '../helpers/certifiedLedger.ts';
import { fromCertified } from '../../shared/ledger/fastForward.ts';
import type { TxId } from '../../shared/ids.ts';

// Passed through, and counted: how often a duty computes a state.
vi.mock('../../shared/ledger/cutState.ts', async (original) => {
  const real = await original<typeof CutStateModule>();
  return {
    ...real,
    stateAtCutInSteps: vi.fn(real.stateAtCutInSteps),
    checkpointState: vi.fn(real.checkpointState),
  };
});
/** Every state a duty computed: for its own proposal, or to check another's. */
const computed = {
  mockClear(): void {
    vi.mocked(stateAtCutInSteps).mockClear();
    vi.mocked(checkpointState).mockClear();
  },
  get count(): number {
    return (
      vi.mocked(stateAtCutInSteps).mock.calls.length + vi.mocked(checkpointState).mock.calls.length
    );
  },
};

const alice = identity('cp alice');
const bob = identity('cp bob');
const witnesses = ['cp w1', 'cp w2', 'cp w3', 'cp w4'].map(identity);
/** In the order the duty takes turns: sorted by key. */
const inTurn = [...witnesses].sort((a, b) => (a.key < b.key ? -1 : 1));

interface World {
  ledger: Ledger;
  clock: { now: number };
  warnings: Map<string, string[]>;
  /** Fires every timer due now, and ticks every duty, until nothing more happens. */
  run(): Promise<void>;
}

/** A log store's named values, in memory: what a restarted duty finds again. */
function memoryStore(): StateStore & { readonly values: Map<string, Uint8Array> } {
  const values = new Map<string, Uint8Array>();
  return {
    values,
    putMeta: (key, value) => Promise.resolve(void values.set(key, value.slice())),
    getMeta: (key) => Promise.resolve(values.get(key)?.slice()),
  };
}

async function world(
  active: readonly TestIdentity[],
  every = 6,
  existing?: {
    ledger: Ledger;
    store: StateStore;
    base?: { readonly id: TxId; readonly state: Uint8Array };
  },
  mayVote: () => boolean = () => true,
): Promise<World> {
  const ledger =
    existing?.ledger ??
    (await newLedger({
      witnesses,
      allocations: [
        [alice, 1000n],
        [bob, 1000n],
      ],
    }));
  const clock = { now: 1 };
  const due: Array<() => void> = [];
  const ticks: Array<() => void> = [];
  const warnings = new Map<string, string[]>();
  const duties = active.map((who) => {
    warnings.set(who.name, []);
    return new Witness(
      {
        clock: { now: () => clock.now },
        timers: {
          after: (_ms, callback) => {
            due.push(callback);
            return () => undefined;
          },
          every: (_ms, callback) => {
            ticks.push(callback);
            return () => undefined;
          },
        },
        signer: { key: who.key, sign: (unsigned) => signTx(who.secret, unsigned) },
        ...(existing ? { store: existing.store as LogStore } : {}),
      },
      {
        enabled: true,
        delayMs: 1,
        checkpointEvery: every,
        ledger: () => ledger,
        mayVote,
        act: async (compose: Compose) => {
          const composed = compose(ledger, who.key);
          if (composed === null) return null;
          if (!composed.ok) throw new Error(composed.rejection.message);
          const tx = await admit(signTx(who.secret, withEpochDeps(ledger, composed.tx)));
          expect(ledger.insert(tx).status).toBe('accepted');
          return { tx };
        },
        onWarning: (message) => warnings.get(who.name)?.push(message),
        base: () => existing?.base ?? null,
      },
    );
  });
  ledger.onAccepted((tx) => {
    for (const duty of duties) duty.accepted(tx);
  });
  for (const duty of duties) duty.start();
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
  return {
    ledger,
    clock,
    warnings,
    run: async () => {
      for (let round = 0; round < 40; round++) {
        for (const tick of ticks) tick();
        await settle();
        if (due.length === 0) {
          await settle();
          if (due.length === 0) return;
        }
        while (due.length > 0) {
          due.shift()?.();
          await settle();
        }
      }
    },
  };
}

async function freshLedger(): Promise<Ledger> {
  return newLedger({
    witnesses,
    allocations: [
      [alice, 1000n],
      [bob, 1000n],
    ],
  });
}

async function pay(w: World, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await transfer(w.ledger, i % 2 ? bob : alice, i % 2 ? alice : bob, 1n);
    await w.run();
  }
}

describe('the checkpoint duty', () => {
  it('the witness whose turn it is proposes, and the others certify it', async () => {
    // Each payment draws a vote of every witness: five transactions.
    const w = await world(witnesses, 30);
    await pay(w, 5);
    expect(w.ledger.checkpoints()).toEqual([]);
    await pay(w, 2);
    const [first] = w.ledger.checkpoints();
    expect(first).toMatchObject({ n: 1, author: inTurn[0]?.key, certified: true });
    // The next is proposed by the next witness in turn, after as many transactions again.
    await pay(w, 4);
    expect(w.ledger.checkpoints()).toHaveLength(1);
    await pay(w, 4);
    const second = w.ledger.checkpoints().find((c) => c.n === 2);
    expect(second).toMatchObject({ author: inTurn[1]?.key, after: first?.id, certified: true });
    for (const list of w.warnings.values()) expect(list).toEqual([]);
  });

  it('never covers a checkpoint whose state it computes differently, and says so', async () => {
    const w = await world(witnesses.slice(0, 3), 0);
    await pay(w, 4);
    const liar = witnesses[3] as TestIdentity;
    const plan = planCheckpoint(w.ledger, liar.key);
    if ('code' in plan) throw new Error(plan.message);
    const state = stateAtCut(w.ledger, planParents(plan));
    if (!state.ok) throw new Error(state.error);
    const composed = composeCheckpoint(
      w.ledger,
      liar.key,
      plan,
      { root: 'ee'.repeat(32), size: state.bytes.length },
      1,
    );
    if (!composed.ok) throw new Error(composed.rejection.message);
    const wrong: VerifiedTx = await sign(liar, composed.tx);
    w.ledger.insert(wrong);
    await w.run();
    await pay(w, 2);
    expect(w.ledger.isFinal(wrong.id)).toBe(false);
    for (const who of witnesses.slice(0, 3))
      expect(w.warnings.get(who.name)).toEqual([
        expect.stringMatching(
          /^Checkpoint 1 by witness .* states a ledger state this peer computes differently/,
        ),
      ]);
    // The payments after it are final all the same.
    expect(w.ledger.isFinal(w.ledger.head(alice.key)!.id)).toBe(true);
  });

  it('when the witness whose turn it is stays silent, the next one proposes after its wait', async () => {
    const w = await world(inTurn.slice(1));
    await pay(w, 6);
    expect(w.ledger.checkpoints()).toEqual([]);
    w.clock.now += CHECKPOINT_FALLBACK_MS;
    await w.run();
    expect(w.ledger.checkpoints()).toMatchObject([
      { n: 1, author: inTurn[1]?.key, certified: true },
    ]);
  });

  it('says once when the state cannot be computed, and tries again only after as many transactions', async () => {
    const w = await world(witnesses, 10);
    computed.mockClear();
    const attempts = () => computed.count;
    // A proposed change of the witnesses: compaction does not cover those yet, so no state can
    // be made while it is in the ledger.
    const change = await proposeTx(w.ledger, witnesses[0] as TestIdentity, identity('cp change'), {
      kind: 'replace',
      old: (witnesses[3] as TestIdentity).key,
      key: bob.key,
    });
    expect(w.ledger.insert(change).status).toBe('accepted');
    // Alice's payment cites it, so the witnesses' votes for her bring it into every cut.
    const head = w.ledger.head(alice.key);
    const cites = await sign(
      alice,
      rawTransfer(w.ledger, { seq: (head?.seq ?? -1) + 1, prev: head?.id ?? null }, bob, 1n, [
        change.id,
      ]),
    );
    expect(w.ledger.insert(cites).status).toBe('accepted');
    await pay(w, 2);
    const said = [...w.warnings.values()].flat();
    expect(said).toEqual([
      expect.stringMatching(/^Checkpoint 1 cannot be made yet: .*"witness-set" transaction/),
    ]);
    // Ticks with nothing new do not compute it again.
    for (let i = 0; i < 5; i++) {
      w.clock.now += 1_000;
      await w.run();
    }
    expect(attempts()).toBe(1);
    await pay(w, 3);
    expect(attempts()).toBe(2);
    expect([...w.warnings.values()].flat()).toEqual(said);
    expect(w.ledger.checkpoints()).toEqual([]);
  });

  it('a restarted witness builds on the state it saved, and covers what is certified meanwhile', async () => {
    const store = memoryStore();
    const w = await world(witnesses, 30, { ledger: await freshLedger(), store });
    await pay(w, 7);
    const [first] = w.ledger.checkpoints();
    expect(first).toMatchObject({ n: 1, certified: true });
    w.clock.now += 1_000;
    await w.run();
    expect(store.values.has('certified-state')).toBe(true);

    // The same ledger, new duties (a restart): checkpoint 1 is not computed again (a damaged
    // saved state makes each duty compute it: the next test), and the next one is built on it.
    computed.mockClear();
    const again = await world(witnesses, 30, { ledger: w.ledger, store });
    await again.run();
    expect(computed.count).toBe(0);
    await pay(again, 8);
    const second = again.ledger.checkpoints().find((c) => c.n === 2);
    expect(second).toMatchObject({ certified: true, after: first?.id });
    for (const list of again.warnings.values()) expect(list).toEqual([]);
  });

  it('a restarted witness counts what its log holds since the latest checkpoint', async () => {
    // Witnesses set to propose rarely let the history grow; restarted with a smaller interval,
    // they propose at once: counting only what arrived after a start, a witness restarted more
    // often than every CHECKPOINT_EVERY transactions never proposed one.
    const store = memoryStore();
    const w = await world(witnesses, 1_000, { ledger: await freshLedger(), store });
    await pay(w, 8);
    expect(w.ledger.checkpoints()).toEqual([]);
    expect(w.ledger.validIds().length).toBeGreaterThan(30);
    const again = await world(witnesses, 30, { ledger: w.ledger, store });
    await again.run();
    expect(again.ledger.checkpoints()).toMatchObject([{ n: 1, certified: true }]);
    // Restarted again right after it, nothing is due: the count starts at that checkpoint.
    const third = await world(witnesses, 30, { ledger: again.ledger, store });
    await third.run();
    expect(third.ledger.checkpoints()).toHaveLength(1);
  });

  it('computes no proposal while the witness may not sign, and proposes once it may', async () => {
    // A witness whose own chain's head is unknown (a log without its seal) could not sign the
    // proposal: computing one each tick cost a whole state every second, and a warning each.
    const store = memoryStore();
    const w = await world(witnesses, 1_000, { ledger: await freshLedger(), store });
    await pay(w, 8);
    let may = false;
    computed.mockClear();
    const blind = await world(witnesses, 30, { ledger: w.ledger, store }, () => may);
    await blind.run();
    expect(blind.ledger.checkpoints()).toEqual([]);
    expect(computed.count).toBe(0);
    for (const list of blind.warnings.values()) expect(list).toEqual([]);
    may = true;
    await blind.run();
    expect(blind.ledger.checkpoints()).toMatchObject([{ n: 1, certified: true }]);
  });

  it('a witness that started from a certified state builds the next checkpoint on it', async () => {
    // A network with checkpoints 1 and 2 certified; its witnesses start from checkpoint 2's
    // state (engine/fastForward.ts) and get the history after it. They cannot compute that
    // state from history they do not hold: given the base, they build checkpoint 3 on it.
    const net = await certifiedNetwork();
    const based = (base?: { id: TxId; state: Uint8Array }) => {
      const started = fromCertified(
        net.genesis,
        registry,
        net.certificate(net.second),
        net.states.get(net.second)!,
        { maxBytes: 1 << 24 },
      );
      if (!started.ok) throw new Error(started.error);
      for (const id of net.full.validIds()) started.ledger.insert(net.full.get(id) as VerifiedTx);
      return world(ffWitnesses, 6, {
        ledger: started.ledger,
        store: memoryStore(),
        ...(base ? { base } : {}),
      });
    };
    const payRound = async (w: World) => {
      for (let i = 0; i < 4; i++) {
        await transfer(w.ledger, i % 2 ? ffBob : ffAlice, i % 2 ? ffAlice : ffBob, 1n);
        await w.run();
      }
    };
    const w = await based({ id: net.second, state: net.states.get(net.second)! });
    await payRound(w);
    w.clock.now += CHECKPOINT_FALLBACK_MS * 4;
    await w.run();
    const third = w.ledger.checkpoints().find((c) => c.n === 3);
    expect(third).toMatchObject({ certified: true, after: net.second });
    for (const list of w.warnings.values()) expect(list).toEqual([]);
    // Without the base, the same witnesses can make no checkpoint 3, and say why.
    const blind = await based();
    await payRound(blind);
    blind.clock.now += CHECKPOINT_FALLBACK_MS * 4;
    await blind.run();
    expect(blind.ledger.checkpoints().find((c) => c.n === 3)?.certified ?? false).toBe(false);
    expect([...blind.warnings.values()].flat().join(' ')).toMatch(/Checkpoint \d+ cannot/);
  });

  it('a damaged saved state is not used: the chain of states is computed again', async () => {
    const store = memoryStore();
    const w = await world(witnesses, 30, { ledger: await freshLedger(), store });
    await pay(w, 7);
    w.clock.now += 1_000;
    await w.run();
    const part = store.values.get('certified-state-0');
    if (!part) throw new Error('nothing saved');
    part[part.length >> 1]! ^= 1;
    computed.mockClear();
    const again = await world(witnesses, 30, { ledger: w.ledger, store });
    await again.run();
    // Each duty computes checkpoint 1 itself, since the saved state's root is wrong.
    expect(computed.count).toBe(witnesses.length);
  });

  it('says once that the state could not be saved, and goes on', async () => {
    const failing: StateStore = {
      putMeta: () => Promise.reject(new Error('the disk is full')),
      getMeta: () => Promise.resolve(undefined),
    };
    const w = await world(witnesses, 30, { ledger: await freshLedger(), store: failing });
    await pay(w, 7);
    for (let i = 0; i < 5; i++) {
      w.clock.now += 1_000;
      await w.run();
    }
    expect(w.ledger.checkpoints()).toMatchObject([{ n: 1, certified: true }]);
    for (const who of witnesses)
      expect(w.warnings.get(who.name)).toEqual([
        'The state of checkpoint 1 could not be saved (the disk is full): the next start computes it again.',
      ]);
  });
});
