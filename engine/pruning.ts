// Pruning the log at a certified checkpoint (docs/protocol.md §14.12). Once a quorum certified a
// checkpoint and this peer holds its state, the records its cut covers are needed by no later
// start: the ledger starts from that state (the peer's base, engine/fastForward.ts) and reads
// only what follows the cut, so a start costs the state plus the tail, not the history. The log
// keeps three things: the genesis, every record the cut does not cover, and every transfer from
// or to the user's own chains (its identity's and its devices'); the market rows of the user
// are kept beside it (past-entries). The user's history stays complete on their disk (read back
// as ReplayedLog.past). A witness's votes, though its own, move no money and go.
//
// The order makes a crash at any point safe: the base is saved first (with it, a start reads a
// whole log just as well), then the store replaces the log in one atomic step, then the count
// of trusted records and the own-head seal follow the new log (before they do, the next start
// re-checks a few signatures, or waits for a sync before signing: slower, never wrong).
import { decodeTx, trustStoredTx, type VerifiedTx } from '../shared/tx/registry.ts';
import { certificateOf, encodeCertificate, stateMatches } from '../shared/ledger/certificate.ts';
import { CutCover } from '../shared/ledger/cutCover.ts';
import { Ledger } from '../shared/ledger/ledger.ts';
import type { KeyHex, TxId } from '../shared/ids.ts';
import { MAX_SNAPSHOT_STATE_BYTES } from '../shared/replication/snapshotDoc.ts';
import type { LogStore } from '../shared/storage/port.ts';
import { marketHistoryOf } from '../shared/dnec/marketHistory.ts';
import {
  decodePastEntries,
  encodePastEntries,
  isOwnTransfer,
  type PastEntry,
} from '../shared/ledger/past.ts';
import {
  loadCheckpointState,
  saveCheckpointState,
  type StateStore,
} from '../shared/storage/checkpointState.ts';
import { messageOf, type EngineEvent } from './events.ts';
import type { Base } from './fastForward.ts';
import { registry } from './intake.ts';
import { writeCheckpoint } from './logReplay.ts';
import type { Persister } from './persister.ts';
import type { TimerPort } from './ports.ts';
import { PRUNE_MIN_RECORDS } from './timing.ts';

export interface PrunerHost {
  readonly store: LogStore;
  readonly persister: Persister;
  /** Records a prune must drop before it rewrites the log (PRUNE_MIN_RECORDS by default). */
  readonly minRecords?: number;
  ledger(): Ledger | null;
  /** The keys whose records the user's history needs: its identity's chains (none: no user). */
  mine(): readonly KeyHex[];
  /** Whether the peer may prune now (it knows its own head; it is not closing). */
  mayPrune(): boolean;
  /** Resolves on a later turn of the platform's event loop. */
  pause(): Promise<void>;
  /**
   * What the market moved for the user that the cut covers, as rows (its records go: the rest
   * of each service instance is not kept). Computed on the whole ledger, before the rewrite.
   */
  pastEntries?(ledger: Ledger, covered: (id: TxId) => boolean): PastEntry[];
  /** Keeps `base` as the state the log now builds on, and `entries` beside it (saved first). */
  keepBase(base: Base, entries: readonly PastEntry[]): Promise<void>;
  /** The log is a new one (LoadedLog.instance): the own-head seal follows it. */
  moved(instance: string | undefined): Promise<void>;
  onPruned(n: number, dropped: number, kept: number): void;
  warn(message: string): void;
}

/** The peer's side of a Pruner: what it is given (engine/peer.ts). */
export interface PrunerParts {
  readonly store: LogStore;
  readonly persister: Persister;
  readonly timers: TimerPort;
  readonly address: KeyHex | null;
  /** Records a prune must drop (PRUNE_MIN_RECORDS by default). */
  readonly minRecords?: number;
  readonly ownHead: { readonly known: boolean; moved(instance: string | undefined): Promise<void> };
  readonly snapshots: { keep(base: Base): Promise<void> };
  ledger(): Ledger | null;
  closed(): boolean;
  emit(event: EngineEvent): void;
}

/** The keys whose records the history of `address` shows: its identity's chains. */
const keysOf = (ledger: Ledger, address: KeyHex | null): KeyHex[] =>
  address === null ? [] : ledger.chainsOf(ledger.identityOf(address));

/** Of the records below a ledger's cut, those that name the user (Ledger.past). */
export function ownPast(
  ledger: Ledger,
  address: KeyHex | null,
  below: readonly VerifiedTx[],
): VerifiedTx[] {
  const mine = new Set(keysOf(ledger, address));
  return below.filter((tx) => isOwnTransfer(tx, mine));
}

/** The market rows of `keys` the cut covers, final (shared/dnec/marketHistory.ts). */
export function marketPast(
  ledger: Ledger,
  keys: readonly KeyHex[],
  covered: (id: TxId) => boolean,
): PastEntry[] {
  const rows: PastEntry[] = [];
  for (const key of keys)
    for (const { status, ...row } of marketHistoryOf(ledger, key))
      if (status.state === 'final' && covered(row.id)) rows.push(row);
  return mergeEntries([], rows);
}

/** `older` then what `newer` adds, one row per transaction. */
function mergeEntries(older: readonly PastEntry[], newer: readonly PastEntry[]): PastEntry[] {
  const seen = new Set(older.map((entry) => entry.id));
  const out = [...older];
  for (const entry of newer) if (!seen.has(entry.id) && seen.add(entry.id)) out.push(entry);
  return out;
}

/** Where the market rows of the user's past are kept, beside the base (parts, as a state). */
const PAST_ENTRIES = 'past-entries';

export async function savePastEntries(
  store: StateStore,
  id: TxId,
  entries: readonly PastEntry[],
): Promise<void> {
  await saveCheckpointState(store, id, encodePastEntries(entries), PAST_ENTRIES);
}

/** The rows kept by earlier prunes: none when there are none, a sentence when unreadable. */
export async function loadPastEntries(store: StateStore): Promise<PastEntry[] | string> {
  const saved = await loadCheckpointState(store, PAST_ENTRIES);
  if (saved) return decodePastEntries(saved.bytes);
  return (await store.getMeta(PAST_ENTRIES)) ? 'they are not whole' : [];
}

/**
 * Gives a ledger read back from the log the user's past (Ledger.past): the records below its
 * cut that name the user, and the market rows kept beside the log. A sentence when those rows
 * cannot be read (the rest is given all the same).
 */
export async function restorePast(
  store: StateStore,
  ledger: Ledger,
  address: KeyHex | null,
  below: readonly VerifiedTx[],
): Promise<string | null> {
  const entries = await loadPastEntries(store);
  ledger.keepPast(ownPast(ledger, address, below), typeof entries === 'string' ? [] : entries);
  return typeof entries === 'string'
    ? `Your service-market history from before the checkpoint this peer started from cannot be read (${entries}): what it shows of escrows, payouts and bonds starts at that checkpoint. Your payments are all there.`
    : null;
}

/**
 * A far-behind peer moved onto a newer certified state (engine/farBehind.ts): the user's final
 * records below its cut go on as `next`'s past, and the market rows the cut covers are computed
 * on `old`, the whole ledger, while it is there, and kept beside the log for later starts.
 */
export async function carryPast(
  store: StateStore,
  move: {
    readonly old: Ledger;
    readonly next: Ledger;
    readonly below: readonly VerifiedTx[];
    readonly plan: { readonly cover: CutCover };
  },
  address: KeyHex | null,
): Promise<void> {
  const { old, next, below, plan } = move;
  const covered = (id: TxId) => plan.cover.covers(old, id);
  const entries = mergeEntries(old.pastEntries, marketPast(old, keysOf(old, address), covered));
  next.keepPast(ownPast(next, address, below), entries);
  const checkpoint = next.latestCertified();
  if (checkpoint) await savePastEntries(store, checkpoint.id, entries);
}

/** A Pruner for a peer, whose own records are those of its identity's chains. */
export function peerPruner(parts: PrunerParts): Pruner {
  return new Pruner({
    store: parts.store,
    persister: parts.persister,
    ...(parts.minRecords !== undefined ? { minRecords: parts.minRecords } : {}),
    ledger: () => parts.ledger(),
    mine: () => {
      const ledger = parts.ledger();
      return ledger ? keysOf(ledger, parts.address) : [];
    },
    mayPrune: () => !parts.closed() && parts.ownHead.known,
    pause: () => new Promise((resolve) => void parts.timers.after(0, resolve)),
    pastEntries: (ledger, covered) => marketPast(ledger, keysOf(ledger, parts.address), covered),
    keepBase: async (base, entries) => {
      const ledger = parts.ledger();
      const all = mergeEntries(ledger?.pastEntries ?? [], entries);
      await savePastEntries(parts.store, base.certificate.checkpoint.id, all);
      await parts.snapshots.keep(base);
      ledger?.keepPast(ledger.past, all);
    },
    moved: (instance) => parts.ownHead.moved(instance),
    onPruned: (n, dropped, kept) => parts.emit({ type: 'pruned', n, dropped, kept }),
    warn: (message) => parts.emit({ type: 'warning', message }),
  });
}

export class Pruner {
  readonly #host: PrunerHost;
  /** The checkpoint the log was last pruned at, or checked for it. */
  #done = 0;
  #busy = false;

  constructor(host: PrunerHost) {
    this.#host = host;
  }

  /** Checkpoint `id` is certified and `state` is its state (engine/checkpoints.ts). */
  async certified(id: TxId, state: Uint8Array): Promise<void> {
    const ledger = this.#host.ledger();
    const record = ledger?.checkpoint(id);
    if (!ledger || !record || record.n <= this.#done || this.#busy) return;
    // Only on the very state a quorum certified: the next start builds on nothing else.
    if (!this.#host.mayPrune() || !stateMatches(record, state)) return;
    const certificate = certificateOf(ledger, id);
    const restored = Ledger.fromCompactBytes(
      ledger.genesis,
      registry,
      state,
      MAX_SNAPSHOT_STATE_BYTES,
    );
    if (!certificate || !restored.ok) return;
    this.#busy = true;
    try {
      const base = {
        n: record.n,
        certificate,
        certificateBytes: encodeCertificate(certificate),
        state,
      };
      const cover = CutCover.ofLedger(restored.ledger);
      // Sorted while appends go on; only the rewrite holds them back (see #rewrite).
      const sorted = await this.#sort(ledger, cover);
      if (sorted.dropped >= (this.#host.minRecords ?? PRUNE_MIN_RECORDS))
        await this.#host.persister.exclusive(() => this.#rewrite(ledger, cover, base, sorted));
      this.#done = record.n;
    } catch (error) {
      this.#host.warn(
        `The log could not be pruned at checkpoint ${record.n} (${messageOf(error)}): it keeps everything, and the next checkpoint tries again.`,
      );
    } finally {
      this.#busy = false;
    }
  }

  /** The records the log holds now, and those of them that stay. */
  async #sort(ledger: Ledger, cover: CutCover): Promise<Sorted> {
    const { records } = await this.#host.store.load();
    const mine = new Set(this.#host.mine());
    const kept: Uint8Array[] = [];
    for (let start = 0; start < records.length; start += SORT_STEP) {
      for (const bytes of records.slice(start, start + SORT_STEP))
        if (keeps(ledger, cover, bytes, mine)) kept.push(bytes);
      await this.#host.pause();
    }
    return { read: records.length, kept, dropped: records.length - kept.length };
  }

  /**
   * With no append under way: what was appended since the sort stays too (new, or kept to be
   * safe), then the base and rows are saved, and the log replaced.
   */
  async #rewrite(ledger: Ledger, cover: CutCover, base: Base, sorted: Sorted): Promise<void> {
    const store = this.#host.store;
    const { records } = await store.load();
    if (records.length < sorted.read)
      throw new Error('the log changed under the prune (it holds fewer records than it did)');
    const kept = [...sorted.kept, ...records.slice(sorted.read)];
    const entries = this.#host.pastEntries?.(ledger, (id) => cover.covers(ledger, id)) ?? [];
    await this.#host.keepBase(base, entries);
    const { instance } = await store.rewrite(kept);
    this.#host.persister.saved = kept.length;
    await writeCheckpoint(store, kept.length);
    await this.#host.moved(instance);
    this.#host.onPruned(base.n, sorted.dropped, kept.length);
  }
}

interface Sorted {
  /** Records the log held when it was sorted. */
  readonly read: number;
  readonly kept: readonly Uint8Array[];
  readonly dropped: number;
}

/** Records sorted between two pauses, so that a UI sharing the thread stays responsive. */
const SORT_STEP = 2_000;

/** Whether a record stays in the log: see the header. Unreadable records stay (nothing lost). */
function keeps(
  ledger: Ledger,
  cover: CutCover,
  bytes: Uint8Array,
  mine: ReadonlySet<KeyHex>,
): boolean {
  const decoded = decodeTx(bytes, registry);
  if (!decoded.ok) return true;
  const tx: VerifiedTx = trustStoredTx(decoded.tx);
  if (tx.id === ledger.genesis.id || !cover.covers(ledger, tx.id)) return true;
  return isOwnTransfer(tx, mine);
}
