// A seeded simulation of a network whose witnesses change while it is split into views
// (docs/protocol.md §13). Users pay wherever they act, so acting in two views without a sync is
// a double spend. Honest witnesses vote only in their home view, back a proposed change only
// when their operator agrees, and carry the epoch evidence the composer gives them. The one
// Byzantine witness votes in every view (forking its own chain), for everything it sees and one
// branch of every fork, and keeps voting after it is removed. Every change keeps at most f
// Byzantine witnesses in the new set, the assumption of §13.3.
import fc from 'fast-check';
import { fromHex } from '../../shared/bytes.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import type { VoteHead } from '../../shared/ledger/votes.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { composeTransfer, composeVote } from '../../shared/wallet/compose.ts';
import type { WitnessChange } from '../../shared/wallet/witnesses.ts';
import { genesisOf, identity, registry, sign, type TestIdentity } from './network.ts';
import { healViews, syncViews } from './sim.ts';
import { proposeTx } from './witnessSets.ts';

export const POOL = 7;
const GENESIS_WITNESSES = 4;
const BYZANTINE = 0;
const VIEWS = 2;

export type ReconfigAction =
  | { kind: 'pay'; view: number; from: number; to: number; amount: bigint }
  | { kind: 'vote'; view: number; witness: number; agree: boolean }
  | {
      kind: 'propose';
      view: number;
      by: number;
      change: 'add' | 'remove' | 'replace';
      pick: number;
    }
  | { kind: 'sync'; from: number; to: number };

export const reconfigActionArb: fc.Arbitrary<ReconfigAction> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      view: fc.nat(VIEWS - 1),
      from: fc.nat(2),
      to: fc.nat(2),
      amount: fc.bigInt(1n, 400n),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('vote' as const),
      view: fc.nat(VIEWS - 1),
      witness: fc.nat(POOL - 1),
      agree: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('propose' as const),
      view: fc.nat(VIEWS - 1),
      by: fc.nat(POOL - 1),
      change: fc.constantFrom('add' as const, 'remove' as const, 'replace' as const),
      pick: fc.nat(1000),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('sync' as const),
      from: fc.nat(VIEWS - 1),
      to: fc.nat(VIEWS - 1),
    }),
  },
);

export class ReconfigSim {
  readonly users = [0, 1, 2].map((i) => identity(`user${i}`));
  readonly witnesses = Array.from({ length: POOL }, (_, i) => identity(`witness${i}`));
  readonly views: Ledger[] = [];
  readonly signed: VerifiedTx[] = [];
  genesis!: VerifiedTx;
  #proposals = 0;

  static async create(): Promise<ReconfigSim> {
    const sim = new ReconfigSim();
    sim.genesis = await genesisOf({
      founder: identity('founder'),
      witnesses: sim.witnesses.slice(0, GENESIS_WITNESSES),
      allocations: sim.users.map((u) => [u, 500n] as const),
    });
    for (let i = 0; i < VIEWS; i++) sim.views.push(sim.fresh());
    return sim;
  }

  fresh(): Ledger {
    const result = Ledger.fromGenesis(this.genesis, registry);
    if (!result.ok) throw new Error(result.rejection.message);
    return result.ledger;
  }

  isByzantine(key: KeyHex): boolean {
    return key === (this.witnesses[BYZANTINE] as TestIdentity).key;
  }

  async step(action: ReconfigAction): Promise<void> {
    if (action.kind === 'pay') return this.#pay(action);
    if (action.kind === 'vote') return this.vote(action.view, action.witness, action.agree);
    if (action.kind === 'propose') return this.#propose(action);
    this.sync(action.from, action.to);
  }

  async #pay(a: Extract<ReconfigAction, { kind: 'pay' }>): Promise<void> {
    if (a.from === a.to) return;
    const ledger = this.views[a.view] as Ledger;
    const from = this.users[a.from] as TestIdentity;
    const to = this.users[a.to] as TestIdentity;
    const composed = composeTransfer(ledger, {
      from: from.key,
      to: to.key,
      amount: a.amount,
      time: 1,
    });
    if (composed.ok) this.#record(a.view, await sign(from, composed.tx));
  }

  async vote(view: number, index: number, agree: boolean): Promise<void> {
    const witness = this.witnesses[index] as TestIdentity;
    const ledger = this.views[view] as Ledger;
    if (this.isByzantine(witness.key)) {
      const tx = await this.#byzantineVote(ledger, witness);
      if (tx) this.#record(view, tx);
      return;
    }
    if (view !== index % VIEWS) return;
    const composed = composeVote(ledger, witness.key, 1, { backs: () => agree });
    if (composed?.ok) this.#record(view, await sign(witness, composed.tx));
  }

  /** Votes for every head and one branch of every fork, with the epoch evidence when it may. */
  async #byzantineVote(ledger: Ledger, witness: TestIdentity): Promise<VerifiedTx | null> {
    const heads = new Map<string, VoteHead>();
    for (const head of ledger.votableHeads(witness.key, () => true)) heads.set(head.author, head);
    for (const fork of ledger.equivocations()) {
      if (!heads.has(fork.author))
        heads.set(fork.author, { author: fork.author, seq: fork.seq, id: fork.ids[0] as TxId });
    }
    const evidence = ledger.epochEvidence(witness.key);
    const cite = evidence.state.open.witnesses.has(witness.key) ? evidence.deps : [];
    const head = ledger.head(witness.key);
    const position = head ? { seq: head.seq + 1, prev: head.id } : { seq: 0, prev: null };
    const chosen = [...heads.values()]
      .sort((a, b) => (a.author < b.author ? -1 : 1))
      .slice(0, 64 - cite.length);
    if (chosen.length === 0) return null;
    const tx = await sign(witness, {
      net: ledger.networkId,
      ...position,
      deps: [...new Set([...cite, ...chosen.map((h) => h.id)])].filter(
        (id) => id !== position.prev,
      ),
      type: 'vote',
      body: { heads: chosen.map((h) => [fromHex(h.author), h.seq, fromHex(h.id)]) },
      time: 1,
    });
    return tx;
  }

  /** A change that keeps at most f Byzantine witnesses in the new set, or nothing. */
  async #propose(a: Extract<ReconfigAction, { kind: 'propose' }>): Promise<void> {
    const ledger = this.views[a.view] as Ledger;
    const by = this.witnesses[a.by] as TestIdentity;
    if (this.isByzantine(by.key) || !ledger.witnesses.has(by.key)) return;
    const current = [...ledger.witnesses];
    const outside = this.witnesses.map((w) => w.key).filter((k) => !ledger.witnesses.has(k));
    const pickFrom = (list: readonly KeyHex[]) => list[a.pick % Math.max(1, list.length)];
    let change: WitnessChange | null = null;
    const added = pickFrom(outside);
    const removed = pickFrom(current);
    if (a.change === 'add' && added) change = { kind: 'add', key: added };
    if (a.change === 'remove' && removed) change = { kind: 'remove', key: removed };
    if (a.change === 'replace' && added && removed)
      change = { kind: 'replace', old: removed, key: added };
    if (!change) return;
    const next = new Set(current);
    if (change.kind !== 'add') next.delete(change.kind === 'remove' ? change.key : change.old);
    if (change.kind !== 'remove') next.add(change.key);
    const byzantine = [...next].filter((k) => this.isByzantine(k)).length;
    if (next.size === 0 || byzantine > Math.floor((next.size - 1) / 3)) return;
    const author = identity(`proposal ${this.#proposals++}`);
    try {
      this.#record(a.view, await proposeTx(ledger, by, author, change));
    } catch {
      // The planner refused (a change under way, or one already proposed): nothing signed.
    }
  }

  #record(view: number, tx: VerifiedTx): void {
    this.signed.push(tx);
    (this.views[view] as Ledger).insert(tx);
  }

  sync(from: number, to: number): void {
    syncViews(this.views, this.signed, from, to);
  }

  healAll(): void {
    healViews(this.views, this.signed);
  }

  replay(order: readonly VerifiedTx[]): Ledger {
    const ledger = this.fresh();
    for (const tx of order) ledger.insert(tx);
    return ledger;
  }
}
