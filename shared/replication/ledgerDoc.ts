// Binds a Y.Doc, the untrusted replication transport, to a Ledger, the only source of state.
//
// The doc holds one Y.Map ("txs") from transaction id to signed bytes: a grow-only set that
// y-webrtc replicates. This module:
// - ingests every entry that appears, through the full intake check, into the ledger;
// - cleans out entries that are not valid (wrong key, undecodable, forged, rejected by rules);
// - puts back valid transactions that someone deleted or overwrote;
// - publishes the peer's own transactions and those from its storage.
// Entries from remote peers were already screened per connection (screen.ts); checking again
// here covers writes that bypass the screen (another tab of the same browser, a local bug).
import { sha256 } from '../crypto/sha256.ts';
import type * as Y from 'yjs';
import { bytesEqual, toHex } from '../bytes.ts';
import type { TxId } from '../ids.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { VerifiedTx } from '../tx/registry.ts';
import type { Rejection } from '../tx/rejection.ts';
import { LEDGER_MAP } from './screen.ts';

export type Admit = (
  bytes: Uint8Array,
) => Promise<{ ok: true; tx: VerifiedTx } | { ok: false; rejection: Rejection }>;

/** Transactions verified by the screen, waiting to be ingested; bounded so it cannot grow without limit. */
export class VerifiedCache {
  readonly #entries = new Map<TxId, VerifiedTx>();
  readonly #max: number;

  constructor(max = 200_000) {
    this.#max = max;
  }

  put(tx: VerifiedTx): void {
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(tx.id, tx);
  }

  take(id: TxId): VerifiedTx | undefined {
    const tx = this.#entries.get(id);
    this.#entries.delete(id);
    return tx;
  }

  has(id: TxId): boolean {
    return this.#entries.has(id);
  }
}

export interface LedgerDocEvents {
  /** An entry was removed from the doc because it is invalid. */
  onCleaned?(key: string, reason: string): void;
  /** A valid transaction was deleted by someone and put back. */
  onRestored?(id: TxId): void;
  /** Progress through a large batch of incoming entries. */
  onProgress?(done: number, total: number): void;
  /**
   * Our own cleaning or restoring failed: Yjs threw, which it does on a doc whose store an
   * update broke (structs of length zero, say, which the screen refuses). The work is dropped
   * and reported here instead of becoming an unhandled rejection, which ends a Node peer.
   */
  onProblem?(message: string): void;
}

const ORIGIN_LOCAL = 'gpow-local';
const BATCH = 500;
const PUBLISH_BATCH = 10_000;

export class LedgerDoc {
  readonly doc: Y.Doc;
  readonly map: Y.Map<unknown>;
  readonly ledger: Ledger;
  readonly #admit: Admit;
  readonly #cache: VerifiedCache;
  readonly #events: LedgerDocEvents;
  #pending = new Set<string>();
  #restores = new Set<TxId>();
  #running: Promise<void> | null = null;

  constructor(
    doc: Y.Doc,
    ledger: Ledger,
    admit: Admit,
    cache: VerifiedCache,
    events: LedgerDocEvents = {},
  ) {
    this.doc = doc;
    this.map = doc.getMap(LEDGER_MAP);
    this.ledger = ledger;
    this.#admit = admit;
    this.#cache = cache;
    this.#events = events;
    this.map.observe((event) => {
      // Our own writes need no look: publish and restore put the bytes of a transaction the
      // ledger holds under its id, and clean removes only invalid entries. Skipping them saves
      // re-hashing the whole log after loading it.
      if (event.transaction.origin === ORIGIN_LOCAL) return;
      for (const [key, change] of event.changes.keys) {
        if (change.action === 'delete') {
          if (this.#belongs(key as TxId)) {
            this.#restores.add(key as TxId);
          }
        } else {
          this.#pending.add(key);
        }
      }
      this.#schedule();
    });
    for (const key of this.map.keys()) this.#pending.add(key);
    this.#schedule();
  }

  /**
   * Puts a transaction into the doc, unless an entry for it is already there. It goes into the
   * ledger first when the ledger does not know it yet; one the ledger rejects is not published.
   */
  publish(tx: VerifiedTx): void {
    this.publishAll([tx]);
  }

  /**
   * Publishes many at once, in Yjs transactions of PUBLISH_BATCH (one update each for peers):
   * a single transaction over a whole log held every key's bookkeeping at once.
   */
  publishAll(txs: readonly VerifiedTx[]): void {
    for (let start = 0; start < txs.length; start += PUBLISH_BATCH) {
      this.doc.transact(() => {
        for (const tx of txs.slice(start, start + PUBLISH_BATCH)) {
          if (!this.ledger.has(tx.id)) this.ledger.insert(tx);
          if (this.ledger.rejectionOf(tx.id)) continue;
          if (!(this.map.get(tx.id) instanceof Uint8Array)) this.map.set(tx.id, tx.bytes);
        }
      }, ORIGIN_LOCAL);
    }
  }

  /** Resolves when every entry seen so far has been processed. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /**
   * Whether the doc must hold this transaction: it is valid, or waiting for its parents. A
   * waiting one was not put back when deleted, and once its parents came it was valid in the
   * ledger and missing from the doc for good (found by the peer-message fuzz target).
   */
  #belongs(id: TxId): boolean {
    const state = this.ledger.status(id).state;
    return state === 'final' || state === 'pending' || state === 'void' || state === 'waiting';
  }

  #schedule(): void {
    if (this.#running) return;
    this.#running = this.#drain()
      .catch((error: unknown) => {
        this.#pending.clear();
        this.#restores.clear();
        this.#events.onProblem?.(
          `the doc could not be cleaned or restored: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => {
        this.#running = null;
        if (this.#pending.size > 0 || this.#restores.size > 0) this.#schedule();
      });
  }

  async #drain(): Promise<void> {
    // Let the Yjs transaction that queued this work finish first.
    await Promise.resolve();
    while (this.#pending.size > 0 || this.#restores.size > 0) {
      const keys = [...this.#pending];
      this.#pending.clear();
      const total = keys.length;
      const cleanups: Array<[string, string]> = [];
      for (let i = 0; i < keys.length; i += BATCH) {
        for (const key of keys.slice(i, i + BATCH)) {
          const problem = await this.#ingest(key);
          if (problem) cleanups.push([key, problem]);
        }
        if (total > BATCH) this.#events.onProgress?.(Math.min(total, i + BATCH), total);
      }
      this.#clean(cleanups);
      this.#restore();
    }
  }

  /** Returns why the entry must be cleaned out, or null when it is fine (valid or waiting). */
  async #ingest(key: string): Promise<string | null> {
    if (!this.map.has(key)) return null; // deleted again meanwhile
    // (An entry can also hold undefined: that is no transaction, and is cleaned like any other.)
    const value = this.map.get(key);
    if (!(value instanceof Uint8Array)) return 'the value is not bytes';
    // The ledger's own bytes under their own id (a doc read back at start holds the whole log
    // so): nothing to hash, nothing to check.
    const held = this.ledger.get(key as TxId);
    if (held && bytesEqual(held.bytes, value)) return this.#rejectionProblem(held.id);
    // A transaction the screen verified is in the cache under its id (the hash of its bytes):
    // the same bytes under that key need no second hash.
    let tx = this.#cache.take(key as TxId);
    if (tx && !bytesEqual(tx.bytes, value)) tx = undefined;
    const id = tx ? tx.id : (toHex(sha256(value)) as TxId);
    if (id !== key) return 'the key is not the transaction id';
    if (this.ledger.has(id)) return this.#rejectionProblem(id);
    if (!tx) {
      const admitted = await this.#admit(value);
      if (!admitted.ok) return `${admitted.rejection.code}: ${admitted.rejection.message}`;
      tx = admitted.tx;
    }
    this.ledger.insert(tx);
    return this.#rejectionProblem(id);
  }

  /** Why the ledger rejected `id`, as a cleaning reason; null when it did not. */
  #rejectionProblem(id: TxId): string | null {
    const rejection = this.ledger.rejectionOf(id);
    return rejection ? `${rejection.code}: ${rejection.message}` : null;
  }

  #clean(cleanups: ReadonlyArray<[string, string]>): void {
    if (cleanups.length === 0) return;
    this.doc.transact(() => {
      for (const [key, reason] of cleanups) {
        // Under the id of a valid transaction, something else (an overwrite: it names only its
        // origin, so the screen cannot check its key) is replaced by the transaction itself.
        // Deleting it instead left the doc without a transaction the ledger holds, for good.
        const valid = this.#belongs(key as TxId) ? this.ledger.get(key as TxId) : undefined;
        if (valid) {
          this.map.set(key, valid.bytes);
          this.#events.onRestored?.(key as TxId);
        } else if (this.map.has(key)) this.map.delete(key);
        this.#events.onCleaned?.(key, reason);
      }
    }, ORIGIN_LOCAL);
  }

  #restore(): void {
    if (this.#restores.size === 0) return;
    const ids = [...this.#restores];
    this.#restores.clear();
    this.doc.transact(() => {
      for (const id of ids) {
        const tx = this.ledger.get(id);
        if (!tx || this.map.get(id) instanceof Uint8Array) continue;
        this.map.set(id, tx.bytes);
        this.#events.onRestored?.(id);
      }
    }, ORIGIN_LOCAL);
  }
}
