// The rewrite() part of the LogStore acceptance suite (acceptance.ts calls it inside its own
// describe, so its stores are closed after each test): the log replaced whole, in order, with
// meta kept, and a refused batch changing nothing.
import { expect, it } from 'vitest';
import { MAX_RECORD_BYTES, StorageError, type LogStore } from '../../shared/storage/port.ts';

export interface RewriteAcceptanceContext {
  /** Opens fresh storage (false) or the storage of the previous open (true). */
  readonly openStore: (reopen: boolean) => Promise<LogStore>;
  /** Closes `store` and opens its storage again. */
  readonly reopen: (store: LogStore) => Promise<LogStore>;
  readonly hasInstance: boolean;
}

const encoder = new TextEncoder();
const rec = (label: string): Uint8Array => encoder.encode(label);
const batchOf = (label: string, count: number): Uint8Array[] =>
  Array.from({ length: count }, (_, i) => rec(`${label} record ${i}`));

export function describeRewriteAcceptance({
  openStore,
  reopen,
  hasInstance,
}: RewriteAcceptanceContext): void {
  it('rewrite replaces every record, in order, and later appends follow the new ones', async () => {
    const store = await openStore(false);
    await store.append(batchOf('old', 5));
    await store.rewrite([...batchOf('new', 3), Uint8Array.of(0x2a)]);
    expect((await store.load()).records).toEqual([...batchOf('new', 3), Uint8Array.of(0x2a)]);
    await store.append(batchOf('after', 2));
    const loaded = await store.load();
    expect(loaded.records).toEqual([
      ...batchOf('new', 3),
      Uint8Array.of(0x2a),
      ...batchOf('after', 2),
    ]);
    expect(loaded.recovery).toBeUndefined();
  });

  it('rewrite keeps meta values as they were', async () => {
    const store = await openStore(false);
    await store.append(batchOf('old', 2));
    await store.putMeta('checkpoint', Uint8Array.of(1, 2, 3));
    await store.putMeta('empty', new Uint8Array(0));
    await store.rewrite(batchOf('new', 1));
    expect(await store.getMeta('checkpoint')).toEqual(Uint8Array.of(1, 2, 3));
    expect(await store.getMeta('empty')).toEqual(new Uint8Array(0));
    const reopened = await reopen(store);
    expect(await reopened.getMeta('checkpoint')).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('rewrite to no records leaves an empty log that takes appends', async () => {
    let store = await openStore(false);
    await store.append(batchOf('old', 3));
    await store.rewrite([]);
    expect((await store.load()).records).toEqual([]);
    await store.append([rec('first again')]);
    store = await reopen(store);
    expect((await store.load()).records).toEqual([rec('first again')]);
  });

  it('refuses a bad rewrite with StorageError and changes nothing', async () => {
    let store = await openStore(false);
    await store.append(batchOf('kept', 2));
    const cases: [unknown, RegExp][] = [
      ['not an array', /takes an array of Uint8Array records, got a string/],
      [[rec('good'), 'text'], /record 1 of the batch is a string, not a Uint8Array/],
      [[rec('good'), new Uint8Array(0)], /record 1 of the batch is empty/],
      [[new Uint8Array(MAX_RECORD_BYTES + 1)], /1048577 bytes, over the 1048576-byte limit/],
    ];
    for (const [records, message] of cases) {
      const attempt = store.rewrite(records as never);
      await expect(attempt).rejects.toThrow(StorageError);
      await expect(attempt).rejects.toThrow(message);
    }
    expect((await store.load()).records).toEqual(batchOf('kept', 2));
    await store.append([rec('still appends')]);
    store = await reopen(store);
    expect((await store.load()).records).toEqual([...batchOf('kept', 2), rec('still appends')]);
  });

  it('runs a rewrite in call order with appends and loads', async () => {
    const store = await openStore(false);
    await store.append(batchOf('old', 2));
    const before = store.load();
    const rewritten = store.rewrite(batchOf('new', 2));
    const appended = store.append([rec('appended after')]);
    const after = store.load();
    await Promise.all([rewritten, appended]);
    expect((await before).records).toEqual(batchOf('old', 2));
    expect((await after).records).toEqual([...batchOf('new', 2), rec('appended after')]);
  });

  it('rewrites copies: the caller mutating its array after the call changes nothing', async () => {
    const store = await openStore(false);
    const input = rec('original');
    const records = [input];
    const rewritten = store.rewrite(records);
    input.fill(0);
    records.push(rec('smuggled'));
    await rewritten;
    expect((await store.load()).records).toEqual([rec('original')]);
  });

  it(`keeps the rewritten log across reopen, ${hasInstance ? 'with a new instance' : 'with no instance'}`, async () => {
    let store = await openStore(false);
    await store.append(batchOf('old', 3));
    const oldInstance = (await store.load()).instance;
    const { instance } = await store.rewrite(batchOf('new', 2));
    expect(instance === undefined).toBe(!hasInstance);
    if (hasInstance) expect(instance).not.toBe(oldInstance);
    expect((await store.load()).instance).toBe(instance);
    await store.append([rec('appended')]);
    store = await reopen(store);
    const loaded = await store.load();
    expect(loaded.records).toEqual([...batchOf('new', 2), rec('appended')]);
    expect(loaded.recovery).toBeUndefined();
    expect(loaded.instance).toBe(instance);
  });

  it('rewrites a long log of many small records', async () => {
    let store = await openStore(false);
    await store.append(batchOf('old', 10));
    const many = Array.from({ length: 20_000 }, (_, i) => Uint8Array.of(i & 0xff, i >> 8, 7));
    await store.rewrite(many);
    expect((await store.load()).records).toEqual(many);
    store = await reopen(store);
    expect((await store.load()).records).toEqual(many);
  });

  it('refuses a rewrite after close', async () => {
    const store = await openStore(false);
    await store.append([rec('before close')]);
    await store.close();
    await expect(store.rewrite([rec('late')])).rejects.toThrow(StorageError);
    const reopened = await openStore(true);
    expect((await reopened.load()).records).toEqual([rec('before close')]);
  });
}
