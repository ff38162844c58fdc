// The device model's promises (docs/protocol.md §12.5) as seeded properties: any interleaving of
// payments from an identity's own chain and up to three devices, with partitions, revocations
// and a stolen device signing on, gives the same state on every peer, conserves money, keeps
// every account within its limit, never freezes the honest identity, never makes two
// conflicting things final, and ends every honest payment final (or void when its device was
// revoked). A failing seed becomes a named regression below.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import {
  DeviceSim,
  deviceActionArb,
  type DeviceAction,
  type DeviceSimConfig,
} from '../helpers/deviceSim.ts';

const SEED = 0x6770_0d01;

const configs: Record<string, DeviceSimConfig> = {
  'three devices, one Byzantine witness of four': {
    devices: 3,
    witnesses: 4,
    byzantine: 1,
    views: 2,
    creditLimit: 100n,
  },
  'two devices, three views, two Byzantine of seven': {
    devices: 2,
    witnesses: 7,
    byzantine: 2,
    views: 3,
    creditLimit: 0n,
  },
};

const seen = { runs: 0, revoked: 0, voided: 0, devicePaymentsFinal: 0 };

function check(sim: DeviceSim, ledger: Ledger): void {
  expect(ledger.audit()).toEqual({ ok: true });
  const total = ledger.accounts().reduce((sum, key) => sum + ledger.account(key).balance, 0n);
  expect(total + ledger.escrowTotal()).toBe(ledger.supply);
  // No account below its limit: an identity counts all of its chains together.
  for (const who of [sim.alice.key, sim.bob.key])
    expect(ledger.identityAccount(who).balance).toBeGreaterThanOrEqual(-ledger.creditLimit);
  // The honest identity is never frozen: none of its chains forks.
  for (const chain of sim.chains) expect(ledger.isFrozen(chain.key)).toBe(false);
  // Never two conflicting things final: one per chain position; at most one revocation per
  // chain, and nothing of that chain above its head.
  const finalAt = new Map<string, string>();
  for (const tx of sim.signed) {
    if (!ledger.isFinal(tx.id)) continue;
    const slot = `${tx.author}/${tx.seq}`;
    expect(finalAt.get(slot) ?? tx.id).toBe(tx.id);
    finalAt.set(slot, tx.id);
  }
  for (const chain of sim.chains) {
    const final = ledger.revocationsOf(chain.key).filter((r) => r.final);
    expect(final.length).toBeLessThanOrEqual(1);
    for (const r of final) {
      seen.revoked++;
      for (const tx of sim.signed)
        if (tx.author === chain.key && tx.seq > (r.head?.seq ?? -1))
          expect(ledger.isFinal(tx.id)).toBe(false);
    }
  }
  // Every payment alice saw as sent ends final, or void because its device was revoked; only a
  // race between a revocation and its own device may leave both waiting.
  for (const pay of sim.payments) {
    const status = ledger.status(pay.id);
    if (status.state === 'final') {
      if (pay.author !== sim.alice.key) seen.devicePaymentsFinal++;
      continue;
    }
    const raced = ledger.revocationsOf(pay.author).length > 0;
    if (status.state === 'void') {
      seen.voided++;
      expect(status.rejection.code).toBe('revoked-device');
    } else expect({ state: status.state, raced }).toEqual({ state: 'pending', raced: true });
  }
}

async function history(
  config: DeviceSimConfig,
  actions: readonly DeviceAction[],
): Promise<DeviceSim> {
  const sim = await DeviceSim.create(config);
  await sim.run(actions);
  await sim.settle();
  return sim;
}

describe('devices: properties', () => {
  for (const [name, config] of Object.entries(configs)) {
    it(`holds for ${name}`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(deviceActionArb(config), { maxLength: 40 }), async (actions) => {
          seen.runs++;
          const sim = await history(config, actions);
          const reference = sim.views[0] as Ledger;
          check(sim, reference);
          // The same state on every peer, and for any arrival order.
          for (const view of sim.views) expect(view.stateRoot()).toBe(reference.stateRoot());
          const reversed = sim.replay([...sim.signed].reverse());
          expect(reversed.stateRoot()).toBe(reference.stateRoot());
        }),
        { seed: SEED, numRuns: 60 },
      );
    }, 120_000);
  }

  it('saw the interesting cases (not vacuous)', () => {
    expect(seen.runs).toBeGreaterThan(100);
    expect(seen.revoked).toBeGreaterThan(0);
    expect(seen.voided).toBeGreaterThan(0);
    expect(seen.devicePaymentsFinal).toBeGreaterThan(20);
  });
});
