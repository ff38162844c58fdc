// Canonical index snapshots under random schedules (seeded fast-check): the same set of valid
// transactions, inserted into fresh ledgers in different orders, gives byte-identical snapshots
// of every feature index (DNEC market, profile, network-refound, room-key) and of the SSK
// directory; and each snapshot restores to an index that writes the same bytes again.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCanonical } from '../../shared/codec/cbor.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { SskDirectory, restoreSskPairs, snapshotSskPairs } from '../../shared/ssk/directory.ts';
import { toHex } from '../../shared/bytes.ts';
import { CODECS, indexOf, newWorld, replay, runSchedule, stepArb } from './indexWorld.ts';

/** Every index of the ledger as hex of its canonical bytes, by key. */
function snapshots(ledger: Ledger): Map<string, string> {
  const out = new Map<string, string>();
  for (const codec of CODECS) {
    const value = codec.snapshot(indexOf(ledger, codec.key));
    const restored = codec.restore(value);
    if (!restored.ok) throw new Error(restored.error);
    const bytes = encodeCanonical(value);
    expect(encodeCanonical(codec.snapshot(restored.index))).toEqual(bytes);
    out.set(codec.key, toHex(bytes));
  }
  const directory = snapshotSskPairs(new SskDirectory(ledger));
  const restored = restoreSskPairs(directory);
  if (!restored.ok) throw new Error(restored.error);
  expect(encodeCanonical(snapshotSskPairs(restored.index))).toEqual(encodeCanonical(directory));
  out.set('ssk-directory', toHex(encodeCanonical(directory)));
  return out;
}

describe('feature index snapshots under random arrival orders', () => {
  it('the same transactions in any order give byte-identical snapshots of every index', async () => {
    let reordered = 0;
    const totals = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 20, maxLength: 50 }),
        fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }),
        async (steps, first, second) => {
          const world = await newWorld();
          await runSchedule(world, steps);
          const ledger = world.market.ledger;
          // Transactions of each indexed type are in every schedule.
          const types = new Map<string, number>();
          for (const id of ledger.validIds()) {
            const type = ledger.get(id)?.type ?? '';
            types.set(type, (types.get(type) ?? 0) + 1);
          }
          for (const type of [
            'profile',
            'network-refound',
            'room-key',
            'ssk',
            'bond',
            'offer',
            'request',
            'service',
          ])
            expect(types.get(type) ?? 0, type).toBeGreaterThan(0);
          for (const [type, n] of types) totals.set(type, (totals.get(type) ?? 0) + n);

          const a = replay(ledger, first);
          const b = replay(ledger, second);
          expect(a.stateRoot()).toBe(ledger.stateRoot());
          expect(b.stateRoot()).toBe(ledger.stateRoot());
          if (a.validIds().join() !== b.validIds().join()) reordered++;

          const expected = snapshots(ledger);
          expect(snapshots(a)).toEqual(expected);
          expect(snapshots(b)).toEqual(expected);
        },
      ),
      {
        numRuns: Number(process.env.GPOW_INDEX_SNAPSHOT_RUNS ?? 12),
        seed: Number(process.env.GPOW_INDEX_SNAPSHOT_SEED ?? 20260117),
      },
    );
    // Not vacuous: the orders differed, and the DNEC life cycle went past its requests.
    expect(reordered).toBeGreaterThan(0);
    for (const type of ['accept', 'deliver', 'settle', 'vote'])
      expect(totals.get(type) ?? 0, type).toBeGreaterThan(0);
  }, 180_000);
});
