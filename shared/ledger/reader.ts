// What transaction types may read of the ledger (LedgerReader, shared/tx/types.ts): valid
// transactions, ancestry, and a witness's view at a time, by which service deadlines are judged
// (§11.3).
import type { KeyHex, TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import type { GenesisBody } from '../tx/genesis.ts';
import type { LedgerReader, ViewHead } from '../tx/types.ts';
import type { Chains } from './chains.ts';
import type { EpochState } from './epochs.ts';
import type { VoteHead, VoteIndex } from './votes.ts';

/**
 * The parts of the ledger's state the reader reads (LedgerState has them). Typed here, not
 * imported, so that the state can build its reader without an import cycle.
 */
export interface ReaderSource {
  readonly valid: ReadonlyMap<
    TxId,
    { readonly tx: Tx; readonly heads: readonly VoteHead[] | null }
  >;
  readonly chains: Chains;
  readonly votes: VoteIndex;
  /** Read at each call: the reader follows this peer's view of the witness sets. */
  readonly current: EpochState;
  /** The genesis is the valid transaction of this id. */
  readonly networkId: TxId;
}

export function makeReader(s: ReaderSource): LedgerReader {
  const params = (s.valid.get(s.networkId)?.tx.body as Partial<GenesisBody> | undefined)?.params;
  const witnessedDraw = params?.witnessedDraw === true;
  return {
    witnessedDraw,
    get witnesses() {
      return s.current.open.sorted;
    },
    get quorum() {
      return s.current.open.quorum;
    },
    valid: (id) => s.valid.get(id)?.tx,
    isAncestorOrEqual: (a, d) =>
      s.valid.has(a) && s.valid.has(d) && s.chains.isAncestorOrEqual(a, d),
    viewHead: (voteId, author, at) => viewHead(s, voteId, author, at),
    covers: (head, tx) => s.chains.covers(head, tx),
  };
}

/** See LedgerReader.viewHead. Vote times never decrease along a witness's chain. */
function viewHead(s: ReaderSource, voteId: TxId, author: KeyHex, at: number): ViewHead | undefined {
  const vote = s.valid.get(voteId);
  if (!vote?.heads) return undefined;
  const refs = s.votes.refs(vote.tx.author, author);
  for (let i = refs.length - 1; i >= 0; i--) {
    const ref = refs[i] as (typeof refs)[number];
    if (ref.witnessSeq > vote.tx.seq) continue;
    const entry = s.valid.get(ref.voteId);
    if (!entry || entry.tx.time > at) continue;
    if (s.chains.isAncestorOrEqual(ref.voteId, voteId)) return ref.head;
  }
  return undefined;
}
