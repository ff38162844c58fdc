// The renderer's durable storage in the desktop app: named append-only ledger logs
// (node/storage/fileLogStore.ts), one directory each under <userData>/ledgers/, opened and used
// through the bridge's ledger-log methods. The renderer's side is renderer/bridge/
// bridgeLogStore.ts, a LogStore like the browser's IndexedDB one.
//
// The renderer names a log; main picks the directory. Handles are small numbers: the renderer
// is the only client, and a handle it does not hold is refused. Reads are snapshots handed out
// in bounded chunks, so a large ledger never travels as one IPC message. A rewrite travels the
// same way the other direction: records are staged per handle, in arrival order, and only the
// commit hands them all to the store's rewrite(); a rewrite never committed changes nothing.
import { join } from 'node:path';
import type {
  LedgerLogChunk,
  LedgerLogOpened,
  LedgerLogReadStarted,
  LedgerLogRewritten,
} from '../shared/bridge/contract.ts';
import { LEDGER_LOG_NAME } from '../shared/bridge/contract.ts';
import { StorageError, type LogStore } from '../shared/storage/port.ts';
import { openFileLogStore } from '../node/storage/fileLogStore.ts';

/** Records per chunk and bytes per chunk: whichever is reached first ends the chunk. */
export const READ_CHUNK_RECORDS = 2048;
export const READ_CHUNK_BYTES = 4 * 1024 * 1024;
/** Distinct logs open at once; the runtime needs one per running network. */
export const MAX_OPEN_LOGS = 8;
/** Handles held at once, over all logs: a page opens one per running network. */
export const MAX_HANDLES = 64;
/** Unfinished reads per log; each holds a snapshot of the log in memory. */
export const MAX_READS_PER_LOG = 4;

export interface LedgerLogsOptions {
  /** The directory that holds one directory per log, e.g. <userData>/ledgers. */
  dir: string;
  /** Opens the store of one log directory; the file log by default. */
  openStore?: (dir: string) => Promise<LogStore>;
  chunkRecords?: number;
  chunkBytes?: number;
}

export interface LedgerLogs {
  open(input: { name: string }): Promise<LedgerLogOpened>;
  append(input: { log: number; records: Uint8Array[] }): Promise<void>;
  startRead(input: { log: number }): Promise<LedgerLogReadStarted>;
  readChunk(input: { read: number }): LedgerLogChunk;
  putMeta(input: { log: number; key: string; value: Uint8Array }): Promise<void>;
  getMeta(input: { log: number; key: string }): Promise<Uint8Array | null>;
  close(input: { log: number }): Promise<void>;
  /** Starts a rewrite for the handle with nothing staged, dropping an unfinished one. */
  startRewrite(input: { log: number }): void;
  /** Stages the next records of the handle's rewrite. */
  writeRewrite(input: { log: number; records: Uint8Array[] }): void;
  /** Ends the handle's rewrite: replaces the log with what was staged if it is `total` records. */
  commitRewrite(input: { log: number; total: number }): Promise<LedgerLogRewritten>;
  /** Closes every handle (the window reloaded or the app quits). */
  closeAll(): Promise<void>;
  /**
   * The network ids of the ledger logs open now (the renderer names them gpow-ledger-<id>):
   * main signs a change of the witnesses only for a network the app has open.
   */
  openNetworks(): string[];
}

// A later identity's logs start with i<slot>- (renderer/state/identityScope.ts scopedLogName).
const NETWORK_LOG = /^(?:i[1-9][0-9]*-)?gpow-ledger-([0-9a-f]{64})$/u;

interface OpenLog {
  readonly name: string;
  readonly opening: Promise<LogStore>;
  store: LogStore | undefined;
  readonly handles: Set<number>;
}

interface Read {
  readonly log: number;
  readonly records: Uint8Array[];
  at: number;
}

export function createLedgerLogs(options: LedgerLogsOptions): LedgerLogs {
  const openStore = options.openStore ?? ((dir: string) => openFileLogStore(dir));
  const chunkRecords = options.chunkRecords ?? READ_CHUNK_RECORDS;
  const chunkBytes = options.chunkBytes ?? READ_CHUNK_BYTES;
  const logs = new Map<string, OpenLog>();
  const handles = new Map<number, OpenLog>();
  const reads = new Map<number, Read>();
  /** The records of each handle's unfinished rewrite, staged in arrival order. */
  const rewrites = new Map<number, Uint8Array[]>();
  /** Logs being closed: an open of the same name waits, since the directory is locked till then. */
  const closing = new Map<string, Promise<void>>();
  let nextId = 1;

  const unknownHandle = (what: string): StorageError =>
    new StorageError(`${what} is not open: open the ledger log first, or it was closed`);
  const noRewrite = (log: number): StorageError =>
    new StorageError(`no rewrite of ledger log ${log} is under way: start one first`);

  /**
   * The store behind a handle. Synchronous once the store is open, so that calls reach the
   * store in the order they arrived (its own queue then keeps that order).
   */
  const withStore = <T>(log: number, use: (store: LogStore) => Promise<T>): Promise<T> => {
    const entry = handles.get(log);
    if (entry === undefined) return Promise.reject(unknownHandle(`ledger log ${log}`));
    return entry.store === undefined ? entry.opening.then(use) : use(entry.store);
  };

  const release = async (log: number): Promise<void> => {
    const entry = handles.get(log);
    if (entry === undefined) return;
    handles.delete(log);
    entry.handles.delete(log);
    for (const [id, read] of reads) if (read.log === log) reads.delete(id);
    rewrites.delete(log); // an abandoned rewrite: nothing of it reaches the log
    if (entry.handles.size > 0) return;
    logs.delete(entry.name);
    const done = entry.opening
      .then((store) => store.close())
      .catch(() => undefined)
      .finally(() => {
        if (closing.get(entry.name) === done) closing.delete(entry.name);
      });
    closing.set(entry.name, done);
    await done;
  };

  return {
    openNetworks() {
      const ids: string[] = [];
      for (const name of logs.keys()) {
        const match = NETWORK_LOG.exec(name);
        if (match?.[1]) ids.push(match[1]);
      }
      return ids;
    },
    async open({ name }) {
      // Checked here too: the name becomes a directory name.
      if (!LEDGER_LOG_NAME.test(name)) throw new StorageError('invalid ledger log name');
      if (handles.size >= MAX_HANDLES) {
        throw new StorageError(`at most ${MAX_HANDLES} ledger log handles can be open at once`);
      }
      await closing.get(name);
      let entry = logs.get(name);
      if (entry === undefined) {
        if (logs.size >= MAX_OPEN_LOGS) {
          throw new StorageError(`at most ${MAX_OPEN_LOGS} ledger logs can be open at once`);
        }
        const created: OpenLog = {
          name,
          opening: openStore(join(options.dir, name)),
          store: undefined,
          handles: new Set(),
        };
        logs.set(name, created);
        created.opening.then(
          (store) => {
            created.store = store;
          },
          () => {
            if (logs.get(name) === created) logs.delete(name);
          },
        );
        entry = created;
      }
      const log = nextId++;
      entry.handles.add(log);
      handles.set(log, entry);
      try {
        await entry.opening;
      } catch (error) {
        handles.delete(log);
        entry.handles.delete(log);
        throw error;
      }
      return { log };
    },

    append: ({ log, records }) => withStore(log, (store) => store.append(records)),

    async startRead({ log }) {
      const pending = [...reads.values()].filter((read) => read.log === log).length;
      if (pending >= MAX_READS_PER_LOG) {
        throw new StorageError(`at most ${MAX_READS_PER_LOG} reads of one log can be unfinished`);
      }
      const loaded = await withStore(log, (store) => store.load());
      // The log may have been closed while it loaded.
      if (!handles.has(log)) throw unknownHandle(`ledger log ${log}`);
      const read = nextId++;
      reads.set(read, { log, records: loaded.records, at: 0 });
      // Named field by field, so that nothing a store adds beyond the contract crosses over.
      const { recovery, instance } = loaded;
      return {
        read,
        total: loaded.records.length,
        ...(recovery === undefined ? {} : { recovery }),
        ...(instance === undefined ? {} : { instance }),
      };
    },

    readChunk({ read }) {
      const state = reads.get(read);
      if (state === undefined) throw unknownHandle(`read ${read}`);
      const records: Uint8Array[] = [];
      let bytes = 0;
      while (state.at < state.records.length && records.length < chunkRecords) {
        const record = state.records[state.at] as Uint8Array;
        if (records.length > 0 && bytes + record.length > chunkBytes) break;
        records.push(record);
        bytes += record.length;
        state.at++;
      }
      const done = state.at >= state.records.length;
      if (done) reads.delete(read);
      return { records, done };
    },

    startRewrite({ log }) {
      if (!handles.has(log)) throw unknownHandle(`ledger log ${log}`);
      rewrites.set(log, []);
    },

    writeRewrite({ log, records }) {
      const staged = rewrites.get(log);
      if (staged === undefined) throw noRewrite(log);
      for (const record of records) staged.push(record); // no spread: rewrites are long
    },

    commitRewrite({ log, total }) {
      const staged = rewrites.get(log);
      rewrites.delete(log);
      if (staged === undefined) return Promise.reject(noRewrite(log));
      if (staged.length !== total) {
        const error = new StorageError(
          `the rewrite of ledger log ${log} was refused: ${total} records were sent but ` +
            `${staged.length} arrived, so a request was lost on the way; the log is unchanged`,
        );
        return Promise.reject(error);
      }
      // Named field by field, as startRead does.
      return withStore(log, async (store) => {
        const { instance } = await store.rewrite(staged);
        return instance === undefined ? {} : { instance };
      });
    },

    putMeta: ({ log, key, value }) => withStore(log, (store) => store.putMeta(key, value)),

    getMeta: ({ log, key }) => withStore(log, async (store) => (await store.getMeta(key)) ?? null),

    close: ({ log }) => release(log),

    async closeAll() {
      await Promise.all([...handles.keys()].map((log) => release(log)));
    },
  };
}
