// A witness's next checkpoint (docs/protocol.md §14): where it goes and what it cites, then,
// once the state at that cut is computed (ledger/cutState.ts), the transaction itself. Two steps,
// because the state depends on the parents and the transaction names the state.
import { fromHex } from '../bytes.ts';
import type { KeyHex, TxId } from '../ids.ts';
import { nextPosition, type Ledger } from '../ledger/ledger.ts';
import { CHECKPOINT_FORMAT, CHECKPOINT_TYPE } from '../tx/checkpoint.ts';
import { MAX_DEPS, type UnsignedTx } from '../tx/envelope.ts';
import { reject, type Rejection } from '../tx/rejection.ts';
import { withEpochDeps, type ComposeResult } from './compose.ts';

export interface CheckpointPlan {
  readonly n: number;
  readonly after: TxId | null;
  readonly seq: number;
  readonly prev: TxId | null;
  readonly deps: readonly TxId[];
}

/** The parents a plan's cut is the causal past of. */
export const planParents = (plan: CheckpointPlan): TxId[] =>
  plan.prev === null ? [...plan.deps] : [plan.prev, ...plan.deps];

/**
 * The next checkpoint of `witness`: it follows the latest certified one, and its cut holds every
 * witness's latest vote, so that what is final in the cut is what the witnesses have said.
 */
export function planCheckpoint(ledger: Ledger, witness: KeyHex): CheckpointPlan | Rejection {
  if (!ledger.isWitnessNow(witness))
    return reject('not-witness', 'only a witness may propose a checkpoint');
  const position = nextPosition(ledger, witness);
  if ('code' in position) return position;
  const after = ledger.latestCertified();
  const deps = new Set<TxId>();
  if (after && after.id !== position.prev) deps.add(after.id);
  // Room is kept for the epoch evidence withEpochDeps may add.
  for (const other of [...ledger.witnesses].sort()) {
    const vote = ledger.latestVote(other);
    if (other !== witness && vote !== undefined && deps.size < MAX_DEPS - 1) deps.add(vote);
  }
  const tx = withEpochDeps(ledger, {
    net: ledger.networkId,
    ...position,
    deps: [...deps],
    type: CHECKPOINT_TYPE,
    body: {},
    time: 0,
  });
  return { n: (after?.n ?? 0) + 1, after: after?.id ?? null, ...position, deps: tx.deps };
}

/**
 * The checkpoint of `plan`, stating the state computed at its cut; refused when the witness's
 * chain moved on meanwhile (its head is a parent, so the cut would be another).
 */
export function composeCheckpoint(
  ledger: Ledger,
  witness: KeyHex,
  plan: CheckpointPlan,
  state: { readonly root: string; readonly size: number },
  time: number,
): ComposeResult {
  const position = nextPosition(ledger, witness);
  if ('code' in position) return { ok: false, rejection: position };
  if (position.seq !== plan.seq || position.prev !== plan.prev)
    return {
      ok: false,
      rejection: reject('bad-sequence', 'the chain moved on while the state was computed'),
    };
  const tx: UnsignedTx = {
    net: ledger.networkId,
    seq: plan.seq,
    prev: plan.prev,
    deps: [...plan.deps],
    type: CHECKPOINT_TYPE,
    body: {
      n: plan.n,
      ...(plan.after ? { after: fromHex(plan.after) } : {}),
      format: CHECKPOINT_FORMAT,
      root: fromHex(state.root),
      size: state.size,
    },
    time,
  };
  // The author adds the latest view of the witness sets to every transaction's deps; a deps
  // list it would change is another cut than the one whose state was computed.
  if (withEpochDeps(ledger, tx).deps.length !== tx.deps.length)
    return {
      ok: false,
      rejection: reject('bad-sequence', 'the witness sets changed while the state was computed'),
    };
  return { ok: true, claimed: 0n, tx };
}
