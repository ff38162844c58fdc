// Regression: the bench's DNEC scenario made six requests at once, and their secrets raced on
// one temporary file (ENOENT on rename). Saves are serialised now, and none is lost.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RevealStore } from '../../node/peer/revealStore.ts';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('RevealStore', () => {
  it('keeps every secret when many are saved at once, across a reopen', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpow-reveals-'));
    const store = new RevealStore(dir);
    expect(await store.load()).toEqual({});
    const entries = Array.from({ length: 12 }, (_, i) => [`c${i}`, `r${i}`] as const);
    await Promise.all(entries.map(([c, r]) => store.save(c, r)));
    expect(await new RevealStore(dir).load()).toEqual(Object.fromEntries(entries));
  });
});
