// The user's market history from before a pruned log's checkpoint (engine/pruning.ts,
// shared/ledger/past.ts): the rows a prune computes on the whole ledger, kept beside the log,
// read back (a damaged copy is said, not shown as empty), and shown once each by the app's history.
import { describe, expect, it } from 'vitest';
import { loadPastEntries, marketPast, restorePast, savePastEntries } from '../../engine/pruning.ts';
import { historyOf } from '../../renderer/runtime/views.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import { decodePastEntries, encodePastEntries, type PastEntry } from '../../shared/ledger/past.ts';
import { MemoryLogStore } from '../../shared/storage/memoryStore.ts';
import { newMarket } from '../helpers/market.ts';

const ID = 'ab'.repeat(32) as TxId;
const KEY = 'cd'.repeat(32) as KeyHex;

describe("the user's market history before a pruned log's checkpoint", () => {
  it('is computed from the whole ledger, kept, read back and shown once, as final', async () => {
    const market = await newMarket([['val', 500n]]);
    const val = market.who('val');
    const bond = await market.act('val', 'bond', { amount: 10n }, { debit: 10n });
    expect(bond.outcome.status).toBe('accepted');
    await market.voteAll(2);
    await market.voteAll(3);
    const rows = marketPast(market.ledger, [val.key], () => true);
    expect(rows).toEqual([
      {
        id: bond.tx.id,
        time: bond.tx.time,
        direction: 'out',
        kind: 'bond',
        counterparty: val.key,
        amount: 10n,
      },
    ]);
    expect(marketPast(market.ledger, [val.key], () => false)).toEqual([]);

    const store = new MemoryLogStore();
    await savePastEntries(store, ID, rows);
    expect(await loadPastEntries(store)).toEqual(rows);
    expect(await restorePast(store, market.ledger, val.key, [])).toBeNull();
    // The ledger still holds the bond itself: the history shows it once.
    const bonds = historyOf(market.ledger, val.key).filter((e) => e.kind === 'bond');
    expect(bonds).toEqual([expect.objectContaining({ id: bond.tx.id, status: 'final' })]);

    // A row whose transaction the ledger no longer holds is shown from what was kept.
    const gone: PastEntry = { ...(rows[0] as PastEntry), id: ID, time: 7 };
    market.ledger.keepPast([], [gone]);
    const shown = historyOf(market.ledger, val.key).filter((e) => e.kind === 'bond');
    expect(shown.map((e) => [e.id, e.status]).sort()).toEqual(
      [
        [bond.tx.id, 'final'],
        [ID, 'final'],
      ].sort(),
    );
  });

  it('says so when the kept rows are damaged, and gives the rest all the same', async () => {
    const market = await newMarket([['val', 500n]]);
    const store = new MemoryLogStore();
    await savePastEntries(store, ID, []);
    expect(await loadPastEntries(store)).toEqual([]);
    store.data.meta.delete('past-entries-0');
    expect(await loadPastEntries(store)).toBe('they are not whole');
    const said = await restorePast(store, market.ledger, market.who('val').key, []);
    expect(said).toMatch(
      /^Your service-market history from before the checkpoint .* cannot be read \(they are not whole\)/,
    );
    expect(market.ledger.pastEntries).toEqual([]);
  });

  it('reads back only rows of the expected form', () => {
    const row: PastEntry = {
      id: ID,
      time: 1,
      direction: 'in',
      kind: 'payout',
      counterparty: KEY,
      amount: 5n,
    };
    expect(decodePastEntries(encodePastEntries([row]))).toEqual([row]);
    expect(decodePastEntries(Uint8Array.of(0xff))).toMatch(/^they are not readable/);
    const bad = encodePastEntries([{ ...row, kind: 'theft' as PastEntry['kind'] }]);
    expect(decodePastEntries(bad)).toBe('they are not in the expected form');
    const negative = encodePastEntries([{ ...row, amount: -1n }]);
    expect(decodePastEntries(negative)).toBe('they are not in the expected form');
  });
});
