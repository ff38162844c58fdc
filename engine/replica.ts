// The replication doc, kept across restarts (docs/snapshots.md, "Replication once").
//
// Yjs names every entry by (client id, clock). A peer that rebuilt its doc from the log at
// each start wrote every transaction again under a new client id, so each restart exchanged
// the whole history with every link, both ways (bench s9). Here the doc's own updates go to a
// second log store as they happen and are read back at the next start, so the doc resumes with
// the same entries, and a link sends only what the other side lacks.
//
// Each start still writes under a fresh client id (Y.Doc's own random one): an update not yet
// saved when the process died may already be with other peers, and reusing an id with clocks
// they hold for other content would make Yjs skip ours for good. A lost update costs only a
// duplicate entry for the same transaction, which the ledger doc already tolerates.
//
// The saved doc is a cache, never state: what it holds goes through the ledger doc's checks
// like anything else, and what cannot be read is left to the links to send, as before.
//
// Each epoch (docs/protocol.md §14.11) has a doc of its own, and its records carry the epoch's
// number (none for epoch 0, as records were written before epochs). A start reads back only the
// records of the epochs it opens, and first drops those of every other epoch (dropLeftEpochs):
// an epoch left behind is never opened again, so its records would only take room.
import * as Y from 'yjs';
import { decodeCanonical, encodeCanonical } from '../shared/codec/cbor.ts';
import type { LogStore } from '../shared/storage/port.ts';
import type { Cancel, TimerPort } from './ports.ts';

/** The Yjs origin of the saved doc read back at start (not saved again). */
export const REPLICA_ORIGIN = 'gpow-replica';
/** One update is cut into records of at most this many bytes (the store's bound is 1 MiB). */
export const REPLICA_PART_BYTES = 512 * 1024;
/** Updates of this long are saved together: one append, not one per transaction. */
const FLUSH_MS = 2_000;

interface Part {
  readonly e: number;
  readonly i: number;
  readonly n: number;
  readonly u: Uint8Array;
}

/** The records of one update of `epoch`'s doc: parts i of n, in order. */
export function replicaRecords(update: Uint8Array, epoch = 0): Uint8Array[] {
  const n = Math.max(1, Math.ceil(update.length / REPLICA_PART_BYTES));
  const records: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const u = update.subarray(i * REPLICA_PART_BYTES, (i + 1) * REPLICA_PART_BYTES);
    records.push(encodeCanonical(epoch === 0 ? { v: 1, i, n, u } : { v: 1, e: epoch, i, n, u }));
  }
  return records;
}

function parsePart(record: Uint8Array): Part | null {
  const decoded = decodeCanonical(record, REPLICA_PART_BYTES + 64);
  if (!decoded.ok || typeof decoded.value !== 'object' || decoded.value === null) return null;
  const { v, e = 0, i, n, u } = decoded.value as Record<string, unknown>;
  if (v !== 1 || !(u instanceof Uint8Array)) return null;
  if (!Number.isSafeInteger(e) || !Number.isSafeInteger(i) || !Number.isSafeInteger(n)) return null;
  if ((e as number) < 0 || (i as number) < 0 || (i as number) >= (n as number)) return null;
  return { e: e as number, i: i as number, n: n as number, u };
}

/**
 * The whole updates of `epoch` in `records`, and how many of its records were left out: a part
 * that does not follow the one before (a record lost to damage in between) drops the update it
 * belonged to; the rest still count. Records of other epochs are skipped, and not counted.
 */
export function replicaUpdates(
  records: readonly Uint8Array[],
  epoch = 0,
): {
  updates: Uint8Array[];
  dropped: number;
} {
  const updates: Uint8Array[] = [];
  let used = 0;
  let mine = 0;
  let parts: Uint8Array[] = [];
  for (const record of records) {
    const part = parsePart(record);
    if (part && part.e !== epoch) continue;
    mine++;
    if (part?.i !== parts.length) parts = [];
    if (part?.i !== parts.length) continue;
    parts.push(part.u);
    if (parts.length === part.n) {
      updates.push(concat(parts));
      used += part.n;
      parts = [];
    }
  }
  return { updates, dropped: mine - used };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Reads the saved doc into `doc`, update after update in one Yjs transaction (no merged copy,
 * no scratch doc: each held the whole doc a second time at start-up, which bench s5 measured).
 * An update Yjs cannot read stops the reading there: what was applied stays (its entries are
 * checked like any other), and links send the rest. Returns a sentence for the user when
 * something was left out.
 */
export async function loadReplica(
  store: LogStore,
  doc: Y.Doc,
  epoch = 0,
  /** The store's records, when the caller has just read them (Epochs.resume). */
  records?: readonly Uint8Array[],
): Promise<{ updates: number; warning?: string }> {
  const held = records ?? (await store.load()).records;
  const { updates, dropped } = replicaUpdates(held, epoch);
  const lost =
    dropped > 0 ? `${dropped} damaged record(s) of the saved replication doc were left out` : '';
  let applied = 0;
  try {
    doc.transact(() => {
      for (; applied < updates.length; applied++) {
        Y.applyUpdate(doc, updates[applied] as Uint8Array);
        updates[applied] = EMPTY; // let each go once applied
      }
    }, REPLICA_ORIGIN);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const what =
      applied === 0
        ? 'this start sends and receives the whole history once'
        : 'links send what it lacks';
    return {
      updates: applied,
      warning: `The saved replication doc could not be read whole (${why}); ${what}.`,
    };
  }
  return lost ? { updates: applied, warning: `${lost}.` } : { updates: applied };
}

const EMPTY = new Uint8Array(0);

/**
 * Drops the saved records of every epoch not in `keep`, and any record that cannot be read (the
 * saved doc is a cache: links send what it lacks). Call at start, before a ReplicaWriter writes
 * to `store`: the store is replaced in one step (LogStore.rewrite). Returns the records dropped.
 */
export async function dropLeftEpochs(
  store: LogStore,
  keep: ReadonlySet<number>,
): Promise<{ dropped: number; kept: Uint8Array[] }> {
  const { records } = await store.load();
  const kept = records.filter((record) => {
    const part = parsePart(record);
    return part !== null && keep.has(part.e);
  });
  if (kept.length < records.length) await store.rewrite(kept);
  return { dropped: records.length - kept.length, kept };
}

/**
 * dropLeftEpochs at start, a failure said in a sentence (what is left only takes room). Gives
 * the records kept, for the epochs' docs to be read from without reading the store again;
 * undefined when there is no store or the drop failed.
 */
export async function forgetLeftEpochs(
  store: LogStore | undefined,
  keep: ReadonlySet<number>,
  warn: (message: string) => void,
): Promise<Uint8Array[] | undefined> {
  if (!store) return undefined;
  try {
    return (await dropLeftEpochs(store, keep)).kept;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    warn(
      `The saved replication records of epochs left behind could not be removed (${why}); they take room, and are never read.`,
    );
    return undefined;
  }
}

/** Saves the doc's updates to `store`, merged every FLUSH_MS; close() saves the rest. */
export class ReplicaWriter {
  readonly #store: LogStore;
  readonly #epoch: number;
  /** Whether close() closes the store too (not when another epoch's writer shares it). */
  readonly #ownsStore: boolean;
  readonly #doc: Y.Doc;
  readonly #timers: TimerPort;
  readonly #onFailure: (message: string) => void;
  #pending: Uint8Array[] = [];
  #timer: Cancel | null = null;
  #writing: Promise<void> = Promise.resolve();
  readonly #listener = (update: Uint8Array, origin: unknown) => {
    if (origin === REPLICA_ORIGIN) return;
    this.#pending.push(update);
    this.#timer ??= this.#timers.after(FLUSH_MS, () => this.#flush());
  };

  constructor(
    store: LogStore,
    doc: Y.Doc,
    timers: TimerPort,
    onFailure: (message: string) => void,
    { epoch = 0, ownsStore = true }: { epoch?: number; ownsStore?: boolean } = {},
  ) {
    this.#store = store;
    this.#epoch = epoch;
    this.#ownsStore = ownsStore;
    this.#doc = doc;
    this.#timers = timers;
    this.#onFailure = onFailure;
    doc.on('update', this.#listener);
  }

  #flush(): void {
    this.#timer = null;
    if (this.#pending.length === 0) return;
    const merged = Y.mergeUpdates(this.#pending);
    this.#pending = [];
    const records = replicaRecords(merged, this.#epoch);
    // In order, one append after the other: a part must never land before the one it follows.
    this.#writing = this.#writing
      .then(() => this.#store.append(records))
      .catch((error: unknown) =>
        this.#onFailure(
          `Saving the replication doc failed (${error instanceof Error ? error.message : String(error)}); the next start exchanges more with its links, and nothing of the ledger is lost.`,
        ),
      );
  }

  /** Saves what is pending, then closes the store (when it owns it). */
  async close(): Promise<void> {
    this.#doc.off('update', this.#listener);
    this.#timer?.();
    this.#flush();
    await this.#writing;
    if (this.#ownsStore) await this.#store.close();
  }
}
