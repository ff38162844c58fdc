// The authors of the latest accepted transactions, for the status's writing-budget line
// (shared/wallet/budget.ts, budgetStatus): an author near the end of its budget has written
// within the last burst's worth of witness time, so the status need not read every account of
// a large network each time the app redraws. Bounded: the oldest are forgotten first.
import type { KeyHex } from '../shared/ids.ts';

export const RECENT_AUTHORS = 1_000;

export class RecentAuthors {
  // A Map keeps insertion order: deleting and setting again moves an author to the end.
  readonly #seen = new Map<KeyHex, true>();

  add(author: KeyHex): void {
    this.#seen.delete(author);
    this.#seen.set(author, true);
    if (this.#seen.size > RECENT_AUTHORS) {
      const oldest = this.#seen.keys().next();
      if (!oldest.done) this.#seen.delete(oldest.value);
    }
  }

  get authors(): Iterable<KeyHex> {
    return this.#seen.keys();
  }
}
