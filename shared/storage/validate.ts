// Argument checks shared by every LogStore, so that all of them refuse the same inputs with
// the same messages. Each check also copies the bytes: a store must hold what the caller passed
// at the moment of the call, not whatever the caller's array holds later.
import { MAX_RECORD_BYTES, StorageError } from './port.ts';

/** Meta keys become file names in the file store, so they are kept to a portable, safe alphabet. */
const META_KEY = /^[a-z0-9-]{1,64}$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}

/**
 * Checks a batch for append() and returns copies of its records. Throws StorageError for the
 * first bad record, so a batch is written whole or not at all.
 */
export function validateRecords(records: unknown): Uint8Array[] {
  if (!Array.isArray(records)) {
    throw new StorageError(
      `append() takes an array of Uint8Array records, got ${describe(records)}`,
    );
  }
  const copies: Uint8Array[] = [];
  for (let i = 0; i < records.length; i++) {
    const record: unknown = records[i];
    if (!(record instanceof Uint8Array)) {
      throw new StorageError(
        `record ${i} of the batch is ${describe(record)}, not a Uint8Array; nothing was written`,
      );
    }
    if (record.length === 0) {
      throw new StorageError(
        `record ${i} of the batch is empty: records must be 1 to ${MAX_RECORD_BYTES} bytes; nothing was written`,
      );
    }
    if (record.length > MAX_RECORD_BYTES) {
      throw new StorageError(
        `record ${i} of the batch is ${record.length} bytes, over the ${MAX_RECORD_BYTES}-byte limit; nothing was written`,
      );
    }
    copies.push(new Uint8Array(record)); // a copy, and a plain Uint8Array even for a Buffer
  }
  return copies;
}

export function validateMetaKey(key: unknown): string {
  if (typeof key !== 'string' || !META_KEY.test(key)) {
    const shown = typeof key === 'string' ? JSON.stringify(key) : describe(key);
    throw new StorageError(
      `invalid meta key ${shown}: keys are 1 to 64 characters from a-z, 0-9 and '-'`,
    );
  }
  return key;
}

/** Meta values may be empty (a cleared setting) but share the record size bound. */
export function validateMetaValue(key: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new StorageError(`meta value for '${key}' is ${describe(value)}, not a Uint8Array`);
  }
  if (value.length > MAX_RECORD_BYTES) {
    throw new StorageError(
      `meta value for '${key}' is ${value.length} bytes, over the ${MAX_RECORD_BYTES}-byte limit`,
    );
  }
  return new Uint8Array(value);
}

/** The error every store gives for a call made after close(). */
export function closedError(store: string, operation: string): StorageError {
  return new StorageError(`cannot ${operation}: ${store} is closed`);
}
