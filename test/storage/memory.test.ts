import { describe, expect, it } from 'vitest';
import {
  emptyMemoryLogData,
  MemoryLogStore,
  type MemoryLogData,
} from '../../shared/storage/memoryStore.ts';
import { describeLogStoreAcceptance } from './acceptance.ts';

// A "reopen" is a new store over the same data.
let data: MemoryLogData = emptyMemoryLogData();
describeLogStoreAcceptance(
  'MemoryLogStore',
  (reopen) => {
    if (!reopen) data = emptyMemoryLogData();
    return Promise.resolve(new MemoryLogStore(data));
  },
  { hasInstance: false },
);

describe('MemoryLogStore', () => {
  it('gives each store made without data its own, empty storage', async () => {
    const first = new MemoryLogStore();
    const second = new MemoryLogStore();
    await first.append([Uint8Array.of(1)]);
    await first.putMeta('key', Uint8Array.of(2));
    expect((await second.load()).records).toEqual([]);
    expect(await second.getMeta('key')).toBeUndefined();
  });

  it('holds copies in its data, never the arrays it was given', async () => {
    const store = new MemoryLogStore();
    const record = Uint8Array.of(1, 2, 3);
    await store.append([record]);
    expect(store.data.records).toEqual([Uint8Array.of(1, 2, 3)]);
    expect(store.data.records[0]).not.toBe(record);
  });
});
