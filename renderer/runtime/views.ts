// Read-only views of a ledger for the screens: a wallet's history, the explorer's authors and
// chains. All state comes from the Ledger's own queries; nothing here decides anything.
import { encodeAddress, type Address } from '../../shared/identity/address.ts';
import { fromHex } from '../../shared/bytes.ts';
import { keyHexOf, type KeyHex, type TxId } from '../../shared/ids.ts';
import type { AccountView, Ledger, TxStatus } from '../../shared/ledger/ledger.ts';
import type { Tx } from '../../shared/tx/envelope.ts';
import type { TransferBody } from '../../shared/tx/transfer.ts';
import { transfersOf } from '../../shared/ledger/past.ts';
import { marketHistoryOf } from '../../shared/dnec/marketHistory.ts';

export const addressOf = (key: KeyHex): Address => encodeAddress(fromHex(key));

export type Memo =
  | { readonly kind: 'none' }
  | { readonly kind: 'text'; readonly text: string }
  /** Bytes that are not text: a memo sealed for the two parties (SSK), or binary data. */
  | { readonly kind: 'sealed' };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function memoOf(bytes: Uint8Array | undefined): Memo {
  if (bytes === undefined || bytes.length === 0) return { kind: 'none' };
  try {
    return { kind: 'text', text: strictUtf8.decode(bytes) };
  } catch {
    return { kind: 'sealed' };
  }
}

export type Finality = 'final' | 'pending' | 'void';

export interface HistoryEntry {
  readonly id: TxId;
  /** The author's claimed time (ms): shown, never trusted. */
  readonly time: number;
  readonly direction: 'in' | 'out';
  /**
   * 'allocation' is the network's founding grant to this account; 'escrow' a service request's
   * lock, 'payout' what a settlement paid this account, 'bond' and 'unbond' a validator's bond
   * locked and released.
   */
  readonly kind: 'allocation' | 'transfer' | 'escrow' | 'payout' | 'bond' | 'unbond';
  /** The other party; for an allocation, the network's founder. */
  readonly counterparty: KeyHex;
  readonly amount: bigint;
  readonly memo: Memo;
  readonly status: Finality;
}

function finalityOf(status: TxStatus): Finality | null {
  return status.state === 'final' || status.state === 'pending' || status.state === 'void'
    ? status.state
    : null;
}

/**
 * Every payment to or from `me`'s identity, over all of its chains (its own and its devices',
 * docs/protocol.md §12), newest first, with the genesis allocation last.
 */
export function historyOf(ledger: Ledger, me: KeyHex): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  const identity = ledger.identityOf(me);
  const mine = new Set(ledger.chainsOf(me));
  // With what a pruned log kept of the user's history before its checkpoint (§14.12).
  for (const { tx, to, out, status: state } of transfersOf(ledger, mine)) {
    const status = finalityOf(state);
    if (status === null) continue;
    entries.push({
      id: tx.id,
      time: tx.time,
      direction: out ? 'out' : 'in',
      kind: 'transfer',
      counterparty: out ? to : tx.author,
      amount: tx.body.amount,
      memo: memoOf(tx.body.memo),
      status,
    });
  }
  entries.push(...marketRowsOf(ledger, me));
  entries.sort((a, b) => b.time - a.time || (a.id < b.id ? -1 : 1));
  const genesis = ledger.genesis;
  for (const [key, amount] of genesis.body.allocations) {
    if (keyHexOf(key) !== identity) continue;
    entries.push({
      id: genesis.id,
      time: genesis.time,
      direction: 'in',
      kind: 'allocation',
      counterparty: genesis.author,
      amount,
      memo: { kind: 'none' },
      status: 'final',
    });
  }
  return entries;
}

/**
 * Money this account moved through the service market: escrows, payouts and bonds, with the
 * rows a pruned log kept of those before its checkpoint (§14.12), which are final.
 */
function marketRowsOf(ledger: Ledger, me: KeyHex): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const entry of marketHistoryOf(ledger, me)) {
    const status = finalityOf(entry.status);
    if (status !== null) out.push({ ...entry, memo: NO_MEMO, status });
  }
  const held = new Set(out.map((entry) => entry.id));
  for (const entry of ledger.pastEntries)
    if (!held.has(entry.id)) out.push({ ...entry, memo: NO_MEMO, status: 'final' });
  return out;
}

const NO_MEMO: Memo = { kind: 'none' };

export interface HistoryFilter {
  readonly direction: 'all' | 'in' | 'out';
  readonly status: 'all' | Finality;
  /** Matched against the counterparty's address, its label and the memo text. */
  readonly text: string;
}

export function filterHistory(
  entries: readonly HistoryEntry[],
  filter: HistoryFilter,
  labelOf: (key: KeyHex) => string | undefined,
): HistoryEntry[] {
  const needle = filter.text.trim().toLowerCase();
  return entries.filter((entry) => {
    if (filter.direction !== 'all' && entry.direction !== filter.direction) return false;
    if (filter.status !== 'all' && entry.status !== filter.status) return false;
    if (needle === '') return true;
    const haystack = [
      addressOf(entry.counterparty),
      labelOf(entry.counterparty) ?? '',
      entry.memo.kind === 'text' ? entry.memo.text : '',
    ];
    return haystack.some((text) => text.toLowerCase().includes(needle));
  });
}

// ---- explorer ----------------------------------------------------------------------------

export interface AuthorSummary {
  readonly key: KeyHex;
  readonly transactions: number;
  readonly witness: boolean;
  readonly account: AccountView;
}

export function authorsOf(ledger: Ledger): AuthorSummary[] {
  const counts = new Map<KeyHex, number>();
  for (const id of ledger.validIds()) {
    const tx = ledger.get(id);
    if (tx) counts.set(tx.author, (counts.get(tx.author) ?? 0) + 1);
  }
  for (const key of ledger.accounts()) if (!counts.has(key)) counts.set(key, 0);
  return [...counts.entries()]
    .map(([key, transactions]) => ({
      key,
      transactions,
      witness: ledger.witnesses.has(key),
      account: ledger.account(key),
    }))
    .sort((a, b) => b.transactions - a.transactions || (a.key < b.key ? -1 : 1));
}

export interface ChainEntry {
  readonly id: TxId;
  readonly seq: number;
  readonly type: string;
  readonly time: number;
  readonly status: TxStatus['state'];
  /** For a transfer, whom it pays and how much. */
  readonly transfer: { readonly to: KeyHex; readonly amount: bigint } | null;
  /** For a vote, how many chain heads it covers. */
  readonly votedHeads: number | null;
}

/** An author's transactions in chain order (both branches of a fork, side by side). */
export function chainOf(ledger: Ledger, author: KeyHex): ChainEntry[] {
  const out: ChainEntry[] = [];
  for (const id of ledger.validIds()) {
    const tx: Tx | undefined = ledger.get(id);
    if (tx?.author !== author) continue;
    const body = tx.body as Partial<TransferBody> & { heads?: unknown[] };
    out.push({
      id,
      seq: tx.seq,
      type: tx.type,
      time: tx.time,
      status: ledger.status(id).state,
      transfer:
        tx.type === 'transfer' && body.to && body.amount !== undefined
          ? { to: keyHexOf(body.to), amount: body.amount }
          : null,
      votedHeads: tx.type === 'vote' && Array.isArray(body.heads) ? body.heads.length : null,
    });
  }
  return out.sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : 1));
}
