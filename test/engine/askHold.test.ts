// A newcomer's held asks in the network's room (engine/askHold.ts, docs/protocol.md §14.10):
// held while it looks in the snapshot room, released when the look ends without a state taken,
// or when the network's room has a link and the snapshot room has had none for HOLD_ALONE_MS;
// never released once a state was taken.
import { describe, expect, it } from 'vitest';
import { AskHold, HOLD_ALONE_MS } from '../../engine/askHold.ts';
import type { TimerPort } from '../../engine/ports.ts';

/** Timers driven by the test: `advance(ms)` runs what falls due, in order. */
function manualTimers() {
  let now = 0;
  let timers: Array<{ at: number; every: number | null; callback: () => void }> = [];
  const add = (ms: number, callback: () => void, every: number | null) => {
    const timer = { at: now + ms, every, callback };
    timers.push(timer);
    return () => void (timers = timers.filter((t) => t !== timer));
  };
  const port: TimerPort = {
    after: (ms, callback) => add(ms, callback, null),
    every: (ms, callback) => add(ms, callback, ms),
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const next = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      now = next.at;
      if (next.every === null) timers = timers.filter((t) => t !== next);
      else next.at += next.every;
      next.callback();
    }
    now = until;
  };
  return { port, advance, count: () => timers.length };
}

function setup() {
  const timers = manualTimers();
  const calls: boolean[] = [];
  const links = { network: false, snapshot: false };
  const hold = new AskHold({
    timers: timers.port,
    holdAsks: (held) => calls.push(held),
    networkLinked: () => links.network,
    snapshotLinked: () => links.snapshot,
  });
  return { timers, calls, links, hold };
}

describe("a newcomer's held asks", () => {
  it('are held until released, once, and the poll stops', () => {
    const { timers, calls, hold } = setup();
    hold.hold();
    expect(calls).toEqual([true]);
    timers.advance(60_000);
    expect(calls).toEqual([true]);
    hold.release();
    hold.release();
    expect(calls).toEqual([true, false]);
    expect(timers.count()).toBe(0);
  });

  it('are released when the snapshot room stays without a link while the network room has one', () => {
    const { timers, calls, links, hold } = setup();
    hold.hold();
    links.network = true;
    timers.advance(HOLD_ALONE_MS - 500);
    // A link of the snapshot room opens: the count starts again once it is gone.
    links.snapshot = true;
    timers.advance(10_000);
    expect(calls).toEqual([true]);
    links.snapshot = false;
    timers.advance(HOLD_ALONE_MS - 500);
    expect(calls).toEqual([true]);
    timers.advance(500);
    expect(calls).toEqual([true, false]);
    expect(hold.held).toBe(false);
  });

  it('are never released once a state was taken', () => {
    const { timers, calls, links, hold } = setup();
    hold.hold();
    hold.done();
    links.network = true;
    timers.advance(60_000);
    hold.release();
    expect(calls).toEqual([true]);
    expect(timers.count()).toBe(0);
  });
});
