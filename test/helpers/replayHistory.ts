// Replays a signed history into bare ledger states and runs a check after every arrival: the
// whole history in a random order, then its first half compacted and restored into a fresh
// state (read once, so a cache is built in one go), and the rest in a random order. What the
// properties comparing an index with its full walk share.
import fc from 'fast-check';
import { compact, restore } from '../../shared/ledger/compact.ts';
import { insert } from '../../shared/ledger/intake.ts';
import { LedgerState } from '../../shared/ledger/state.ts';
import type { GenesisBody } from '../../shared/tx/genesis.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { registry } from './network.ts';
import { DeviceSim, deviceActionArb, type DeviceSimConfig } from './deviceSim.ts';
import { actionArb, permuted, Sim, type SimConfig } from './sim.ts';

export function stateOf(genesis: VerifiedTx): LedgerState {
  return new LedgerState(genesis as VerifiedTx<GenesisBody>, registry);
}

/** Inserts `txs` one at a time, running `check` after each, as a wallet reads between them. */
export function replayChecking(
  s: LedgerState,
  txs: readonly VerifiedTx[],
  check: (s: LedgerState) => void,
): void {
  for (const tx of txs) {
    insert(s, tx, new Set());
    check(s);
  }
}

/**
 * The history in the order `order` permutes it, checked at every step; then restored from a
 * compact state of its first half and the rest replayed. Whether a restore happened (a ledger
 * holding types compact.ts does not handle yet is not compacted).
 */
export function replayHistory(
  genesis: VerifiedTx,
  signed: readonly VerifiedTx[],
  order: readonly number[],
  check: (s: LedgerState) => void,
): boolean {
  replayChecking(stateOf(genesis), permuted(signed, order), check);
  const cut = Math.ceil(signed.length / 2);
  const first = stateOf(genesis);
  for (const tx of signed.slice(0, cut)) insert(first, tx, new Set());
  check(first);
  const compacted = compact(first);
  if (!compacted.ok) return false;
  const restored = stateOf(genesis);
  restore(restored, compacted.state);
  check(restored);
  replayChecking(restored, permuted(signed.slice(cut), order), check);
  return true;
}

/** What a property checks of one generated history. */
export type HistoryCheck = (
  genesis: VerifiedTx,
  signed: readonly VerifiedTx[],
  order: number[],
) => void;

/** Seeded random payment histories: partitions, forks and a Byzantine witness (helpers/sim.ts). */
export async function forEachPaymentHistory(
  config: SimConfig,
  check: HistoryCheck,
  params: { readonly seed: number; readonly numRuns: number },
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.array(actionArb(config), { minLength: 10, maxLength: 50 }),
      fc.array(fc.nat(10_000), { minLength: 1, maxLength: 40 }),
      async (actions, order) => {
        const sim = await Sim.create(config);
        await sim.run(actions);
        await sim.settle();
        check(sim.genesis, sim.signed, order);
      },
    ),
    params,
  );
}

/**
 * Seeded random device histories: top-ups, revocations, heirs and a stolen device. After each
 * part alice pays from her own chain, claiming the final revocations (she becomes an heir) and
 * what was paid to the chains she inherits.
 */
export async function forEachDeviceHistory(
  config: DeviceSimConfig,
  check: HistoryCheck,
  params: { readonly seed: number; readonly numRuns: number },
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.array(deviceActionArb(config), { minLength: 10, maxLength: 30 }),
      fc.array(deviceActionArb(config), { minLength: 5, maxLength: 20 }),
      fc.array(fc.nat(10_000), { minLength: 1, maxLength: 40 }),
      async (first, second, order) => {
        const sim = await DeviceSim.create(config);
        for (const part of [first, second]) {
          await sim.run(part);
          await sim.settle();
          await sim.step({ kind: 'pay', actor: 0, to: -1, amount: 1n });
          await sim.settle();
        }
        check(sim.genesis, sim.signed, order);
      },
    ),
    params,
  );
}
