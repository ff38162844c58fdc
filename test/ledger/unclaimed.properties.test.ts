// The index of unclaimed credits (shared/ledger/unclaimed.ts) gives the same answers as the full
// walk over every credit ever received (claimableCreditsFullWalk, the oracle): seeded
// histories of payments, claims, partitions, equivocating authors and Byzantine witnesses
// (sim.ts), and of an identity with devices that it revokes while a stolen one signs on
// (deviceSim.ts), are replayed in a random arrival order into a bare ledger state, and after
// every transaction, for every key, claimableCredits and spendable match the walk. The same
// again on a ledger restored from a compact state of a first part, the rest arriving after.
import { describe, expect, it } from 'vitest';
import type { KeyHex } from '../../shared/ids.ts';
import {
  claimableCredits,
  claimableCreditsFullWalk,
  spendable,
  spendableFullWalk,
} from '../../shared/ledger/claims.ts';
import type { LedgerState } from '../../shared/ledger/state.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import type { DeviceSimConfig } from '../helpers/deviceSim.ts';
import {
  forEachDeviceHistory,
  forEachPaymentHistory,
  replayHistory,
} from '../helpers/replayHistory.ts';
import type { SimConfig } from '../helpers/sim.ts';

const SEED = 0x6770_c1a1;

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
  listed: 0,
  claimed: 0,
  forked: 0,
  heirs: 0,
  inherited: 0,
  aboveCap: 0,
  restored: 0,
};

/** Every key with a chain or a credit: both answers agree for each. */
function expectSameAsWalk(s: LedgerState): void {
  const keys = new Set<KeyHex>([...s.chains.authors(), ...s.creditsTo.keys()]);
  for (const key of keys) {
    const listed = claimableCredits(s, key);
    expect(listed, key).toEqual(claimableCreditsFullWalk(s, key));
    expect(spendable(s, key), key).toBe(spendableFullWalk(s, key));
    seen.checks++;
    if (listed.length > 0) seen.listed++;
    // A credit paid to a chain the key inherits, not to the key itself.
    const credits = listed.map((c) => s.valid.get(c.id)?.effects.credits ?? []);
    if (credits.some((paid) => paid.length > 0 && !paid.some((x) => x.to === key)))
      seen.inherited++;
    noteHardCases(s, key);
  }
}

function noteHardCases(s: LedgerState, key: KeyHex): void {
  if (s.chains.isForked(key) && (s.creditsTo.get(key)?.length ?? 0) > 0) seen.forked++;
  const head = s.chains.head(key);
  if (head && s.valid.get(head.id)?.succession) seen.heirs++;
  for (const r of s.devices.revocationsOf(key))
    for (const seq of s.chains.seqsIn(key, (r.head?.seq ?? -1) + 1, s.chains.maxSeq(key)))
      for (const id of s.chains.idsAt(key, seq))
        if ((s.valid.get(id)?.claims.length ?? 0) > 0) seen.aboveCap++;
}

/**
 * Inserts `txs` into `s` one at a time, comparing after each; the state is read between
 * inserts, so the index is brought up to date step by step as a peer's wallet would.
 */
/**
 * The whole history in a random order, compared at every step; then its first half compacted,
 * restored into a fresh state, and the rest in a random order (test/helpers/replayHistory.ts).
 */
function checkHistory(genesis: VerifiedTx, signed: readonly VerifiedTx[], order: number[]): void {
  let claimed = false;
  const restored = replayHistory(genesis, signed, order, (s) => {
    expectSameAsWalk(s);
    claimed ||= s.claimedBy.size > 0;
  });
  if (claimed) seen.claimed++;
  if (restored) seen.restored++;
}

describe('claimable credits from the index equal the full walk', () => {
  it('payments, partitions, forks and a Byzantine witness', async () => {
    await forEachPaymentHistory(payments, checkHistory, { seed: SEED, numRuns: 30 });
  }, 300_000);

  it('devices: top-ups, revocations, heirs and a stolen device signing on', async () => {
    await forEachDeviceHistory(devices, checkHistory, { seed: SEED + 1, numRuns: 30 });
  }, 300_000);

  it('saw the hard cases (not vacuous)', () => {
    if (process.env.GPOW_SEEN) console.log(seen);
    expect(seen.checks).toBeGreaterThan(10_000);
    expect(seen.listed).toBeGreaterThan(1_000);
    expect(seen.claimed).toBeGreaterThan(30);
    expect(seen.forked).toBeGreaterThan(100);
    expect(seen.heirs).toBeGreaterThan(100);
    expect(seen.inherited).toBeGreaterThan(10);
    expect(seen.aboveCap).toBeGreaterThan(0);
    expect(seen.restored).toBeGreaterThan(20);
  });
});
