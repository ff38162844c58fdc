// The transfers a user's history shows: those the ledger holds, and those below the cut of the
// state it started from that a pruned log kept for the user (Ledger.past, docs/protocol.md
// §14.12), which lie in a certified cut and so are final. One walk for every history view.
import { keyHexOf, type KeyHex } from '../ids.ts';
import type { VerifiedTx } from '../tx/registry.ts';
import type { TransferBody } from '../tx/transfer.ts';
import type { Ledger } from './ledger.ts';
import type { TxStatus } from './views.ts';

export interface TransferSeen {
  readonly tx: VerifiedTx<TransferBody>;
  readonly to: KeyHex;
  /** Whether one of `mine` paid it (else one of them was paid). */
  readonly out: boolean;
  readonly status: TxStatus;
}

const FINAL: TxStatus = { state: 'final' };

/** Every transfer from or to one of the chains `mine`, past ones first. */
export function* transfersOf(ledger: Ledger, mine: ReadonlySet<KeyHex>): Generator<TransferSeen> {
  for (const tx of ledger.past) {
    const seen = transferOf(tx, mine);
    if (seen) yield { ...seen, status: FINAL };
  }
  for (const id of ledger.validIds()) {
    const tx = ledger.get(id) as VerifiedTx | undefined;
    const seen = tx && transferOf(tx, mine);
    if (seen) yield { ...seen, status: ledger.status(id) };
  }
}

function transferOf(
  tx: VerifiedTx,
  mine: ReadonlySet<KeyHex>,
): Omit<TransferSeen, 'status'> | null {
  if (tx.type !== 'transfer') return null;
  const transfer = tx as VerifiedTx<TransferBody>;
  const to = keyHexOf(transfer.body.to);
  const out = mine.has(tx.author);
  return out || mine.has(to) ? { tx: transfer, to, out } : null;
}
