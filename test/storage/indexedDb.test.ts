import { IDBDatabase, IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StorageError, type LogStore } from '../../shared/storage/port.ts';
import { openIndexedDbLogStore, SCHEMA_VERSION } from '../../renderer/storage/indexedDbLogStore.ts';
import { describeLogStoreAcceptance } from './acceptance.ts';

// The store builds key ranges with the browser's IDBKeyRange global, which Node lacks.
beforeEach(() => {
  vi.stubGlobal('IDBKeyRange', IDBKeyRange);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const NAME = 'gpow-ledger';

// A fresh factory is fresh storage; reopening uses the factory of the previous open.
let factory = new IDBFactory();
describeLogStoreAcceptance(
  'IndexedDbLogStore',
  (reopen) => {
    if (!reopen) factory = new IDBFactory();
    return openIndexedDbLogStore(NAME, factory);
  },
  { hasInstance: false },
);

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('request failed'));
  });
}

/** Deletes the database as another tab would; 'blocked' if an open connection stands in the way. */
function deleteDatabase(idb: IDBFactory): Promise<'deleted' | 'blocked'> {
  return new Promise((resolve, reject) => {
    const req = idb.deleteDatabase(NAME);
    req.onsuccess = () => resolve('deleted');
    req.onblocked = () => resolve('blocked');
    req.onerror = () => reject(req.error ?? new Error('deleteDatabase failed'));
  });
}

/** Opens the database directly, as another tab or a later schema would. */
function rawOpen(
  idb: IDBFactory,
  version?: number,
  upgrade?: (db: IDBDatabase) => void,
): Promise<IDBDatabase> {
  const req = idb.open(NAME, version);
  req.onupgradeneeded = () => upgrade?.(req.result);
  return request(req);
}

describe('IndexedDbLogStore', () => {
  let idb: IDBFactory;
  let store: LogStore | undefined;
  beforeEach(() => {
    idb = new IDBFactory();
    store = undefined;
  });
  afterEach(async () => {
    await store?.close();
  });

  it('keeps the documented layout: Uint8Array values under keys 1, 2, 3 and a meta store', async () => {
    store = await openIndexedDbLogStore(NAME, idb);
    await store.append([Uint8Array.of(1), Uint8Array.of(2, 2)]);
    await store.append([Uint8Array.of(3, 3, 3)]);
    await store.putMeta('checkpoint', Uint8Array.of(9));
    await store.close();

    const db = await rawOpen(idb);
    expect(db.version).toBe(SCHEMA_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['meta', 'records']);
    const tx = db.transaction(['records', 'meta'], 'readonly');
    const records = tx.objectStore('records');
    expect(records.autoIncrement).toBe(true);
    expect(await request(records.getAllKeys())).toEqual([1, 2, 3]);
    const values = await request(records.getAll());
    expect(values).toEqual([Uint8Array.of(1), Uint8Array.of(2, 2), Uint8Array.of(3, 3, 3)]);
    for (const value of values) expect(value).toBeInstanceOf(Uint8Array);
    expect(await request(tx.objectStore('meta').get('checkpoint'))).toEqual(Uint8Array.of(9));
    db.close();
  });

  it('loads more records than one batch, in key order', async () => {
    store = await openIndexedDbLogStore(NAME, idb);
    const all = Array.from({ length: 2500 }, (_, i) => Uint8Array.of(i & 0xff, i >> 8));
    await store.append(all.slice(0, 1200));
    await store.append(all.slice(1200));
    const calls: number[] = [];
    const { records } = await store.load((done) => calls.push(done));
    expect(records).toEqual(all);
    expect(calls).toEqual([1000, 2000, 2500]);
  });

  it('refuses a database written by a newer schema, leaving it untouched', async () => {
    const db = await rawOpen(idb, SCHEMA_VERSION + 1, (d) => d.createObjectStore('future'));
    db.close();
    const attempt = openIndexedDbLogStore(NAME, idb);
    await expect(attempt).rejects.toThrow(StorageError);
    await expect(attempt).rejects.toThrow(/written by a newer GPoW .* update GPoW to open it/);
    const after = await rawOpen(idb);
    expect(after.version).toBe(SCHEMA_VERSION + 1);
    expect([...after.objectStoreNames]).toEqual(['future']);
    after.close();
  });

  it('refuses a database of the same name that is not a GPoW ledger', async () => {
    const db = await rawOpen(idb, 1, (d) => d.createObjectStore('records'));
    db.close();
    await expect(openIndexedDbLogStore(NAME, idb)).rejects.toThrow(
      /"gpow-ledger" exists but is not a GPoW ledger \(it has no 'meta' object store\)/,
    );
  });

  it('explains a failed open', async () => {
    // Stands in for a browser that refuses storage: the open request fails with UnknownError.
    const req = {
      error: new DOMException('storage is disabled', 'UnknownError'),
      onerror: null as ((event: { preventDefault(): void }) => void) | null,
    };
    const refusing = { open: () => req } as unknown as IDBFactory;
    const attempt = openIndexedDbLogStore(NAME, refusing);
    let prevented = false;
    req.onerror?.({ preventDefault: () => (prevented = true) });
    await expect(attempt).rejects.toThrow(
      /cannot open the IndexedDB database "gpow-ledger" \(UnknownError: storage is disabled\); the browser may have storage disabled/,
    );
    expect(prevented).toBe(true);
  });

  it('explains a blocked open, and closes the connection if it arrives later', async () => {
    // A browser fires `blocked` while another tab holds an older version open; the open then
    // completes once that tab lets go. fake-indexeddb has no older version to block on, so the
    // event is fired by hand before the real open completes.
    let req: IDBOpenDBRequest | undefined;
    const blocking = {
      open: (name: string, version: number) => (req = idb.open(name, version)),
    } as unknown as IDBFactory;
    const attempt = openIndexedDbLogStore(NAME, blocking);
    req?.onblocked?.call(req, new Event('blocked') as IDBVersionChangeEvent);
    await expect(attempt).rejects.toThrow(
      /opening the IndexedDB database "gpow-ledger" is blocked: another GPoW tab or window/,
    );
    await vi.waitFor(() => expect(req?.readyState).toBe('done'));
    // The late connection was closed: deleting the database is not blocked by it.
    expect(await deleteDatabase(idb)).toBe('deleted');
  });

  it('steps aside when another tab deletes the database, then refuses calls clearly', async () => {
    store = await openIndexedDbLogStore(NAME, idb);
    await store.append([Uint8Array.of(1)]);
    expect(await deleteDatabase(idb)).toBe('deleted');
    await expect(store.append([Uint8Array.of(2)])).rejects.toThrow(
      /cannot append: the IndexedDB database "gpow-ledger" was closed because another tab is upgrading or deleting it/,
    );
  });

  it('reports a record that is not bytes instead of returning it', async () => {
    store = await openIndexedDbLogStore(NAME, idb);
    await store.append([Uint8Array.of(1)]);
    await store.close();
    const db = await rawOpen(idb);
    await request(db.transaction('records', 'readwrite').objectStore('records').add('text'));
    db.close();
    store = await openIndexedDbLogStore(NAME, idb);
    await expect(store.load()).rejects.toThrow(
      /holds a record that is not bytes \(record 1 in key order\); it was not written by GPoW/,
    );
  });

  it('asks for strict durability on writes', async () => {
    store = await openIndexedDbLogStore(NAME, idb);
    const spy = vi.spyOn(IDBDatabase.prototype, 'transaction');
    spy.mockClear();
    await store.append([Uint8Array.of(1)]);
    expect(spy.mock.calls[0]?.[2]).toEqual({ durability: 'strict' });
  });
});
