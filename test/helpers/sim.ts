// A seeded simulation of a network split into views (partitions). Users sign wherever they
// act, so acting in two views without a sync is an equivocation. Honest witnesses vote only in
// their home view; Byzantine witnesses vote in every view (forking their own chains) and vote
// for everything they see. Every transaction ever signed is kept, so tests can replay the
// union in any order.
import fc from 'fast-check';
import { fromHex } from '../../shared/bytes.ts';
import type { TxId } from '../../shared/ids.ts';
import type { VoteHead } from '../../shared/ledger/votes.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { composeTransfer, composeVote } from '../../shared/wallet/compose.ts';
import { genesisOf, identity, rawTransfer, registry, sign, type TestIdentity } from './network.ts';

export type Action =
  | {
      readonly kind: 'transfer';
      readonly view: number;
      readonly from: number;
      readonly to: number;
      readonly amount: bigint;
      readonly raw: boolean;
    }
  | { readonly kind: 'vote'; readonly view: number; readonly witness: number }
  | { readonly kind: 'sync'; readonly from: number; readonly to: number };

export interface SimConfig {
  readonly users: number;
  readonly witnesses: number;
  readonly byzantine: number;
  readonly views: number;
  readonly allocation: bigint;
  readonly creditLimit: bigint;
  /** Each author's writing budget (docs/protocol.md §15); absent: none. */
  readonly budget?: { readonly every: number; readonly burst: number };
}

export const actionArb = (config: SimConfig): fc.Arbitrary<Action> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('transfer' as const),
        view: fc.nat(config.views - 1),
        from: fc.nat(config.users - 1),
        to: fc.nat(config.users - 1),
        amount: fc.bigInt(1n, config.allocation + config.creditLimit + 50n),
        raw: fc.boolean(),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('vote' as const),
        view: fc.nat(config.views - 1),
        witness: fc.nat(config.witnesses - 1),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('sync' as const),
        from: fc.nat(config.views - 1),
        to: fc.nat(config.views - 1),
      }),
    },
  );

export class Sim {
  readonly config: SimConfig;
  readonly users: TestIdentity[];
  readonly witnesses: TestIdentity[];
  readonly views: Ledger[] = [];
  /** Every transaction signed, in signing order. */
  readonly signed: VerifiedTx[] = [];
  genesis!: VerifiedTx;

  private constructor(config: SimConfig) {
    this.config = config;
    this.users = Array.from({ length: config.users }, (_, i) => identity(`user${i}`));
    this.witnesses = Array.from({ length: config.witnesses }, (_, i) => identity(`witness${i}`));
  }

  static async create(config: SimConfig): Promise<Sim> {
    const sim = new Sim(config);
    sim.genesis = await genesisOf({
      founder: identity('founder'),
      witnesses: sim.witnesses,
      allocations: sim.users.map((u) => [u, config.allocation] as const),
      creditLimit: config.creditLimit,
      ...(config.budget ? { budget: config.budget } : {}),
    });
    for (let i = 0; i < config.views; i++) sim.views.push(Sim.fresh(sim.genesis));
    return sim;
  }

  static fresh(genesis: VerifiedTx): Ledger {
    const result = Ledger.fromGenesis(genesis, registry);
    if (!result.ok) throw new Error(result.rejection.message);
    return result.ledger;
  }

  isByzantine(witness: number): boolean {
    return witness < this.config.byzantine;
  }

  /** Honest witnesses act only in their home view, so they never fork their own chain. */
  homeView(witness: number): number {
    return witness % this.config.views;
  }

  async run(actions: readonly Action[]): Promise<void> {
    for (const action of actions) await this.step(action);
  }

  async step(action: Action): Promise<void> {
    switch (action.kind) {
      case 'transfer':
        return this.#transfer(action);
      case 'vote':
        return this.#vote(action.view, action.witness);
      case 'sync':
        return this.sync(action.from, action.to);
    }
  }

  async #transfer(action: Extract<Action, { kind: 'transfer' }>): Promise<void> {
    if (action.from === action.to) return;
    const ledger = this.views[action.view] as Ledger;
    const from = this.users[action.from] as TestIdentity;
    const to = this.users[action.to] as TestIdentity;
    const composed = composeTransfer(ledger, {
      from: from.key,
      to: to.key,
      amount: action.amount,
      time: 1,
    });
    if (composed.ok) return this.#record(action.view, await sign(from, composed.tx));
    if (!action.raw || ledger.isFrozen(from.key)) return;
    // Sign it anyway: an overspend that every peer must reject in the same way.
    const head = ledger.head(from.key);
    const position = head ? { seq: head.seq + 1, prev: head.id } : { seq: 0, prev: null };
    this.#record(action.view, await sign(from, rawTransfer(ledger, position, to, action.amount)));
  }

  async #vote(view: number, index: number): Promise<void> {
    if (!this.isByzantine(index) && view !== this.homeView(index)) return;
    const ledger = this.views[view] as Ledger;
    const witness = this.witnesses[index] as TestIdentity;
    if (this.isByzantine(index)) {
      const tx = await this.#byzantineVote(ledger, witness);
      if (tx) this.#record(view, tx);
      return;
    }
    const composed = composeVote(ledger, witness.key, 1);
    if (composed?.ok) this.#record(view, await sign(witness, composed.tx));
  }

  /**
   * A Byzantine witness votes for every head it sees, including one branch of each fork, on
   * its chain in this view: voting in two views forks its chain and backs both branches.
   */
  async #byzantineVote(ledger: Ledger, witness: TestIdentity): Promise<VerifiedTx | null> {
    const heads = new Map<string, VoteHead>();
    for (const head of ledger.votableHeads(witness.key)) heads.set(head.author, head);
    for (const fork of ledger.equivocations()) {
      const id = fork.ids[0] as TxId;
      if (!heads.has(fork.author))
        heads.set(fork.author, { author: fork.author, seq: fork.seq, id });
    }
    const head = ledger.head(witness.key);
    const position = head ? { seq: head.seq + 1, prev: head.id } : { seq: 0, prev: null };
    const chosen = [...heads.values()].sort((a, b) => (a.author < b.author ? -1 : 1)).slice(0, 64);
    if (chosen.length === 0) return null;
    return sign(witness, {
      net: ledger.networkId,
      ...position,
      deps: chosen.map((h) => h.id).filter((id) => id !== position.prev),
      type: 'vote',
      body: { heads: chosen.map((h) => [fromHex(h.author), h.seq, fromHex(h.id)]) },
      time: 1,
    });
  }

  #record(view: number, tx: VerifiedTx): void {
    this.signed.push(tx);
    (this.views[view] as Ledger).insert(tx);
  }

  sync(from: number, to: number): void {
    syncViews(this.views, this.signed, from, to);
  }

  /** Heals every partition: every view receives every transaction. */
  healAll(): void {
    healViews(this.views, this.signed);
  }

  /** Heals every partition, lets each witness vote once in its home view, and heals again. */
  async settle(): Promise<void> {
    this.healAll();
    for (let w = 0; w < this.config.witnesses; w++)
      await this.step({ kind: 'vote', view: this.homeView(w), witness: w });
    this.healAll();
  }

  /** A fresh ledger built from the given transactions in the given order. */
  replay(order: readonly VerifiedTx[]): Ledger {
    const ledger = Sim.fresh(this.genesis);
    for (const tx of order) ledger.insert(tx);
    return ledger;
  }
}

/** A permutation of `items` by seeded keys (fast-check gives them). */
export function permuted<T>(items: readonly T[], keys: readonly number[]): T[] {
  return items
    .map((item, i) => ({ item, key: (keys[i % keys.length] ?? 0) * 7919 + i }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
}

/** View `to` receives what view `from` holds, of everything signed so far. */
export function syncViews(
  views: readonly Ledger[],
  signed: readonly VerifiedTx[],
  from: number,
  to: number,
): void {
  if (from === to) return;
  const source = views[from] as Ledger;
  const target = views[to] as Ledger;
  for (const tx of signed) if (source.has(tx.id)) target.insert(tx);
}

/** Every view receives every transaction signed so far. */
export function healViews(views: readonly Ledger[], signed: readonly VerifiedTx[]): void {
  for (const view of views) for (const tx of signed) view.insert(tx);
}
