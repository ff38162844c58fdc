// A seeded simulation of membership changes (docs/protocol.md §13.7) in a network split into two
// views. Witnesses admit, remove and close through the real planner; members pay wherever they
// act, citing their view of the witness sets or not, so some of their transactions know of a
// change and some were signed without knowing of it. Transfers are raw (they bypass the wallet's
// own refusal) so that the ledger's rule is what decides.
//
// The oracle (`allowedByPast`) reads a transaction's epoch state from a twin: a transfer by a
// probe witness with the same parents, inserted into a scratch ledger. Validity reads only the
// causal past, so the twin's state is the one the rule judged the transaction in; the oracle
// then decides membership with its own fold of the changes (`MembershipModel`), not the
// ledger's.
import fc from 'fast-check';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { genesisBody } from '../../shared/tx/genesis.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { composeVote } from '../../shared/wallet/compose.ts';
import type { WitnessChange } from '../../shared/wallet/witnesses.ts';
import { admit, identity, rawTransfer, registry, sign, type TestIdentity } from './network.ts';
import { healViews, syncViews } from './sim.ts';
import { proposeTx } from './witnessSets.ts';

const VIEWS = 2;
/** Users 0-3 hold money at genesis; 4 and 5 start outside (they need admitting when closed). */
export const USERS = 6;
const FUNDED = 4;
const VOTERS = 4;

export type MemberAction =
  | { kind: 'pay'; view: number; from: number; to: number; amount: bigint; cite: boolean }
  | { kind: 'vote'; view: number; witness: number; agree: boolean }
  | { kind: 'change'; view: number; by: number; what: 'admit' | 'remove' | 'close'; who: number }
  | { kind: 'sync'; from: number; to: number };

export const memberActionArb: fc.Arbitrary<MemberAction> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      view: fc.nat(VIEWS - 1),
      from: fc.nat(USERS - 1),
      to: fc.nat(USERS - 1),
      amount: fc.bigInt(1n, 30n),
      cite: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('vote' as const),
      view: fc.nat(VIEWS - 1),
      witness: fc.nat(VOTERS - 1),
      agree: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('change' as const),
      view: fc.nat(VIEWS - 1),
      by: fc.nat(VOTERS - 1),
      what: fc.constantFrom(
        'admit' as const,
        'remove' as const,
        'remove' as const,
        'close' as const,
      ),
      who: fc.nat(USERS - 1),
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

export class MemberSim {
  readonly users = Array.from({ length: USERS }, (_, i) => identity(`member ${i}`));
  readonly voters = Array.from({ length: VOTERS }, (_, i) => identity(`member witness ${i}`));
  /** A witness that never acts in the network: it only signs the oracle's twins. */
  readonly probe = identity('member probe');
  readonly views: Ledger[] = [];
  readonly signed: VerifiedTx[] = [];
  genesis!: VerifiedTx;
  #proposals = 0;

  static async create(closed: boolean): Promise<MemberSim> {
    const sim = new MemberSim();
    const founder = sim.voters[0] as TestIdentity;
    sim.genesis = await admit(
      signTx(founder.secret, {
        net: null,
        seq: 0,
        prev: null,
        deps: [],
        type: 'genesis',
        body: genesisBody({
          name: 'membership sim',
          witnesses: [...sim.voters, sim.probe].map((w) => w.key),
          allocations: [
            ...sim.users.slice(0, FUNDED).map((u) => [u.key, 200n] as const),
            [sim.probe.key, 10n] as const,
          ],
          creditLimit: 50n,
          closed,
        }),
        time: 0,
      }),
    );
    for (let i = 0; i < VIEWS; i++) sim.views.push(sim.fresh());
    return sim;
  }

  fresh(): Ledger {
    const result = Ledger.fromGenesis(this.genesis, registry);
    if (!result.ok) throw new Error(result.rejection.message);
    return result.ledger;
  }

  async step(action: MemberAction): Promise<void> {
    if (action.kind === 'pay') return this.#pay(action);
    if (action.kind === 'vote') return this.vote(action.view, action.witness, action.agree);
    if (action.kind === 'change') return this.#change(action);
    syncViews(this.views, this.signed, action.from, action.to);
  }

  /** A raw transfer at the sender's head in this view, citing the view's epoch or not. */
  async #pay(a: Extract<MemberAction, { kind: 'pay' }>): Promise<void> {
    if (a.from === a.to) return;
    const ledger = this.views[a.view] as Ledger;
    const from = this.users[a.from] as TestIdentity;
    // A frozen author (a double spend across the views) has no head to extend.
    if (ledger.account(from.key).frozen) return;
    const head = ledger.head(from.key);
    const position = head ? { seq: head.seq + 1, prev: head.id } : { seq: 0, prev: null };
    const cited = a.cite && ledger.epochTx !== position.prev ? [ledger.epochTx] : [];
    const to = this.users[a.to] as TestIdentity;
    this.#record(a.view, await sign(from, rawTransfer(ledger, position, to, a.amount, cited)));
  }

  /** An honest witness votes in its home view only, backing changes when it agrees. */
  async vote(view: number, index: number, agree: boolean): Promise<void> {
    if (view !== index % VIEWS) return;
    const witness = this.voters[index] as TestIdentity;
    const ledger = this.views[view] as Ledger;
    const composed = composeVote(ledger, witness.key, 1, { backs: () => agree });
    if (composed?.ok) this.#record(view, await sign(witness, composed.tx));
  }

  async #change(a: Extract<MemberAction, { kind: 'change' }>): Promise<void> {
    const ledger = this.views[a.view] as Ledger;
    const key = (this.users[a.who] as TestIdentity).key;
    const change: WitnessChange =
      a.what === 'close'
        ? { kind: 'close' }
        : { kind: a.what === 'admit' ? 'admit' : 'remove-member', key };
    const author = identity(`member change ${this.#proposals++}`);
    try {
      this.#record(
        a.view,
        await proposeTx(ledger, this.voters[a.by] as TestIdentity, author, change),
      );
    } catch {
      // The planner refused (a change under way, already a member, ...): nothing signed.
    }
  }

  #record(view: number, tx: VerifiedTx): void {
    this.signed.push(tx);
    (this.views[view] as Ledger).insert(tx);
  }

  healAll(): void {
    healViews(this.views, this.signed);
  }

  /** Heals and lets every witness vote, backing every change, until changes are in effect. */
  async settle(rounds: number): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      this.healAll();
      for (let w = 0; w < VOTERS; w++) await this.vote(w % VIEWS, w, true);
    }
    this.healAll();
  }

  replay(order: readonly VerifiedTx[]): Ledger {
    const ledger = this.fresh();
    for (const tx of order) ledger.insert(tx);
    return ledger;
  }

  /** The members' transfers, each once, in the order they were first signed. */
  transfers(): VerifiedTx[] {
    const users = new Set(this.users.map((u) => u.key));
    // The same payment signed in both views is one transaction (same bytes, same id).
    const byId = new Map(this.signed.map((tx) => [tx.id, tx]));
    return [...byId.values()].filter((tx) => tx.type === 'transfer' && users.has(tx.author));
  }

  /** Whether `who` is a witness of the genesis (no change here moves witnesses). */
  isWitness(who: KeyHex): boolean {
    return who === this.probe.key || this.voters.some((v) => v.key === who);
  }

  /**
   * The open configuration's change in `tx`'s own epoch state, read from a twin with the same
   * parents signed by the probe. `scratch` holds everything signed; twins fork the probe's
   * chain at seq 0, which leaves each of them valid. Null when a parent is not valid.
   */
  async pastChange(scratch: Ledger, tx: VerifiedTx): Promise<{ change: TxId | null } | null> {
    const parents = tx.prev === null ? [...tx.deps] : [tx.prev, ...tx.deps];
    if (parents.some((id) => scratch.epochsOf(id) === undefined)) return null;
    const to = this.users[0] as TestIdentity;
    const twin = await sign(
      this.probe,
      rawTransfer(scratch, { seq: 0, prev: null }, to, 1n, parents),
    );
    scratch.insert(twin);
    const state = scratch.epochsOf(twin.id);
    if (!state) throw new Error(`the probe's twin of ${tx.id} was refused`);
    return { change: state.open.change };
  }
}

/** Who may sign after each change, folded from the changes' bodies by the rule of §13.7. */
export class MembershipModel {
  readonly #byChange = new Map<
    TxId | null,
    { closed: boolean; members: Set<KeyHex>; removed: Set<KeyHex> }
  >();

  readonly #ledger: Ledger;
  readonly #sim: MemberSim;

  constructor(ledger: Ledger, sim: MemberSim, closed: boolean) {
    this.#ledger = ledger;
    this.#sim = sim;
    // A closed genesis admits the founder, the witnesses and every account with an allocation.
    const members = new Set<KeyHex>([
      ...sim.voters.map((v) => v.key),
      sim.probe.key,
      ...sim.users.slice(0, FUNDED).map((u) => u.key),
    ]);
    this.#byChange.set(null, { closed, members: closed ? members : new Set(), removed: new Set() });
  }

  /** Membership after `change`: the one its own past opened, then its admit, remove and close. */
  at(change: TxId | null): { closed: boolean; members: Set<KeyHex>; removed: Set<KeyHex> } {
    const known = this.#byChange.get(change);
    if (known) return known;
    const p = this.#ledger.proposals().find((x) => x.id === change);
    const before = this.#ledger.epochsOf(change as TxId);
    if (!p || !before) throw new Error(`change ${change} is not held`);
    const prior = this.at(before.open.change);
    const closed = prior.closed || p.close;
    const removed = new Set([...prior.removed].filter((k) => !p.admit.includes(k)));
    for (const k of p.remove) removed.add(k);
    const members = new Set(closed ? [...prior.members, ...p.admit, ...p.witnesses] : []);
    for (const k of p.remove) members.delete(k);
    const result = { closed, members, removed };
    this.#byChange.set(change, result);
    return result;
  }

  allows(change: TxId | null, who: KeyHex): boolean {
    if (this.#sim.isWitness(who)) return true;
    const m = this.at(change);
    return m.closed ? m.members.has(who) : !m.removed.has(who);
  }
}
