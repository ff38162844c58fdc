// Durable appends of what the ledger accepts. Everything accepted in one tick goes to the store
// as one append. An append that fails is reported and kept, and goes again with the next one:
// a full disk or a closed database must not silently drop transactions, nor stop every later
// save (a chain of promises that rejects once skips all that follows).
import type { LogStore } from '../shared/storage/port.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';

/**
 * Records per append. A large sync accepts 10⁵ transactions at once; one append of all of them
 * is one long task (IndexedDB structured-clones every record inside its transaction) that the
 * UI sharing the thread waits on. Appends of this size take a few tens of milliseconds each,
 * and the thread is free between them.
 */
export const PERSIST_CHUNK = 1_000;

export interface PersisterEvents {
  /** An append failed; its transactions are kept and go with the next append. */
  onFailure(message: string, transactions: number): void;
  /** These transactions are now durable (after a failure, including the ones it kept). */
  onSaved?(batch: readonly VerifiedTx[]): void;
}

export class Persister {
  readonly #store: LogStore;
  readonly #events: PersisterEvents;
  #queue: VerifiedTx[] = [];
  /** Transactions whose append failed, oldest first. */
  #failed: VerifiedTx[] = [];
  #lastError: string | null = null;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  /** Records appended by this persister. */
  saved = 0;

  constructor(store: LogStore, events: PersisterEvents) {
    this.#store = store;
    this.#events = events;
  }

  add(tx: VerifiedTx): void {
    this.#queue.push(tx);
    if (this.#queue.length > 1) return;
    this.#chain = this.#chain.then(() => this.#flush());
  }

  /**
   * Runs `work` between two appends, none under way: what is added meanwhile waits and goes
   * with the next one. A prune reads and rewrites the log this way, so no record lands in the
   * old log after it was read (engine/pruning.ts).
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const done = this.#chain.then(work);
    this.#chain = done.then(
      () => this.#flush(),
      () => this.#flush(),
    );
    return done;
  }

  /** Resolves once everything added so far was tried (see failureOf for the outcome). */
  flushed(): Promise<void> {
    return this.#chain;
  }

  /** Why `tx` is not durable yet, or null when it is (or was never added). */
  failureOf(tx: VerifiedTx): string | null {
    return this.#failed.includes(tx) ? this.#lastError : null;
  }

  /** Appends nothing more; resolves once the appends under way are done. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#chain;
  }

  async #flush(): Promise<void> {
    // Let the rest of this tick's transactions join the batch.
    await Promise.resolve();
    const batch = [...this.#failed, ...this.#queue.splice(0)];
    if (batch.length === 0 || this.#closed) return;
    // Each chunk is one append, stored whole or not at all (the storage port's promise).
    for (let start = 0; start < batch.length; start += PERSIST_CHUNK) {
      const chunk = batch.slice(start, start + PERSIST_CHUNK);
      try {
        await this.#store.append(chunk.map((tx) => tx.bytes));
      } catch (error) {
        this.#failed = batch.slice(start);
        this.#lastError = error instanceof Error ? error.message : String(error);
        this.#events.onFailure(this.#lastError, this.#failed.length);
        return;
      }
      this.saved += chunk.length;
      this.#events.onSaved?.(chunk);
    }
    this.#failed = [];
    this.#lastError = null;
  }
}
