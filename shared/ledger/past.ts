// A user's history from before the state a ledger started from (docs/protocol.md §14.12). A
// pruned log keeps the user's own transactions below the cut (Ledger.past), which lie in a
// certified cut and so are final; what the service market moved for the user then is kept as
// rows (PastEntry), computed from the whole history when the log was pruned, since the rest of
// each service instance is gone from the log. One walk of transfers for every history view.
import * as v from 'valibot';
import { decodeCanonical, encodeCanonical } from '../codec/cbor.ts';
import { keyHexOf, type KeyHex, type TxId } from '../ids.ts';
import type { VerifiedTx } from '../tx/registry.ts';
import type { TransferBody } from '../tx/transfer.ts';
import type { Ledger } from './ledger.ts';
import type { TxStatus } from './views.ts';

/** A movement of the user's money before the cut, other than a transfer (those are kept whole). */
export interface PastEntry {
  readonly id: TxId;
  readonly time: number;
  readonly direction: 'in' | 'out';
  readonly kind: 'escrow' | 'payout' | 'bond' | 'unbond';
  readonly counterparty: KeyHex;
  readonly amount: bigint;
}

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

/** Whether `tx` is a transfer from or to one of the chains `mine`: what a prune keeps. */
export const isOwnTransfer = (tx: VerifiedTx, mine: ReadonlySet<KeyHex>): boolean =>
  transferOf(tx, mine) !== null;

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

const HEX64 = /^[0-9a-f]{64}$/;
/** Far above any one person's history; a bound on what a damaged file can make us read. */
export const MAX_PAST_ENTRIES = 1_000_000;

const EntrySchema = v.strictObject({
  id: v.pipe(v.string(), v.regex(HEX64)),
  time: v.pipe(v.number(), v.integer(), v.minValue(0)),
  direction: v.picklist(['in', 'out']),
  kind: v.picklist(['escrow', 'payout', 'bond', 'unbond']),
  counterparty: v.pipe(v.string(), v.regex(HEX64)),
  // Canonical CBOR gives a safe integer back as a number, a larger one as a bigint.
  amount: v.union([
    v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
    v.pipe(v.bigint(), v.minValue(0n)),
  ]),
});
const EntriesSchema = v.strictObject({
  v: v.literal(1),
  entries: v.pipe(v.array(EntrySchema), v.maxLength(MAX_PAST_ENTRIES)),
});

export function encodePastEntries(entries: readonly PastEntry[]): Uint8Array {
  return encodeCanonical({ v: 1, entries: entries.map((entry) => ({ ...entry })) });
}

/** The rows in `bytes`, or a sentence saying why they cannot be read. */
export function decodePastEntries(bytes: Uint8Array): PastEntry[] | string {
  const decoded = decodeCanonical(bytes, bytes.length);
  if (!decoded.ok) return `they are not readable (${decoded.detail})`;
  const parsed = v.safeParse(EntriesSchema, decoded.value);
  if (!parsed.success) return 'they are not in the expected form';
  return parsed.output.entries.map((entry) => ({
    ...entry,
    id: entry.id as TxId,
    counterparty: entry.counterparty as KeyHex,
    amount: BigInt(entry.amount),
  }));
}
