// Validation (docs/protocol.md §6.1, §6.2): whether a transaction whose parents are all settled
// is valid, and what it computes (running totals, claims, epoch state). Every input lies in the
// transaction's causal past, so the answer is the same on every peer and never changes.
import { keyHexOf, type KeyHex, type TxId } from '../ids.ts';
import { CHECKPOINT_TYPE } from '../tx/checkpoint.ts';
import { DEVICE_TYPE, REVOKE_TYPE } from '../tx/device.ts';
import type { Tx } from '../tx/envelope.ts';
import { reject, type Rejection } from '../tx/rejection.ts';
import { isRejection, NO_EFFECTS, type Effects } from '../tx/types.ts';
import { WITNESS_SET_TYPE } from '../tx/witnessSet.ts';
import { markOf } from './budget.ts';
import { checkCheckpoint } from './checkpoints.ts';
import { claimsOf } from './claims.ts';
import { checkDevice, checkRevoke, type ChainFacts } from './devices.ts';
import { countingConfig, mayAct, type EpochState } from './epochs.ts';
import { quorumAmong } from './finality.ts';
import type { LedgerState, ValidEntry } from './state.ts';
import { checkVote } from './voteRules.ts';
import type { VoteHead } from './votes.ts';
import { checkProposal, epochsFrom } from './witnessChanges.ts';

const NO_CLAIMS: readonly TxId[] = Object.freeze([]);

/** A transaction's parents: its prev, then its deps. */
export function parentsOf(tx: Tx): TxId[] {
  return tx.prev === null ? [...tx.deps] : [tx.prev, ...tx.deps];
}

/** All parents are settled (valid or rejected). Decide using the causal past only. */
export function validate(s: LedgerState, tx: Tx): ValidEntry | Rejection {
  let prev: ValidEntry | undefined;
  if (tx.prev !== null) {
    prev = s.valid.get(tx.prev);
    if (!prev) return reject('invalid-predecessor', `predecessor ${tx.prev} is invalid`);
    if (prev.tx.author !== tx.author || prev.tx.seq !== tx.seq - 1) {
      return reject(
        'bad-sequence',
        `seq ${tx.seq} does not follow its predecessor in the author's chain`,
      );
    }
  } else if (tx.author === s.founder) {
    return reject('bad-sequence', "the founder's chain begins with the genesis");
  }
  for (const dep of tx.deps) {
    if (!s.valid.has(dep)) return reject('invalid-dependency', `dependency ${dep} is invalid`);
  }

  let effects: Effects = NO_EFFECTS;
  let heads: VoteHead[] | null = null;
  let cost: 0 | 1 = 1;
  const epochs = epochsFrom(s, prev?.epochs ?? s.origin, parentsOf(tx));
  if (tx.type === 'genesis') {
    return reject('unexpected-genesis', 'a network has exactly one genesis');
  } else if (tx.type === 'vote') {
    const checked = checkVote(s, tx, epochs);
    if ('code' in checked) return checked;
    heads = checked.heads;
    if (checked.advances) cost = 0;
  } else if (tx.type === DEVICE_TYPE || tx.type === REVOKE_TYPE) {
    if (!mayAct(epochs.open, actingIdentity(s, tx))) return notMember(epochs);
    const facts = factsFor(s, epochs);
    const problem = tx.type === DEVICE_TYPE ? checkDevice(tx, facts) : checkRevoke(tx, facts);
    if (problem) return problem;
  } else if (tx.type === WITNESS_SET_TYPE) {
    const problem = checkProposal(s, tx, epochs);
    if (problem) return problem;
  } else if (tx.type === CHECKPOINT_TYPE) {
    const problem = checkCheckpoint(s.checkpoints, tx, epochs);
    if (problem) return problem;
  } else if (!mayAct(epochs.open, actingIdentity(s, tx))) {
    return notMember(epochs);
  } else {
    const type = s.registry.get(tx.type);
    if (!type) return reject('unknown-type', `unknown transaction type "${tx.type}"`);
    const result = type.effects(tx, s.context(tx));
    if (isRejection(result)) return result;
    effects = result;
    if (type.budgetFree) cost = 0;
  }
  const budget = s.budget ? markOf(s.budget, tx.time, prev, parentEntries(s, tx), cost) : null;
  if (budget && 'code' in budget) return budget;
  const voteTime = tx.type === 'vote' ? tx.time : (prev?.voteTime ?? -1);

  const { claims, claimed, line, succession } = claimsOf(s, tx, prev);
  const debited = (prev?.debited ?? 0n) + effects.debit;
  if (effects.debit > 0n) {
    const spendable =
      (s.allocation.get(tx.author) ?? 0n) + claimed - debited + (line ? s.creditLimit : 0n);
    if (spendable < 0n) {
      return reject('insufficient-funds', `short by ${-spendable} after claiming final credits`);
    }
  }
  return {
    tx,
    claimed,
    debited,
    effects,
    // Most transactions claim nothing: one shared empty list instead of one per entry.
    claims: claims.length === 0 ? NO_CLAIMS : claims,
    heads,
    voteTime,
    budget,
    line,
    succession,
    epochs,
    counts: heads ? countingConfig(epochs, tx.author) : null,
    applied: false,
  };
}

/** The valid entries of a transaction's parents (all settled and valid by now). */
const parentEntries = (s: LedgerState, tx: Tx): ValidEntry[] =>
  parentsOf(tx).map((id) => s.valid.get(id) as ValidEntry);

/**
 * The identity a transaction acts for (§13.7): a device's account, a revocation's account, or
 * the identity of the chain that signed it (a device chain's certificate is in its past).
 */
function actingIdentity(s: LedgerState, tx: Tx): KeyHex {
  if (tx.type === DEVICE_TYPE || tx.type === REVOKE_TYPE)
    return keyHexOf((tx.body as { account: Uint8Array }).account);
  return s.devices.identityOf(tx.author);
}

/** What the device checks need, with the witnesses of the transaction's own epoch. */
function factsFor(s: LedgerState, epochs: EpochState): ChainFacts {
  return {
    founder: s.founder,
    witnesses: epochs.open.witnesses,
    hasAllocation: (key) => s.allocation.has(key),
    valid: (id) => s.valid.get(id)?.tx,
    ancestorAt: (id, seq) => s.chains.ancestorAt(id, seq),
    finalAmong: (id, candidates) => quorumAmong(s, id, candidates) !== null,
  };
}

function notMember(epochs: EpochState): Rejection {
  return reject(
    'not-member',
    epochs.open.membership.closed
      ? 'the author is not a member of this network: a quorum of the witnesses admits members'
      : 'the author was removed from this network by a change of its witnesses',
  );
}
