// Witness epochs (docs/protocol.md §13): which witness set a vote counts for.
//
// Every valid transaction carries an EpochState computed from its causal past alone: `seen`, the
// latest witness set whose change it knows enacted, and `open`, the latest set it knows handed
// over to. They differ only during a change. A vote counts for the set `open` when the two are
// equal and its author is in it; a vote cast during a change counts for no set, and serves as
// its author's acknowledgement that the old set has stopped. §13.3 proves that this keeps two
// conflicting transactions from both becoming final across any number of changes.
import type { KeyHex, TxId } from '../ids.ts';
import { quorumOf } from './votes.ts';

/**
 * Who may sign in a set's epoch (§13.7). An open network admits everyone but those removed; a
 * closed one only its members (and its witnesses).
 */
export interface Membership {
  readonly closed: boolean;
  /** A closed network's members. */
  readonly members: ReadonlySet<KeyHex>;
  /** Identities removed by a change (and not admitted again since). */
  readonly removed: ReadonlySet<KeyHex>;
}

export const OPEN_MEMBERSHIP: Membership = {
  closed: false,
  members: new Set(),
  removed: new Set(),
};

export interface Config {
  /** 0 for genesis, then one more per change. */
  readonly epoch: number;
  readonly witnesses: ReadonlySet<KeyHex>;
  readonly sorted: readonly KeyHex[];
  readonly quorum: number;
  /** The witness-set transaction that opened this epoch (null: genesis). */
  readonly change: TxId | null;
  /** Names one configuration: its epoch and the change that opened it. */
  readonly key: string;
  readonly membership: Membership;
}

export interface EpochState {
  readonly seen: Config;
  readonly open: Config;
}

export interface Proposal {
  readonly id: TxId;
  /** The proposal's one-time key. */
  readonly author: KeyHex;
  readonly epoch: number;
  readonly witnesses: readonly KeyHex[];
  /** The witness who proposed it. */
  readonly by: KeyHex;
  /** Identities it admits, and removes (§13.7). */
  readonly admit: readonly KeyHex[];
  readonly remove: readonly KeyHex[];
  /** It closes an open network: from then on only members may sign. */
  readonly close: boolean;
}

export function makeConfig(
  epoch: number,
  witnesses: Iterable<KeyHex>,
  change: TxId | null,
  membership: Membership = OPEN_MEMBERSHIP,
): Config {
  const sorted = [...new Set(witnesses)].sort();
  return {
    epoch,
    witnesses: new Set(sorted),
    sorted,
    quorum: quorumOf(sorted.length),
    change,
    key: `${epoch}:${change ?? 'genesis'}`,
    membership,
  };
}

/** Who may sign after change `p`, given who might before it. */
export function membershipAfter(before: Membership, p: Proposal): Membership {
  const closed = before.closed || p.close;
  const removed = new Set(before.removed);
  for (const key of p.admit) removed.delete(key);
  for (const key of p.remove) removed.add(key);
  if (!closed) return { closed, members: new Set(), removed };
  const members = new Set([...before.members, ...p.admit, ...p.witnesses]);
  for (const key of p.remove) members.delete(key);
  return { closed, members, removed };
}

/** Whether `identity` may sign in the epoch of `config`. Witnesses always may. */
export function mayAct(config: Config, identity: KeyHex): boolean {
  if (config.witnesses.has(identity)) return true;
  const m = config.membership;
  return m.closed ? m.members.has(identity) : !m.removed.has(identity);
}

/**
 * The later of two states: the higher seen epoch, then the higher open epoch. Two different
 * changes for one epoch are both enacted only beyond the fault assumption; the lower change id
 * then wins, so that every peer still agrees.
 */
export function laterState(a: EpochState, b: EpochState): EpochState {
  if (a.seen.epoch !== b.seen.epoch) return a.seen.epoch > b.seen.epoch ? a : b;
  if (a.open.epoch !== b.open.epoch) return a.open.epoch > b.open.epoch ? a : b;
  return (a.seen.change ?? '') <= (b.seen.change ?? '') ? a : b;
}

export function sameState(a: EpochState, b: EpochState): boolean {
  return a.seen.key === b.seen.key && a.open.key === b.open.key;
}

/** Whether a change is under way: enacted but not yet handed over. */
export const changing = (state: EpochState): boolean => state.seen.key !== state.open.key;

/** The set a vote by `author` in this state counts for, or null (it counts for none). */
export function countingConfig(state: EpochState, author: KeyHex): Config | null {
  return !changing(state) && state.open.witnesses.has(author) ? state.open : null;
}

/** The proposals of each epoch, and the proposal each one-time key made. */
export class ProposalIndex {
  readonly #byEpoch = new Map<number, Proposal[]>();
  readonly #byId = new Map<TxId, Proposal>();
  /** A one-time key that signs two proposals has equivocated; both are kept, as evidence. */
  readonly #byAuthor = new Map<KeyHex, Proposal[]>();

  add(proposal: Proposal): void {
    this.#byId.set(proposal.id, proposal);
    const mine = this.#byAuthor.get(proposal.author) ?? [];
    mine.push(proposal);
    this.#byAuthor.set(proposal.author, mine);
    const list = this.#byEpoch.get(proposal.epoch) ?? [];
    list.push(proposal);
    list.sort((a, b) => (a.id < b.id ? -1 : 1));
    this.#byEpoch.set(proposal.epoch, list);
  }

  /** Proposals that open `epoch`, lowest id first. */
  forEpoch(epoch: number): readonly Proposal[] {
    return this.#byEpoch.get(epoch) ?? [];
  }

  /** The proposal transaction `id` is, if it is one. */
  byId(id: TxId): Proposal | undefined {
    return this.#byId.get(id);
  }

  /** Whether `author` is a proposal's one-time key. */
  isProposer(author: KeyHex): boolean {
    return this.#byAuthor.has(author);
  }

  get size(): number {
    return this.#byId.size;
  }

  all(): Proposal[] {
    return [...this.#byId.values()].sort((a, b) => a.epoch - b.epoch || (a.id < b.id ? -1 : 1));
  }
}
