// ReplayGuard: each counter is accepted once per stream, modest reordering is fine, and the
// memory it holds is bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplayGuard, type MessageContext } from '../../shared/ssk/message.ts';
import { A, B, C } from './parties.ts';

const chat: MessageContext = { sender: A, recipient: B, epoch: 1, label: 'chat' };

describe('ReplayGuard', () => {
  it('accepts a counter once and refuses it the second time', () => {
    const guard = new ReplayGuard();
    expect(guard.check(chat, 0)).toBe(true);
    expect(guard.check(chat, 0)).toBe(false);
    expect(guard.check(chat, 1)).toBe(true);
    expect(guard.check(chat, 1)).toBe(false);
    expect(guard.check(chat, 0)).toBe(false);
  });

  it('accepts reordering within the window, each counter once', () => {
    const guard = new ReplayGuard();
    for (const c of [10, 7, 12, 8, 11, 9]) expect(guard.check(chat, c), `counter ${c}`).toBe(true);
    for (const c of [7, 8, 9, 10, 11, 12]) expect(guard.check(chat, c), `replay ${c}`).toBe(false);
  });

  it('accepts the oldest counter still in the window and refuses the first one below it', () => {
    const guard = new ReplayGuard(); // 1024 bits
    expect(guard.check(chat, 5000)).toBe(true);
    expect(guard.check(chat, 5000 - 1023)).toBe(true);
    expect(guard.check(chat, 5000 - 1024)).toBe(false);
    expect(guard.check(chat, 0)).toBe(false);
  });

  it('forgets what slid out of the window, and refuses it as too old', () => {
    const guard = new ReplayGuard({ windowBits: 32 });
    expect(guard.check(chat, 3)).toBe(true);
    expect(guard.check(chat, 40)).toBe(true); // 3 is now below the window
    expect(guard.check(chat, 3)).toBe(false);
    // 35 shares a bit with 3 (35 mod 32 = 3): it must read as unseen, not as 3's mark.
    expect(guard.check(chat, 35)).toBe(true);
    expect(guard.check(chat, 35)).toBe(false);
  });

  it('clears stale marks when the window jumps by less than its width', () => {
    const guard = new ReplayGuard({ windowBits: 32 });
    for (let c = 0; c < 32; c++) expect(guard.check(chat, c)).toBe(true);
    expect(guard.check(chat, 40)).toBe(true);
    // 32..39 reuse the bits of 0..7 and were never seen.
    for (let c = 32; c < 40; c++) expect(guard.check(chat, c), `counter ${c}`).toBe(true);
    // 9..31 are still in the window (40 - 31 < 32) and were seen.
    for (let c = 9; c < 32; c++) expect(guard.check(chat, c), `counter ${c}`).toBe(false);
  });

  it('keeps independent streams independent', () => {
    const guard = new ReplayGuard();
    const streams: MessageContext[] = [
      chat,
      { ...chat, sender: B, recipient: A },
      { ...chat, epoch: 2 },
      { ...chat, label: 'file' },
      { ...chat, recipient: C },
    ];
    for (const s of streams) expect(guard.check(s, 0)).toBe(true);
    for (const s of streams) expect(guard.check(s, 0)).toBe(false);
    expect(guard.size).toBe(streams.length);
  });

  it('refuses counters that are not non-negative safe integers', () => {
    const guard = new ReplayGuard();
    for (const c of [-1, 1.5, Number.NaN, Infinity, 2 ** 53])
      expect(guard.check(chat, c)).toBe(false);
    expect(guard.size).toBe(0);
    expect(guard.check(chat, Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(guard.check(chat, Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('holds at most maxStreams streams, forgetting the least recently used', () => {
    const guard = new ReplayGuard({ maxStreams: 3 });
    const s = (label: string): MessageContext => ({ ...chat, label });
    expect(guard.check(s('a'), 0)).toBe(true);
    expect(guard.check(s('b'), 0)).toBe(true);
    expect(guard.check(s('c'), 0)).toBe(true);
    expect(guard.check(s('a'), 1)).toBe(true); // 'a' is now the most recently used
    expect(guard.check(s('d'), 0)).toBe(true); // evicts 'b'
    expect(guard.size).toBe(3);
    expect(guard.check(s('a'), 1)).toBe(false); // remembered
    expect(guard.check(s('b'), 0)).toBe(true); // forgotten: accepted as new (evicts 'c')
    expect(guard.size).toBe(3);
    for (let i = 0; i < 100; i++) guard.check(s(`x${i}`), 0);
    expect(guard.size).toBe(3);
  });

  it('an evicted stream is forgotten: its old counters pass once more (the documented cost)', () => {
    const guard = new ReplayGuard({ maxStreams: 2 });
    const s = (label: string): MessageContext => ({ ...chat, label });
    guard.check(s('a'), 0);
    guard.check(s('b'), 0);
    guard.check(s('c'), 0); // evicts 'a'
    expect(guard.check(s('c'), 0)).toBe(false); // remembered
    expect(guard.check(s('a'), 0)).toBe(true); // forgotten
  });

  it('refuses bad options', () => {
    expect(() => new ReplayGuard({ maxStreams: 0 })).toThrow(/maxStreams/);
    expect(() => new ReplayGuard({ windowBits: 100 })).toThrow(/multiple of 32/);
    expect(() => new ReplayGuard({ windowBits: 0 })).toThrow(/multiple of 32/);
  });

  it('agrees with a plain model: accepted iff unseen and within the window of the highest', () => {
    const windowBits = 64;
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 400 }), { maxLength: 300 }), (counters) => {
        const guard = new ReplayGuard({ windowBits });
        const seen = new Set<number>();
        let highest = -1;
        for (const c of counters) {
          const want = !seen.has(c) && (c > highest || highest - c < windowBits);
          expect(guard.check(chat, c), `counter ${c} after ${highest}`).toBe(want);
          if (want) {
            seen.add(c);
            highest = Math.max(highest, c);
          }
        }
      }),
      { seed: 0x5245504c, numRuns: 200 },
    );
  });
});
