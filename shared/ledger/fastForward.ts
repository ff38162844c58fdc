// Starting a ledger from a certified checkpoint (docs/protocol.md §14.9): a newcomer, or a peer
// far behind, takes the state of the latest certified checkpoint instead of replaying the
// history before it. Every way a snapshot can be wrong is refused with a sentence, and the
// caller falls back to another source: fewer than a quorum of witnesses, a state whose root is
// not the stated one, another network, a snapshot older than the one the peer has (rolling it
// back), or a cut that contradicts a transaction the peer holds as final.
import type { TypeRegistry, VerifiedTx } from '../tx/registry.ts';
import type { GenesisBody } from '../tx/genesis.ts';
import { checkCertificate, stateMatches, type Certificate } from './certificate.ts';
import { CutCover } from './cutCover.ts';
import { Ledger } from './ledger.ts';

export interface FastForwardOptions {
  /** The number of the checkpoint the peer already started from: only a later one is taken. */
  readonly newerThan?: number;
  /** What the peer holds already: a state contradicting what is final there is refused. */
  readonly holds?: Ledger;
  /** The largest state accepted, in bytes. */
  readonly maxBytes: number;
}

export type FastForward =
  | {
      readonly ok: true;
      readonly ledger: Ledger;
      readonly n: number;
      /** What the state's cut covers (§14.11), read before anything after the cut went in. */
      readonly cover: CutCover;
    }
  | { readonly ok: false; readonly error: string };

/**
 * The ledger of a certified checkpoint's state, with the checkpoint, its chain and its votes
 * inserted (they follow the cut); the rest of the history is then inserted as it comes, and what
 * the state dropped is neither stored nor counted again (§14.5).
 */
export function fromCertified(
  genesis: VerifiedTx<GenesisBody>,
  registry: TypeRegistry,
  certificate: Certificate,
  state: Uint8Array,
  options: FastForwardOptions,
): FastForward {
  const checked = checkCertificate(genesis, certificate);
  if (!checked.ok) return checked;
  const checkpoint = checked.value;
  if (options.newerThan !== undefined && checkpoint.n <= options.newerThan)
    return {
      ok: false,
      error: `this snapshot (checkpoint ${checkpoint.n}) is not newer than the one this peer has (checkpoint ${options.newerThan}): an older snapshot cannot roll it back`,
    };
  if (!stateMatches(checkpoint, state))
    return {
      ok: false,
      error: `the state offered for checkpoint ${checkpoint.n} is not the one it states (its root or size differs)`,
    };
  const restored = Ledger.fromCompactBytes(genesis, registry, state, options.maxBytes);
  if (!restored.ok) return { ok: false, error: `the state cannot be read: ${restored.error}` };
  const ledger = restored.ledger;
  const conflict = options.holds && contradiction(ledger, options.holds);
  if (conflict) return { ok: false, error: conflict };
  // Read here, so that a peer starting from the state need not decode it a second time for it.
  const cover = CutCover.ofLedger(ledger);
  for (const tx of [certificate.checkpoint, ...certificate.chain, ...certificate.votes])
    ledger.insert(tx);
  return { ok: true, ledger, n: checkpoint.n, cover };
}

/** A transaction final in `held` that the state replaces at its place, said in a sentence. */
function contradiction(state: Ledger, held: Ledger): string | null {
  for (const id of state.validIds()) {
    const tx = state.get(id);
    if (!tx) continue;
    for (const other of held.idsAt(tx.author, tx.seq))
      if (other !== id && held.isFinal(other))
        return `the snapshot contradicts transaction ${other.slice(0, 12)}, which this peer holds as final: it is refused`;
  }
  return null;
}
