// Money an account moved through the service market, as history rows: escrows, payouts, bonds
// and unbonds. Pure, for every history view and for what a prune keeps of it (engine/pruning.ts).
import type { KeyHex, TxId } from '../ids.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { PastEntry } from '../ledger/past.ts';
import type { TxStatus } from '../ledger/views.ts';
import { instancesOf, market } from './queries.ts';

export interface MarketHistoryEntry extends Omit<PastEntry, 'kind'> {
  readonly kind: 'escrow' | 'payout' | 'bond' | 'unbond';
  readonly status: TxStatus;
}

/** Every market movement of `me`'s money the ledger holds, in no particular order. */
export function marketHistoryOf(ledger: Ledger, me: KeyHex): MarketHistoryEntry[] {
  const out: MarketHistoryEntry[] = [];
  const entry = (
    id: TxId,
    kind: MarketHistoryEntry['kind'],
    direction: MarketHistoryEntry['direction'],
    counterparty: KeyHex,
    amount: bigint,
  ): void => {
    const tx = ledger.get(id);
    if (!tx || amount === 0n) return;
    const status = ledger.status(id);
    out.push({ id, time: tx.time, direction, kind, counterparty, amount, status });
  };
  for (const view of instancesOf(ledger, me)) {
    const { request } = view;
    const other = request.consumer === me ? request.provider : request.consumer;
    if (request.consumer === me)
      entry(request.id, 'escrow', 'out', request.provider, request.escrow);
    if (view.settled && view.decision.state === 'decided') {
      const paid = view.decision.payouts
        .filter((payout) => payout.to === me)
        .reduce((sum, payout) => sum + payout.amount, 0n);
      entry(view.settled.id, 'payout', 'in', other, paid);
    }
  }
  const index = market(ledger);
  for (const bond of index.bonds.values()) {
    if (bond.validator !== me) continue;
    entry(bond.id, 'bond', 'out', me, bond.amount);
    const unbond = index.actions(bond.id, 'unbond')[0];
    if (unbond) entry(unbond, 'unbond', 'in', me, bond.amount);
  }
  return out;
}
