// What the group can see about its witnesses (docs/protocol.md §13): who they are, when each
// last voted, the changes proposed and who backs them, and, when payments stay pending, which
// witnesses have not seen them and what the group can do about it.
import type { KeyHex, TxId } from '../ids.ts';
import { changing } from '../ledger/epochs.ts';
import type { Ledger } from '../ledger/ledger.ts';

export interface WitnessRow {
  readonly key: KeyHex;
  /** The claimed time of the witness's latest vote, or null if it never voted. */
  readonly lastVote: number | null;
}

export type ChangeState = 'proposed' | 'enacted' | 'in effect' | 'lapsed';

export interface ChangeRow {
  readonly id: TxId;
  readonly epoch: number;
  readonly by: KeyHex;
  readonly witnesses: readonly KeyHex[];
  readonly added: readonly KeyHex[];
  readonly removed: readonly KeyHex[];
  /** Members it admits and removes, and whether it closes the network (§13.7). */
  readonly admit: readonly KeyHex[];
  readonly remove: readonly KeyHex[];
  readonly close: boolean;
  /** Current witnesses that back it (for a change still proposed). */
  readonly backers: readonly KeyHex[];
  readonly needed: number;
  readonly state: ChangeState;
}

export interface WitnessReport {
  readonly epoch: number;
  readonly quorum: number;
  readonly witnesses: readonly WitnessRow[];
  /** The set taking over, during a change. */
  readonly incoming: readonly KeyHex[] | null;
  readonly changes: readonly ChangeRow[];
}

/** A payment pending longer than this, short of a quorum, means witnesses are missing. */
export const STUCK_AFTER_MS = 30_000;

export interface FinalityDiagnosis {
  readonly pending: number;
  readonly oldest: TxId;
  readonly since: number;
  readonly backers: readonly KeyHex[];
  readonly missing: readonly WitnessRow[];
  readonly needed: number;
  readonly stuck: boolean;
}

const lastVoteOf = (ledger: Ledger, key: KeyHex): number | null => {
  const id = ledger.latestVote(key);
  return id === undefined ? null : (ledger.get(id)?.time ?? null);
};

export function witnessReport(ledger: Ledger): WitnessReport {
  const epochs = ledger.epochs;
  const current = new Set(epochs.open.sorted);
  const changes = ledger.proposals().map((p): ChangeRow => {
    const enacted = ledger.configOfChange(p.id);
    const state: ChangeState = enacted
      ? epochs.open.epoch >= p.epoch
        ? 'in effect'
        : 'enacted'
      : p.epoch <= epochs.seen.epoch
        ? 'lapsed'
        : 'proposed';
    return {
      id: p.id,
      epoch: p.epoch,
      by: p.by,
      witnesses: p.witnesses,
      added: p.witnesses.filter((k) => !current.has(k)),
      removed: epochs.open.sorted.filter((k) => !p.witnesses.includes(k)),
      admit: p.admit,
      remove: p.remove,
      close: p.close,
      backers: state === 'proposed' ? ledger.backers(p.id) : [],
      needed: epochs.open.quorum,
      state,
    };
  });
  return {
    epoch: epochs.open.epoch,
    quorum: epochs.open.quorum,
    witnesses: epochs.open.sorted.map((key) => ({ key, lastVote: lastVoteOf(ledger, key) })),
    incoming: changing(epochs) ? epochs.seen.sorted : null,
    changes,
  };
}

/** The oldest transaction still pending, other than votes, with how many are pending. */
function oldestPending(ledger: Ledger): { id: TxId; time: number; count: number } | null {
  let oldest: { id: TxId; time: number } | null = null;
  let count = 0;
  for (const id of ledger.validIds()) {
    const tx = ledger.get(id);
    if (!tx || tx.type === 'vote' || ledger.status(id).state !== 'pending') continue;
    count++;
    if (!oldest || tx.time < oldest.time) oldest = { id, time: tx.time };
  }
  return oldest ? { ...oldest, count } : null;
}

/**
 * Why payments are pending, or null when none is. `stuck` when the oldest has waited longer
 * than STUCK_AFTER_MS with fewer than a quorum of the current witnesses behind it.
 */
export function finalityDiagnosis(ledger: Ledger, now: number): FinalityDiagnosis | null {
  const oldest = oldestPending(ledger);
  if (!oldest) return null;
  const backers = ledger.backers(oldest.id);
  const needed = ledger.quorum;
  const missing = [...ledger.witnesses]
    .sort()
    .filter((k) => !backers.includes(k))
    .map((key) => ({ key, lastVote: lastVoteOf(ledger, key) }));
  return {
    pending: oldest.count,
    oldest: oldest.id,
    since: oldest.time,
    backers,
    missing,
    needed,
    stuck: backers.length < needed && now - oldest.time > STUCK_AFTER_MS,
  };
}

/** The sentence a status shows when payments are stuck for want of witnesses. */
export function stuckSentence(d: FinalityDiagnosis, name: (key: KeyHex) => string): string {
  const missing = d.missing.map((w) => name(w.key)).join(', ');
  const payments = d.pending === 1 ? '1 payment is' : `${d.pending} payments are`;
  const remedy = `Once ${d.needed} witnesses are back they can replace the ones gone for good (gpow witness replace); if fewer than ${d.needed} can ever come back, no change of witnesses can be agreed, and the group can re-found the network with the balances carried over (gpow network refound).`;
  return `Finality is stuck: ${payments} waiting, and only ${d.backers.length} of the ${d.needed} witnesses needed have seen them. Not seen: ${missing}. Ask them to start their peer. ${remedy}`;
}
