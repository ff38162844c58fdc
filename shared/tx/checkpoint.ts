// checkpoint: a witness states the ledger's compact state at a cut (docs/protocol.md §14).
//
// The cut is the causal past of the checkpoint's parents (its prev and deps), a set fixed by
// hashes, so every peer that holds it computes the same state from it. `root` is the Merkle root
// of that state's canonical bytes (shared/ledger/compactCodec.ts), `size` their length. A
// checkpoint is certified when it is final: honest witnesses cover it only after computing the
// same root themselves, so a quorum's votes vouch for the state, and a joiner can start from it.
import * as v from 'valibot';
import { bytes32, uint } from './schema.ts';

export const CHECKPOINT_TYPE = 'checkpoint';

/** The compact state encoding a checkpoint's root is over (compactCodec.ts's COMPACT_VERSION). */
export const CHECKPOINT_FORMAT = 1;

/** A compact state larger than this is not checkpointed: 4 GiB, far above any co-op's state. */
export const MAX_CHECKPOINT_BYTES = 4 * 1024 * 1024 * 1024;

export const checkpointSchema = v.strictObject({
  /** 1 for a network's first checkpoint, then one above the checkpoint it follows. */
  n: v.pipe(uint, v.minValue(1, 'checkpoints are numbered from 1')),
  /** The checkpoint it follows (number n - 1): a parent, so its cut is inside this one's. */
  after: v.optional(bytes32),
  /** The state encoding, so that a change of it is a new format, never a silent reinterpretation. */
  format: v.literal(CHECKPOINT_FORMAT, `the state format is ${CHECKPOINT_FORMAT}`),
  root: bytes32,
  size: v.pipe(
    uint,
    v.minValue(1, 'a state is never empty'),
    v.maxValue(MAX_CHECKPOINT_BYTES, 'the state is too large to checkpoint'),
  ),
});

export type CheckpointBody = v.InferOutput<typeof checkpointSchema>;
