// The index of credits not known to be final (shared/ledger/pending.ts) gives account() the
// same answers as the walk over every credit ever received (accountFullWalk, the oracle):
// seeded histories of payments, claims, partitions, equivocating authors and Byzantine
// witnesses (sim.ts), and of an identity with devices it revokes while a stolen one signs on
// (deviceSim.ts), replayed in a random order, compared after every arrival for every key; the
// same on a ledger restored from a compact state of the first half, the rest arriving after.
import { describe, expect, it } from 'vitest';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import { isFinal } from '../../shared/ledger/finality.ts';
import type { LedgerState } from '../../shared/ledger/state.ts';
import {
  account,
  accountFullWalk,
  chainsOf,
  identityAccount,
  type AccountView,
} from '../../shared/ledger/views.ts';
import type { DeviceSimConfig } from '../helpers/deviceSim.ts';
import {
  forEachDeviceHistory,
  forEachPaymentHistory,
  replayHistory,
} from '../helpers/replayHistory.ts';
import type { SimConfig } from '../helpers/sim.ts';

const SEED = 0x6770_9e4d;

const payments: SimConfig = {
  users: 4,
  witnesses: 4,
  byzantine: 1,
  views: 2,
  allocation: 300n,
  creditLimit: 100n,
};
const devices: DeviceSimConfig = {
  devices: 3,
  witnesses: 4,
  byzantine: 1,
  views: 2,
  creditLimit: 100n,
};

/** How often the hard cases came up, so that the properties cannot pass vacuously. */
const seen = {
  checks: 0,
  pending: 0,
  settled: 0,
  forkedPayer: 0,
  voided: 0,
  restored: 0,
  reverted: 0,
};
/** Per state, the credits seen final: whether one ever stops being final (pending.ts). */
const finalSeen = new WeakMap<LedgerState, Set<TxId>>();

function expectSameAsWalk(s: LedgerState): void {
  const keys = new Set<KeyHex>([...s.chains.authors(), ...s.creditsTo.keys(), ...s.balance.keys()]);
  for (const key of keys) {
    const view = account(s, key);
    expect(view, key).toEqual(accountFullWalk(s, key));
    expect(identityAccount(s, key), key).toEqual(
      sum(chainsOf(s, key).map((k) => accountFullWalk(s, k))),
    );
    seen.checks++;
    if (view.pending > 0n) seen.pending++;
    noteCredits(s, key);
  }
}

/** Credits found final (settled), paid by a forked chain, or not applied (voided for now). */
function noteCredits(s: LedgerState, key: KeyHex): void {
  let finals = finalSeen.get(s);
  if (!finals) finalSeen.set(s, (finals = new Set()));
  for (const id of s.creditsTo.get(key) ?? []) {
    const entry = s.valid.get(id);
    if (!entry) continue;
    if (isFinal(s, id)) {
      seen.settled++;
      finals.add(id);
    } else if (finals.has(id)) seen.reverted++;
    if (s.chains.isForked(entry.tx.author)) seen.forkedPayer++;
    if (!entry.applied) seen.voided++;
  }
}

function sum(views: readonly AccountView[]): AccountView {
  const total = { balance: 0n, available: 0n, pending: 0n, frozen: false };
  for (const v of views) {
    total.balance += v.balance;
    total.available += v.available;
    total.pending += v.pending;
    total.frozen ||= v.frozen;
  }
  return total;
}

function check(
  genesis: Parameters<typeof replayHistory>[0],
  signed: Parameters<typeof replayHistory>[1],
  order: number[],
): void {
  if (replayHistory(genesis, signed, order, expectSameAsWalk)) seen.restored++;
}

describe('account() through the pending index equals the full walk', () => {
  it('payments, partitions, forks and a Byzantine witness', async () => {
    await forEachPaymentHistory(payments, check, { seed: SEED, numRuns: 25 });
  }, 300_000);

  it('devices: top-ups, revocations, heirs and a stolen device signing on', async () => {
    await forEachDeviceHistory(devices, check, { seed: SEED + 1, numRuns: 25 });
  }, 300_000);

  it('saw the hard cases (not vacuous)', () => {
    if (process.env.GPOW_SEEN) console.log(seen);
    expect(seen.checks).toBeGreaterThan(10_000);
    expect(seen.pending).toBeGreaterThan(1_000);
    expect(seen.settled).toBeGreaterThan(1_000);
    expect(seen.forkedPayer).toBeGreaterThan(100);
    expect(seen.voided).toBeGreaterThan(10);
    expect(seen.restored).toBeGreaterThan(20);
  });
});
