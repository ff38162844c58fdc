// Changes of the witness set (docs/protocol.md §13): a transaction's epoch state, computed from
// its causal past alone; the rules of a proposed change; and what this peer does as the sets
// change (evidence a witness cites, members it stops backing). The data (Config, EpochState,
// proposals) is in epochs.ts.
import { keyHexOf, type KeyHex, type TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import { reject, type Rejection } from '../tx/rejection.ts';
import type { WitnessSetBody } from '../tx/witnessSet.ts';
import {
  changing,
  laterState,
  makeConfig,
  mayAct,
  membershipAfter,
  type Config,
  type EpochState,
  type Proposal,
} from './epochs.ts';
import { proofIn, quorumAmong } from './finality.ts';
import type { LedgerState } from './state.ts';

/**
 * The epoch state of a transaction with these parents: the latest of theirs, moved on by
 * evidence among the parents themselves: a quorum of the open set's counted votes backing a
 * change enacts it, then a quorum of that set's votes that know the change hands over.
 */
export function epochsFrom(
  s: LedgerState,
  start: EpochState,
  parents: readonly TxId[],
): EpochState {
  let state = start;
  for (const id of parents) {
    const entry = s.valid.get(id);
    if (entry) state = laterState(state, entry.epochs);
  }
  if (s.proposals.size === 0) return state;
  for (let next = advance(s, state, parents); next !== state;) {
    state = next;
    next = advance(s, state, parents);
  }
  return state;
}

function advance(s: LedgerState, state: EpochState, parents: readonly TxId[]): EpochState {
  if (!changing(state)) {
    for (const p of s.proposals.forEpoch(state.open.epoch + 1)) {
      if (quorumAmong(s, p.id, parents, state.open)) {
        return { seen: configOf(s, p, state.open), open: state.open };
      }
    }
    return state;
  }
  const acks = new Set<KeyHex>();
  for (const id of parents) {
    const entry = s.valid.get(id);
    if (entry?.heads && entry.epochs.seen.key === state.seen.key) acks.add(entry.tx.author);
  }
  let count = 0;
  for (const witness of acks) if (state.open.witnesses.has(witness)) count++;
  return count >= state.open.quorum ? { seen: state.seen, open: state.seen } : state;
}

/** One Config object per change, so that every transaction shares it. */
function configOf(s: LedgerState, p: Proposal, before: Config): Config {
  const key = `${p.epoch}:${p.id}`;
  let config = s.configs.get(key);
  if (!config) {
    const membership = membershipAfter(before.membership, p);
    s.configs.set(key, (config = makeConfig(p.epoch, p.witnesses, p.id, membership)));
  }
  return config;
}

/**
 * A proposed change of the witnesses (§13.2): the one transaction of a one-time key, proposed
 * by a witness of the open set, for the next epoch, while no other change is under way.
 */
export function checkProposal(s: LedgerState, tx: Tx, epochs: EpochState): Rejection | null {
  if (tx.seq !== 0)
    return reject('bad-sequence', 'a witness change is the only transaction of a one-time key');
  if (
    tx.author === s.founder ||
    s.allocation.has(tx.author) ||
    epochs.open.witnesses.has(tx.author)
  )
    return reject('invalid-body', 'a witness change needs a one-time key of its own');
  const body = tx.body as WitnessSetBody;
  if (changing(epochs)) {
    return reject(
      'invalid-body',
      `witness set ${epochs.seen.epoch} is still taking over; propose again once it has`,
    );
  }
  if (!epochs.open.witnesses.has(keyHexOf(body.by)))
    return reject('not-witness', 'only a current witness may propose a change of the witnesses');
  if (body.epoch !== epochs.open.epoch + 1) {
    return reject(
      'invalid-body',
      `this change opens epoch ${body.epoch}, but its past is in epoch ${epochs.open.epoch}`,
    );
  }
  const next = body.witnesses.map((w) => keyHexOf(w)).sort();
  const members = (body.admit?.length ?? 0) + (body.remove?.length ?? 0) > 0 || body.close;
  if (!members && next.join() === epochs.open.sorted.join())
    return reject('invalid-body', 'the proposed witnesses are the current ones');
  const removed = new Set((body.remove ?? []).map((k) => keyHexOf(k)));
  if (next.some((k) => removed.has(k)))
    return reject('invalid-body', 'a removed member cannot be a witness');
  if ((body.admit ?? []).some((k) => removed.has(keyHexOf(k))))
    return reject('invalid-body', 'a change cannot both admit and remove one identity');
  return null;
}

export function proposalOf(tx: Tx): Proposal {
  const body = tx.body as WitnessSetBody;
  return {
    id: tx.id,
    author: tx.author,
    epoch: body.epoch,
    witnesses: body.witnesses.map((w) => keyHexOf(w)),
    by: keyHexOf(body.by),
    admit: (body.admit ?? []).map((k) => keyHexOf(k)),
    remove: (body.remove ?? []).map((k) => keyHexOf(k)),
    close: body.close === true,
  };
}

/**
 * When a set removes members, this peer's witness stops backing their chains above what it
 * holds of them now (§13.7). A policy of honest witnesses, not a validity rule: it keeps a
 * removed member's later payments from becoming final under the new set, while what they
 * signed before the change still can.
 */
export function capRemoved(s: LedgerState, before: Config, after: Config): void {
  for (const key of s.chains.authors()) {
    if (s.removalCaps.has(key)) continue;
    const identity = s.devices.identityOf(key);
    // Allowed before and not after: removed (or left out when the network closed).
    if (mayAct(after, identity) || !mayAct(before, identity)) continue;
    s.removalCaps.set(key, s.chains.maxSeq(key));
  }
}

/**
 * What a witness's next vote should cite so that it carries this peer's view of the witness
 * sets on (§13.4): a transaction that has it, then the votes that enact a change backed by a
 * quorum, or the acknowledgements that hand it over. `state` is the vote's epoch state with
 * them; `advances` says whether that is news for the witness's own chain, which is reason
 * enough to vote (an acknowledgement).
 */
export function epochEvidence(
  s: LedgerState,
  witness: KeyHex,
): { deps: TxId[]; state: EpochState; advances: boolean } {
  const head = s.chains.head(witness);
  const own = head ? (s.valid.get(head.id)?.epochs ?? s.origin) : s.origin;
  const deps = new Set<TxId>();
  const current = s.current;
  if (own.seen.key !== current.seen.key || own.open.key !== current.open.key) deps.add(s.currentId);
  if (!changing(current)) {
    for (const p of s.proposals.forEpoch(current.open.epoch + 1)) {
      const tx = s.valid.get(p.id)?.tx;
      const proof = tx ? proofIn(s, tx, current.open) : [];
      for (const id of proof) deps.add(id);
      if (proof.length > 0) break;
    }
  } else if (current.seen.witnesses.has(witness)) {
    // A witness leaving the set acknowledges the change but never cites the handover: after
    // it, its votes would not be valid.
    const acks: TxId[] = [];
    for (const w of current.open.sorted) {
      const latest = s.latestVote.get(w);
      if (latest && s.valid.get(latest.id)?.epochs.seen.key === current.seen.key)
        acks.push(latest.id);
    }
    if (acks.length >= current.open.quorum)
      for (const id of acks.slice(0, current.open.quorum)) deps.add(id);
  }
  if (head) deps.delete(head.id);
  const list = [...deps];
  const state = epochsFrom(s, own, head ? [head.id, ...list] : list);
  const advances = state.seen.key !== own.seen.key || state.open.key !== own.open.key;
  return { deps: list, state, advances };
}

/** The witness set a change opened, once some transaction knows it enacted. */
export function configOfChange(s: LedgerState, change: TxId): Config | undefined {
  for (const config of s.configs.values()) if (config.change === change) return config;
  return undefined;
}

/**
 * Every identity that holds or held money or has signed anything (not the one-time key of a
 * proposal or a revocation): who stays a member when an open network closes.
 */
export function activeIdentities(s: LedgerState): KeyHex[] {
  const out = new Set<KeyHex>();
  for (const key of new Set([...s.chains.authors(), ...s.balance.keys()])) {
    if (s.proposals.isProposer(key) || s.devices.revocationBy(key)) continue;
    out.add(s.devices.identityOf(key));
  }
  return [...out].sort();
}

/** The witnesses of the current set, and during a change those of the set taking over. */
export function isWitnessNow(s: LedgerState, key: KeyHex): boolean {
  return s.current.open.witnesses.has(key) || s.current.seen.witnesses.has(key);
}

/** Whether `key` (an identity or one of its devices) may sign now (§13.7). */
export function mayActNow(s: LedgerState, key: KeyHex): boolean {
  return isWitnessNow(s, key) || mayAct(s.current.open, s.devices.identityOf(key));
}
