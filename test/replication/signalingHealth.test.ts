import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INVITATION_MISMATCH,
  MISMATCH_AFTER,
  SignalingHealth,
  WARN_EVERY_MS,
} from '../../shared/replication/signalingHealth.ts';

const relay = 'ws://127.0.0.1:4444';
const bad = { ok: false, reason: 'undecryptable', relay };
const good = { ok: true, reason: 'announce', relay };

describe('signaling health', () => {
  it('a peer that can read nobody learns that its invitation does not match', () => {
    const health = new SignalingHealth();
    for (let i = 1; i < MISMATCH_AFTER; i++) health.record(bad, i);
    expect(health.problem()).toBeNull();
    expect(health.record(bad, MISMATCH_AFTER)).toBeNull(); // no warning: the problem says it
    expect(health.invitationMismatch).toBe(true);
    expect(health.problem()).toBe(INVITATION_MISMATCH);
    // One readable peer proves the secret right: the unreadable ones are someone else's.
    health.record(good, 10);
    expect(health.problem()).toBeNull();
  });

  it('a peer that reads its room warns about unreadable messages, at most once a minute', () => {
    const health = new SignalingHealth();
    health.record(good, 0);
    const first = health.record(bad, 1);
    expect(first).toMatch(/^dropped 1 signaling message that could not be read/);
    expect(first).toContain(relay);
    expect(health.record(bad, 2)).toBeNull();
    expect(health.record(bad, WARN_EVERY_MS)).toBeNull();
    expect(health.record(bad, WARN_EVERY_MS + 1)).toMatch(/^dropped 3 signaling messages/);
    expect(health.problem()).toBeNull();
    expect(health.counts()).toEqual({ readable: 1, dropped: 4 });
  });

  it('property: the mismatch verdict holds exactly when nothing was readable and enough was not', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 40 }), (oks) => {
        const health = new SignalingHealth();
        const warnings = oks.map((ok, i) => health.record(ok ? good : bad, i * 1000));
        const readable = oks.filter(Boolean).length;
        const dropped = oks.length - readable;
        expect(health.invitationMismatch).toBe(readable === 0 && dropped >= MISMATCH_AFTER);
        // Warnings come only after something readable, and no closer than WARN_EVERY_MS.
        const times = warnings.flatMap((w, i) => (w === null ? [] : [i * 1000]));
        for (let k = 1; k < times.length; k++) {
          expect(times[k]! - times[k - 1]!).toBeGreaterThanOrEqual(WARN_EVERY_MS);
        }
        if (readable === 0) expect(times).toEqual([]);
      }),
      { seed: 13, numRuns: 500 },
    );
  });
});
