// A LogStore held in memory: for tests, and for the browser when IndexedDB is unavailable
// (private windows, disabled storage). Nothing survives the page, so "durable" here only means
// "stored in this object"; the app must tell the user it is running without persistence.
import type { LoadedLog, LogStore, ProgressListener } from './port.ts';
import { closedError, validateMetaKey, validateMetaValue, validateRecords } from './validate.ts';

/**
 * What a MemoryLogStore writes into. Passing the same data to a new store is this store's
 * "reopen": the new store sees everything the old one stored.
 */
export interface MemoryLogData {
  readonly records: Uint8Array[];
  readonly meta: Map<string, Uint8Array>;
}

export const emptyMemoryLogData = (): MemoryLogData => ({ records: [], meta: new Map() });

export class MemoryLogStore implements LogStore {
  readonly data: MemoryLogData;
  private closed = false;

  constructor(data: MemoryLogData = emptyMemoryLogData()) {
    this.data = data;
  }

  append(records: readonly Uint8Array[]): Promise<void> {
    return this.run('append', () => {
      // validateRecords copies, so the caller's arrays are never shared with the store.
      this.data.records.push(...validateRecords(records));
    });
  }

  load(onProgress?: ProgressListener): Promise<LoadedLog> {
    return this.run('load', () => {
      // Copies out too, so a caller mutating a loaded record cannot change the log.
      const records = this.data.records.map((record) => new Uint8Array(record));
      onProgress?.(records.length, records.length);
      // No `instance`: this store lives as long as one process, so it is never a restored copy.
      return { records };
    });
  }

  rewrite(records: readonly Uint8Array[]): Promise<{ readonly instance?: string }> {
    return this.run('rewrite', () => {
      // Checked and copied in full before the old records go: a refusal changes nothing.
      const checked = validateRecords(records);
      this.data.records.length = 0;
      for (const record of checked) this.data.records.push(record); // no spread: logs are long
      return {};
    });
  }

  putMeta(key: string, value: Uint8Array): Promise<void> {
    return this.run('putMeta', () => {
      const checked = validateMetaKey(key);
      this.data.meta.set(checked, validateMetaValue(checked, value));
    });
  }

  getMeta(key: string): Promise<Uint8Array | undefined> {
    return this.run('getMeta', () => {
      const value = this.data.meta.get(validateMetaKey(key));
      return value === undefined ? undefined : new Uint8Array(value);
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Runs a synchronous operation now, turning a throw (a StorageError) into a rejection. */
  private run<T>(operation: string, body: () => T): Promise<T> {
    return new Promise<T>((resolve) => {
      if (this.closed) throw closedError('the memory log store', operation);
      resolve(body());
    });
  }
}
