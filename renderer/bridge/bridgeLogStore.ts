// The desktop app's LogStore: the same interface as renderer/storage/indexedDbLogStore.ts, with
// the records kept by the main process in an append-only file log (electron/ledgerLogs.ts over
// node/storage/fileLogStore.ts), reached through the bridge's ledger-log methods.
//
// Arguments are checked and copied here, synchronously, with the checks every store shares
// (shared/storage/validate.ts), so this store refuses exactly what the others refuse; main
// checks them again. Every call reaches the bridge synchronously and in call order, and main
// runs them in arrival order, so batches never interleave. A batch too large for one request is
// sent as consecutive requests straight away, so nothing can slip in between them. load() reads
// in chunks, and reports progress in records. rewrite() sends its records the same way, between
// a start and a commit sent straight after them: main replaces the log only at the commit, and
// only if every record arrived.
import type { GpowBridge } from '../../shared/bridge/contract.ts';
import {
  MAX_APPEND_BYTES,
  MAX_APPEND_RECORDS,
  parseLedgerLogReadStarted,
  parseLedgerLogRewritten,
} from '../../shared/bridge/contract.ts';
import {
  StorageError,
  type LoadedLog,
  type LogStore,
  type ProgressListener,
} from '../../shared/storage/port.ts';
import {
  closedError,
  validateMetaKey,
  validateMetaValue,
  validateRecords,
} from '../../shared/storage/validate.ts';

export type LogBridge = Pick<
  GpowBridge,
  | 'openLedgerLog'
  | 'appendLedgerLog'
  | 'startLedgerLogRead'
  | 'readLedgerLogChunk'
  | 'putLedgerMeta'
  | 'getLedgerMeta'
  | 'closeLedgerLog'
  | 'startLedgerLogRewrite'
  | 'writeLedgerLogRewrite'
  | 'commitLedgerLogRewrite'
>;

/** Electron prefixes a rejection from main with where it came from; the sentence is the rest. */
function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/u, '');
}

function asStorageError(error: unknown): StorageError {
  return error instanceof StorageError
    ? error
    : new StorageError(messageOf(error), { cause: error });
}

/** Splits a checked batch into requests main accepts, keeping the order. */
function requestsOf(records: Uint8Array[]): Uint8Array[][] {
  const groups: Uint8Array[][] = [];
  let group: Uint8Array[] = [];
  let bytes = 0;
  for (const record of records) {
    if (
      group.length > 0 &&
      (group.length >= MAX_APPEND_RECORDS || bytes + record.length > MAX_APPEND_BYTES)
    ) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(record);
    bytes += record.length;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** A plain Uint8Array of its own, or a StorageError for anything that is not bytes. */
function ownBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new StorageError(`the main process returned ${what} that is not bytes`);
  }
  return value.constructor === Uint8Array ? value : new Uint8Array(value);
}

class BridgeLogStore implements LogStore {
  readonly #bridge: LogBridge;
  readonly #name: string;
  readonly #log: number;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(bridge: LogBridge, name: string, log: number) {
    this.#bridge = bridge;
    this.#name = name;
    this.#log = log;
  }

  append(records: readonly Uint8Array[]): Promise<void> {
    return this.#run('append', () => {
      const groups = requestsOf(validateRecords(records));
      // Sent now, one after the other: main receives them back to back.
      const sent = groups.map((group) =>
        this.#bridge.appendLedgerLog({ log: this.#log, records: group }),
      );
      return Promise.all(sent).then(() => undefined);
    });
  }

  load(onProgress?: ProgressListener): Promise<LoadedLog> {
    return this.#run('load', () => {
      const started = this.#bridge.startLedgerLogRead({ log: this.#log });
      return started.then(async (answer) => {
        const checked = parseLedgerLogReadStarted(answer);
        if (!checked.ok) throw new StorageError(`the main process gave ${checked.message}`);
        const { read, total, recovery, instance } = checked.value;
        const records: Uint8Array[] = [];
        for (;;) {
          const chunk = await this.#bridge.readLedgerLogChunk({ read });
          for (const record of chunk.records) records.push(ownBytes(record, 'a record'));
          if (records.length > total) {
            throw new StorageError('the main process returned more records than it announced');
          }
          if (chunk.done) break;
          onProgress?.(records.length, total);
        }
        if (records.length !== total) {
          throw new StorageError('the main process returned fewer records than it announced');
        }
        onProgress?.(total, total);
        return {
          records,
          ...(recovery === undefined ? {} : { recovery }),
          ...(instance === undefined ? {} : { instance }),
        };
      });
    });
  }

  rewrite(records: readonly Uint8Array[]): Promise<{ readonly instance?: string }> {
    return this.#run('rewrite', () => {
      const checked = validateRecords(records);
      const log = this.#log;
      // All sent now, back to back, so no other call of this store can come between them.
      const staged = [
        this.#bridge.startLedgerLogRewrite({ log }),
        ...requestsOf(checked).map((group) =>
          this.#bridge.writeLedgerLogRewrite({ log, records: group }),
        ),
      ];
      const committed = this.#bridge.commitLedgerLogRewrite({ log, total: checked.length });
      return Promise.all([Promise.all(staged), committed]).then(([, answer]) => {
        const parsed = parseLedgerLogRewritten(answer);
        if (!parsed.ok) throw new StorageError(`the main process gave ${parsed.message}`);
        return parsed.value;
      });
    });
  }

  putMeta(key: string, value: Uint8Array): Promise<void> {
    return this.#run('putMeta', () => {
      const checkedKey = validateMetaKey(key);
      const copy = validateMetaValue(checkedKey, value);
      return this.#bridge.putLedgerMeta({ log: this.#log, key: checkedKey, value: copy });
    });
  }

  getMeta(key: string): Promise<Uint8Array | undefined> {
    return this.#run('getMeta', () => {
      const checkedKey = validateMetaKey(key);
      return this.#bridge
        .getLedgerMeta({ log: this.#log, key: checkedKey })
        .then((value) => (value === null ? undefined : ownBytes(value, 'a meta value')));
    });
  }

  /** Waits for calls already made, then closes the log in main. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= Promise.allSettled([...this.#inFlight]).then(() =>
      this.#bridge.closeLedgerLog({ log: this.#log }).catch((error: unknown) => {
        throw asStorageError(error);
      }),
    );
    return this.#closing;
  }

  /**
   * Runs `start` synchronously (checks, copies and the bridge call happen before this returns),
   * turning every failure into a rejected StorageError, and tracks the call for close().
   */
  #run<T>(operation: string, start: () => Promise<T>): Promise<T> {
    let done: Promise<T>;
    if (this.#closing !== undefined) {
      done = Promise.reject(closedError(`the ledger log "${this.#name}"`, operation));
    } else {
      try {
        done = start().catch((error: unknown) => {
          throw asStorageError(error);
        });
      } catch (error) {
        done = Promise.reject(asStorageError(error));
      }
    }
    this.#inFlight.add(done);
    const forget = (): void => {
      this.#inFlight.delete(done);
    };
    done.then(forget, forget);
    return done;
  }
}

/** Opens (creating if needed) the named ledger log kept by the main process. */
export async function openBridgeLogStore(bridge: LogBridge, name: string): Promise<LogStore> {
  try {
    const { log } = await bridge.openLedgerLog({ name });
    return new BridgeLogStore(bridge, name, log);
  } catch (error) {
    throw asStorageError(error);
  }
}
