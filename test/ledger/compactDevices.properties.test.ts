// A compact state of a history with devices decides like the full ledger (docs/snapshots.md;
// protocol §12, §14.6): seeded histories of an identity paying from its own chain and up to
// three devices, topping them up, revoking them and a stolen device signing on, with partitions
// and a Byzantine witness, are cut after a first phase. The cut's ledger is compacted, written
// to bytes and read back (the same bytes again), the rest of the history inserted in any order,
// and every decision must match the full replay's or be behind (waiting for dropped history);
// when nothing is behind, every account, the identity's total, proofs, heads and the witness
// duty match. And the state of a checkpoint over such a history is the same on every peer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../shared/bytes.ts';
import type { TxId } from '../../shared/ids.ts';
import { stateAtCut } from '../../shared/ledger/cutState.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { expectSameDecisions, expectSameState } from '../helpers/compactCompare.ts';
import { DeviceSim, deviceActionArb, type DeviceSimConfig } from '../helpers/deviceSim.ts';
import { registry } from '../helpers/network.ts';
import { permuted } from '../helpers/sim.ts';

const config: DeviceSimConfig = {
  devices: 3,
  witnesses: 4,
  byzantine: 1,
  views: 2,
  creditLimit: 100n,
};

const seen = { runs: 0, revoked: 0, dropped: 0, compared: 0 };

describe('a compact state with devices decides like the full ledger', () => {
  it('seeded: cut, compact, bytes and back, then the rest in any order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(deviceActionArb(config), { minLength: 15, maxLength: 45 }),
        fc.array(deviceActionArb(config), { minLength: 10, maxLength: 40 }),
        fc.array(fc.nat(10_000), { minLength: 1, maxLength: 40 }),
        async (first, second, order) => {
          seen.runs++;
          const sim = await DeviceSim.create(config);
          await sim.run(first);
          await sim.settle();
          const cut = sim.signed.length;
          await sim.run(second);
          await sim.settle();

          const cutLedger = sim.replay(sim.signed.slice(0, cut));
          if (sim.signed.slice(0, cut).some((tx) => tx.type === 'device-revoke')) seen.revoked++;
          const bytes = cutLedger.compactBytes();
          if (!bytes.ok) throw new Error(bytes.error);
          const back = Ledger.fromCompactBytes(sim.genesis, registry, bytes.bytes, 1 << 24);
          if (!back.ok) throw new Error(back.error);
          const restored = back.ledger;
          const again = restored.compactBytes();
          expect(again.ok && toHex(again.bytes)).toBe(toHex(bytes.bytes));
          if (restored.validIds().length < cutLedger.validIds().length) seen.dropped++;

          const rest = sim.signed.slice(cut);
          for (const tx of permuted(rest, order)) restored.insert(tx);
          const full = sim.replay(sim.signed);
          const { waited, pruned } = expectSameDecisions(full, restored, rest);
          if (!waited && !pruned) {
            seen.compared++;
            const cast = { users: [sim.bob, ...sim.chains], witnesses: sim.witnesses };
            expectSameState(cast, full, restored);
            expect(restored.identityAccount(sim.alice.key)).toEqual(
              full.identityAccount(sim.alice.key),
            );
          }

          // The state of a checkpoint over this history: the same from any arrival order.
          const parents: TxId[] = [sim.signed[cut - 1]!.id];
          const here = stateAtCut(full, parents);
          const there = stateAtCut(sim.replay(permuted(sim.signed, order)), parents);
          expect(here.ok && there.ok && toHex(there.bytes)).toBe(here.ok && toHex(here.bytes));
        },
      ),
      {
        numRuns: Number(process.env.GPOW_COMPACT_RUNS ?? 25),
        seed: Number(process.env.GPOW_COMPACT_SEED ?? 0x6770_dec1),
      },
    );
    if (process.env.GPOW_SEEN) console.log(seen);
    // Not vacuous: revocations happened, compaction dropped entries, most runs compared in full.
    expect(seen.revoked).toBeGreaterThan(seen.runs / 4);
    expect(seen.dropped).toBeGreaterThan(seen.runs / 2);
    expect(seen.compared).toBeGreaterThan(seen.runs / 2);
  }, 300_000);
});
