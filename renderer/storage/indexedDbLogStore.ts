// The browser's LogStore, on IndexedDB. Layout (schema version 1; see docs/storage.md):
//   object store 'records': autoIncrement keys (1, 2, 3, ...), one Uint8Array per record;
//                           key order is append order
//   object store 'meta':    out-of-line string keys, Uint8Array values
// IndexedDB has no torn writes to repair: each append() (and rewrite()) is one readwrite
// transaction, which commits whole or not at all, and resolves on the transaction's `complete`
// event.
// `durability: 'strict'` asks the browser to flush to disk before `complete` (Chromium's default
// is 'relaxed', which can lose acknowledged writes on power loss); browsers without the option
// ignore it. Transactions on the same store run in creation order, so concurrent appends keep
// their batches in call order without a queue of our own.
import type { LoadedLog, LogStore, ProgressListener } from '../../shared/storage/port.ts';
import { StorageError } from '../../shared/storage/port.ts';
import {
  validateMetaKey,
  validateMetaValue,
  validateRecords,
} from '../../shared/storage/validate.ts';

export const SCHEMA_VERSION = 1;
const RECORDS = 'records';
const META = 'meta';
/** Records per getAll() during load: few round trips, bounded memory per request. */
const LOAD_BATCH = 1000;
const DURABLE: IDBTransactionOptions = { durability: 'strict' };

function describeDomError(error: DOMException | Error | null): string {
  return error === null ? 'unknown error' : `${error.name}: ${error.message}`;
}

function openFailure(name: string, error: DOMException | null): StorageError {
  if (error?.name === 'VersionError') {
    return new StorageError(
      `the IndexedDB database "${name}" was written by a newer GPoW (its schema is newer than ` +
        `version ${SCHEMA_VERSION}); update GPoW to open it`,
      { cause: error },
    );
  }
  return new StorageError(
    `cannot open the IndexedDB database "${name}" (${describeDomError(error)}); the browser may ` +
      `have storage disabled, as some private-browsing modes do, or be out of disk space`,
    { cause: error },
  );
}

function openDatabase(name: string, factory: IDBFactory): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(name, SCHEMA_VERSION);
    // Once we have rejected (blocked), a connection that arrives later must be closed, not leaked.
    let settled = false;
    request.onupgradeneeded = (event) => {
      // Migrations go here, keyed on event.oldVersion; version 1 is the first schema.
      if (event.oldVersion < 1) {
        const db = request.result;
        db.createObjectStore(RECORDS, { autoIncrement: true });
        db.createObjectStore(META);
      }
    };
    request.onblocked = () => {
      settled = true;
      reject(
        new StorageError(
          `opening the IndexedDB database "${name}" is blocked: another GPoW tab or window has ` +
            `an older version of it open; close the other tabs and reload`,
        ),
      );
    };
    request.onerror = (event) => {
      event.preventDefault(); // handled here; do not also report it as an uncaught error
      if (settled) return;
      settled = true;
      reject(openFailure(name, request.error));
    };
    request.onsuccess = () => {
      const db = request.result;
      if (settled) {
        db.close();
        return;
      }
      settled = true;
      const missing = [RECORDS, META].filter((store) => !db.objectStoreNames.contains(store));
      if (missing.length > 0) {
        db.close();
        reject(
          new StorageError(
            `the IndexedDB database "${name}" exists but is not a GPoW ledger (it has no ` +
              `${missing.map((store) => `'${store}'`).join(' or ')} object store); it was left untouched`,
          ),
        );
        return;
      }
      resolve(db);
    };
  });
}

/** The hooks a transaction body gets: the object store, and a way to abort with our own error. */
interface TransactionScope {
  readonly store: IDBObjectStore;
  readonly fail: (error: Error) => void;
}

class IndexedDbLogStore implements LogStore {
  private readonly name: string;
  private readonly db: IDBDatabase;
  /** Why calls are refused: set by close(), or by the browser or another tab closing the db. */
  private closedReason: string | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  constructor(name: string, db: IDBDatabase) {
    this.name = name;
    this.db = db;
    // Another tab wants to upgrade or delete the database: step aside rather than block it.
    db.onversionchange = () => {
      db.close();
      this.closedReason ??=
        `the IndexedDB database "${name}" was closed because another tab is upgrading or ` +
        `deleting it; reload to reopen it`;
    };
    // The browser closed the connection itself (storage cleared, disk failure).
    db.onclose = () => {
      this.closedReason ??= `the browser closed the IndexedDB database "${name}"; reload to reopen it`;
    };
  }

  // The async methods validate and copy their arguments before their first await, that is
  // synchronously: the caller may reuse its arrays as soon as the call returns.

  async append(records: readonly Uint8Array[]): Promise<void> {
    const copies = validateRecords(records);
    await this.transact('append', 'readwrite', ({ store }) => {
      for (const record of copies) store.add(record);
      return () => undefined;
    });
  }

  /**
   * One readwrite transaction clears the records and adds the new ones: it commits whole or not
   * at all, so a crash or a failure leaves the old log. clear() does not reset the key
   * generator, so the new records get keys after the old ones, still in order.
   */
  async rewrite(records: readonly Uint8Array[]): Promise<{ readonly instance?: string }> {
    const copies = validateRecords(records);
    await this.transact('rewrite', 'readwrite', ({ store }) => {
      store.clear();
      for (const record of copies) store.add(record);
      return () => undefined;
    });
    return {}; // no instance, as load() reports none
  }

  load(onProgress?: ProgressListener): Promise<LoadedLog> {
    return this.transact('load', 'readonly', ({ store, fail }) => {
      const records: Uint8Array[] = [];
      let total = 0;
      // Plain callbacks, not promises: a transaction stays active only within its own events.
      const readBatch = (after: IDBValidKey | undefined): void => {
        const range = after === undefined ? null : IDBKeyRange.lowerBound(after, true);
        const keys = store.getAllKeys(range, LOAD_BATCH);
        const values = store.getAll(range, LOAD_BATCH);
        values.onsuccess = () => {
          try {
            for (const value of values.result as unknown[]) {
              if (!(value instanceof Uint8Array)) {
                throw new StorageError(
                  `the IndexedDB database "${this.name}" holds a record that is not bytes ` +
                    `(record ${records.length} in key order); it was not written by GPoW`,
                );
              }
              records.push(value); // already a fresh structured clone: the caller may keep it
            }
            onProgress?.(records.length, total);
            const last = keys.result[keys.result.length - 1];
            if (keys.result.length === LOAD_BATCH && last !== undefined) readBatch(last);
          } catch (error) {
            fail(error instanceof Error ? error : new Error(String(error)));
          }
        };
      };
      const count = store.count();
      count.onsuccess = () => {
        total = count.result;
        readBatch(undefined);
      };
      // No `instance`: a browser profile's database is not, in practice, swapped for a copy
      // behind the page's back, and IndexedDB has no identity of its own to report if it were.
      return () => ({ records });
    });
  }

  async putMeta(key: string, value: Uint8Array): Promise<void> {
    const checkedKey = validateMetaKey(key);
    const copy = validateMetaValue(checkedKey, value);
    await this.transact(
      'putMeta',
      'readwrite',
      ({ store }) => {
        store.put(copy, checkedKey);
        return () => undefined;
      },
      META,
    );
  }

  async getMeta(key: string): Promise<Uint8Array | undefined> {
    const checkedKey = validateMetaKey(key);
    return await this.transact(
      'getMeta',
      'readonly',
      ({ store, fail }) => {
        const request = store.get(checkedKey);
        let value: Uint8Array | undefined;
        request.onsuccess = () => {
          const result: unknown = request.result;
          if (result === undefined || result instanceof Uint8Array) value = result;
          else fail(new StorageError(`meta value '${checkedKey}' in "${this.name}" is not bytes`));
        };
        return () => value;
      },
      META,
    );
  }

  /** What the browser still grants this origin (its storage estimate: quota minus usage). */
  async spaceLeft(): Promise<number | null> {
    const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => null);
    if (!estimate?.quota || estimate.usage === undefined) return null;
    return Math.max(0, estimate.quota - estimate.usage);
  }

  /** Resolves once transactions already started have finished. Idempotent. */
  close(): Promise<void> {
    this.closedReason ??= `the IndexedDB log store "${this.name}" is closed`;
    this.closing ??= Promise.allSettled([...this.inFlight]).then(() => this.db.close());
    return this.closing;
  }

  /**
   * Runs one transaction on one object store. `body` issues the requests and returns a function
   * that produces the result once the transaction has committed.
   */
  private transact<T>(
    operation: string,
    mode: IDBTransactionMode,
    body: (scope: TransactionScope) => () => T,
    storeName: string = RECORDS,
  ): Promise<T> {
    const done = new Promise<T>((resolve, reject) => {
      if (this.closedReason !== undefined) {
        throw new StorageError(`cannot ${operation}: ${this.closedReason}`);
      }
      const tx =
        mode === 'readwrite'
          ? this.db.transaction(storeName, mode, DURABLE)
          : this.db.transaction(storeName, mode);
      let ourError: Error | undefined;
      const result = body({
        store: tx.objectStore(storeName),
        fail: (error) => {
          ourError ??= error;
          tx.abort();
        },
      });
      tx.oncomplete = () => resolve(result());
      tx.onabort = () => {
        reject(
          ourError ??
            new Error(
              `IndexedDB ${operation} on "${this.name}" failed: ${describeDomError(tx.error)}`,
              { cause: tx.error },
            ),
        );
      };
    });
    this.inFlight.add(done);
    const forget = (): void => {
      this.inFlight.delete(done);
    };
    done.then(forget, forget);
    return done;
  }
}

/**
 * Opens (creating if needed) the IndexedDB-backed log `name`. Rejects with StorageError when the
 * open is blocked by another tab, the database is newer or foreign, or storage is unavailable.
 */
export async function openIndexedDbLogStore(
  name: string,
  factory: IDBFactory = indexedDB,
): Promise<LogStore> {
  return new IndexedDbLogStore(name, await openDatabase(name, factory));
}
