// The warning before the disk fills (engine/diskSpace.ts, issue 19): a store that can tell how
// much room is left is asked at once and every DISK_CHECK_MS; below DISK_LOW_BYTES the peer has
// a problem sentence, and warns once each time it crosses; a store that cannot tell is left alone.
import { describe, expect, it } from 'vitest';
import { DiskWatch } from '../../engine/diskSpace.ts';
import type { EnginePorts } from '../../engine/ports.ts';
import { DISK_CHECK_MS, DISK_LOW_BYTES } from '../../engine/timing.ts';
import { MemoryLogStore } from '../../shared/storage/memoryStore.ts';

/** Timers whose repeating callbacks run when the test says so. */
function manualTimers() {
  const repeating: Array<{ ms: number; callback: () => void }> = [];
  const port: EnginePorts['timers'] = {
    after: () => () => undefined,
    every: (ms, callback) => {
      const entry = { ms, callback };
      repeating.push(entry);
      return () => repeating.splice(repeating.indexOf(entry), 1);
    },
  };
  return { port, repeating, tick: () => repeating.forEach((r) => r.callback()) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the disk watch', () => {
  it('warns once when the disk gets low, says so while it is, and forgets it once freed', async () => {
    const store = new MemoryLogStore();
    let left = 5 * DISK_LOW_BYTES;
    Object.assign(store, { spaceLeft: () => Promise.resolve(left) });
    const timers = manualTimers();
    const warnings: string[] = [];
    const watch = new DiskWatch(store, timers.port, (s) => warnings.push(s));
    watch.start();
    await settle();
    expect(timers.repeating.map((r) => r.ms)).toEqual([DISK_CHECK_MS]);
    expect(watch.problem()).toBeNull();
    left = 812_400_000;
    timers.tick();
    await settle();
    const sentence =
      "Only 812 MB is left on the disk that holds this peer's data: free some space before it fills, or this peer stops saving and sending what you sign.";
    expect(watch.problem()).toBe(sentence);
    timers.tick();
    await settle();
    expect(warnings).toEqual([sentence]);
    left = 2 * DISK_LOW_BYTES;
    timers.tick();
    await settle();
    expect(watch.problem()).toBeNull();
    watch.stop();
    expect(timers.repeating).toEqual([]);
  });

  it('asks nothing of a store that cannot tell, and survives one that fails', async () => {
    const timers = manualTimers();
    const silent = new DiskWatch(new MemoryLogStore(), timers.port, () => undefined);
    silent.start();
    expect(timers.repeating).toEqual([]);
    const failing = new MemoryLogStore();
    Object.assign(failing, { spaceLeft: () => Promise.reject(new Error('EIO')) });
    const watch = new DiskWatch(failing, timers.port, () => undefined);
    watch.start();
    await settle();
    expect(watch.problem()).toBeNull();
    watch.stop();
  });
});
