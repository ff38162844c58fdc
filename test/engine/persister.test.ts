// The engine's persister: batched durable appends, at most PERSIST_CHUNK records each, and an
// append that fails is reported, kept and tried again with the next one, never dropped.
import { describe, expect, it } from 'vitest';
import { Persister, PERSIST_CHUNK } from '../../engine/persister.ts';
import { MemoryLogStore } from '../../shared/storage/memoryStore.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';

const txs = (count: number, from = 0): VerifiedTx[] =>
  Array.from(
    { length: count },
    (_, i) => ({ bytes: new Uint8Array([1, (from + i) % 256, (from + i) >> 8]) }) as VerifiedTx,
  );

describe('the persister', () => {
  it('saves a large batch as appends of at most PERSIST_CHUNK records, in order', async () => {
    const store = new MemoryLogStore();
    const sizes: number[] = [];
    const append = store.append.bind(store);
    store.append = (records) => {
      sizes.push(records.length);
      return append(records);
    };
    const saved: number[] = [];
    const persister = new Persister(store, {
      onFailure: () => undefined,
      onSaved: (batch) => saved.push(batch.length),
    });
    const all = txs(PERSIST_CHUNK * 2 + 7);
    for (const tx of all) persister.add(tx);
    await persister.flushed();
    expect(sizes).toEqual([PERSIST_CHUNK, PERSIST_CHUNK, 7]);
    expect(saved).toEqual(sizes);
    expect(persister.saved).toBe(all.length);
    expect((await store.load()).records).toEqual(all.map((tx) => tx.bytes));
  });

  it('keeps what a failed append did not save, reports it, and saves it with the next add', async () => {
    const store = new MemoryLogStore();
    const append = store.append.bind(store);
    let calls = 0;
    store.append = (records) =>
      ++calls === 2 ? Promise.reject(new Error('disk full')) : append(records);
    const failures: Array<[string, number]> = [];
    const persister = new Persister(store, {
      onFailure: (message, count) => failures.push([message, count]),
    });
    const first = txs(PERSIST_CHUNK + 3);
    for (const tx of first) persister.add(tx);
    await persister.flushed();
    expect(failures).toEqual([['disk full', 3]]);
    expect(persister.failureOf(first.at(-1)!)).toBe('disk full');
    expect(persister.failureOf(first[0]!)).toBeNull();
    const later = txs(2, 5_000);
    for (const tx of later) persister.add(tx);
    await persister.flushed();
    expect(persister.failureOf(first.at(-1)!)).toBeNull();
    expect((await store.load()).records).toEqual([...first, ...later].map((tx) => tx.bytes));
  });
});
