// The state of a checkpoint (docs/protocol.md §14.1). The first checkpoint's state is the compact
// state of the ledger built from its cut; each later one's is the state of the checkpoint it
// follows, restored, with what its own cut adds inserted in the cut's canonical order, compacted
// again. So every peer computes it the same way from the same sets, a full peer and one that
// started from a snapshot alike, and the cost is the state plus what was added, not the history.
//
// (Compacting the whole cut again would not do: what a compact state keeps of an author depends
// on forks seen later, so it can ask for history an earlier snapshot dropped. Chaining keeps
// "snapshot of replay = replay after snapshot" true of decisions, which is what a ledger needs;
// test/ledger/checkpoint.properties.test.ts checks it.)
import type { TxId } from '../ids.ts';
import { MAX_CHECKPOINT_BYTES } from '../tx/checkpoint.ts';
import type { CheckpointRecord } from './checkpoints.ts';
import { Ledger } from './ledger.ts';
import { parentsOf } from './validate.ts';

export type CutState =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly root: string }
  | { readonly ok: false; readonly error: string };

/** Transactions inserted between two pauses of stateAtCutInSteps. */
export const CUT_STEP = 2_000;

/**
 * Whether `id`, held by `source`, is in the cut `base` was computed at: `base` holds it, or it
 * lies below a transaction of its author that `base` holds (a cut is closed under parents, and
 * a compact state keeps every tip of every chain).
 */
function inBase(base: Ledger, source: Ledger, id: TxId): boolean {
  if (base.has(id)) return true;
  const tx = source.get(id);
  if (!tx) return false;
  return base.tipsOf(tx.author).some((tip) => source.reader.isAncestorOrEqual(id, tip));
}

/** Builds the state at the cut of `parents` on `base`, yielding after every `step` insertions. */
function* build(
  source: Ledger,
  base: Uint8Array | null,
  parents: readonly TxId[],
  step: number,
): Generator<void, CutState> {
  const started = base
    ? Ledger.fromCompactBytes(source.genesis, source.registry, base, MAX_CHECKPOINT_BYTES)
    : Ledger.fromGenesis(source.genesis, source.registry);
  if (!started.ok)
    return {
      ok: false,
      error: `the state of the checkpoint it follows cannot be read: ${'error' in started ? started.error : started.rejection.message}`,
    };
  const next = started.ledger;
  const cut = source.cutOf(parents, base ? (id) => inBase(next, source, id) : undefined);
  if (!cut.ok) return cut;
  let sinceYield = 0;
  for (const tx of cut.txs) {
    next.insert(tx);
    if (++sinceYield >= step) {
      sinceYield = 0;
      yield;
    }
  }
  if (next.waitingCount > 0)
    return {
      ok: false,
      error:
        'the cut holds a transaction that cites history the state of the checkpoint it follows no longer has',
    };
  return next.compactBytes();
}

/** The state at the cut of `parents`, built on `base` (the state it follows, or none), at once. */
export function stateAtCut(
  source: Ledger,
  parents: readonly TxId[],
  base: Uint8Array | null = null,
): CutState {
  const steps = build(source, base, parents, Number.MAX_SAFE_INTEGER);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** stateAtCut, awaiting `pause()` every `step` insertions so that the platform stays responsive. */
export async function stateAtCutInSteps(
  source: Ledger,
  parents: readonly TxId[],
  base: Uint8Array | null,
  pause: () => Promise<void>,
  step = CUT_STEP,
): Promise<CutState> {
  const steps = build(source, base, parents, step);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await pause();
  }
}

/** The computed state of a checkpoint, or why it cannot be computed here. */
export async function checkpointState(
  source: Ledger,
  checkpoint: CheckpointRecord,
  stateOf: (id: TxId) => Uint8Array | undefined,
  pause: () => Promise<void>,
): Promise<CutState> {
  const tx = source.get(checkpoint.id);
  if (!tx) return { ok: false, error: 'the checkpoint is not held here' };
  const base = checkpoint.after === null ? null : stateOf(checkpoint.after);
  if (checkpoint.after !== null && !base)
    return {
      ok: false,
      error: `the state of checkpoint ${checkpoint.n - 1}, which it follows, is not known here`,
    };
  return stateAtCutInSteps(source, parentsOf(tx), base ?? null, pause);
}

/** Whether a computed state is the one a checkpoint states. */
export const statesMatch = (checkpoint: CheckpointRecord, state: CutState): boolean =>
  state.ok && state.root === checkpoint.root && state.bytes.length === checkpoint.size;
