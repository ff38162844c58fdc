// vote: a witness's checkpoint. It names, for some authors, the head of that author's chain
// the witness has seen; it covers the head and all of its ancestors. The ledger core checks
// votes itself, because finality is the core's business. A vote with no heads is a tick: it
// only dates the witness's view (see LedgerReader.viewHead), which service deadlines need.
import * as v from 'valibot';
import { bytes32, sortedUnique, uint } from './schema.ts';

export const MAX_VOTE_HEADS = 64;

export const voteSchema = v.strictObject({
  heads: v.pipe(
    v.array(v.strictTuple([bytes32, uint, bytes32])),
    v.maxLength(MAX_VOTE_HEADS, `at most ${MAX_VOTE_HEADS} heads`),
    v.check(
      (heads) => sortedUnique(heads.map(([author]) => author)),
      'heads must be sorted by author and unique',
    ),
  ),
});

export type VoteBody = v.InferOutput<typeof voteSchema>;
