// A peer more than one checkpoint behind (docs/protocol.md §14.11): while it was away, the group
// moved on two epochs or more, and the rooms it knows are empty. When no member has answered for
// LOOK_AFTER_MS, it looks in the snapshot room; a certified state newer than any it knows, which
// contradicts nothing it holds as final, becomes its base, and it moves to that state's epoch
// with everything it holds (its own unsent transactions included) on top. Without an offer it
// looks again later, waiting twice as long each time (at most MAX_WAIT_MS).
import type { Ledger } from '../shared/ledger/ledger.ts';
import type { Taken } from './fastForward.ts';
import type { Cancel, TimerPort } from './ports.ts';

/** How long nobody answers before a peer looks for a newer certified state. */
export const LOOK_AFTER_MS = 15_000;
const POLL_MS = 2_000;
const MAX_WAIT_MS = 5 * 60_000;

export interface FarBehindHost {
  readonly timers: TimerPort;
  /** False for a peer that joins no room. */
  readonly connects: boolean;
  ledger(): Ledger | null;
  /** How long no member has answered (null while one is connected or the peer is not trying). */
  unansweredFor(): number | null;
  /** A newer certified state from the snapshot room (engine/fastForward.ts Snapshots.further). */
  further(ledger: Ledger): Promise<Taken | null>;
  /** Moves the peer onto a state it took. */
  rebase(taken: Taken & { readonly ledger: Ledger }): Promise<void>;
  warn(message: string): void;
}

export class FarBehind {
  readonly #host: FarBehindHost;
  #timer: Cancel | null = null;
  #looking = false;
  #wait = LOOK_AFTER_MS;
  #silentSince = 0;
  /** The refusal said last, so that the same one is not said again at every look. */
  #said = '';

  constructor(host: FarBehindHost) {
    this.#host = host;
  }

  start(): void {
    if (!this.#host.connects || this.#timer) return;
    this.#timer = this.#host.timers.every(POLL_MS, () => this.#check());
  }

  #check(): void {
    const silent = this.#host.unansweredFor();
    const ledger = this.#host.ledger();
    if (silent === null || !ledger) {
      this.#wait = LOOK_AFTER_MS;
      this.#silentSince = 0;
      return;
    }
    if (this.#looking || silent - this.#silentSince < this.#wait) return;
    this.#silentSince = silent;
    this.#wait = Math.min(this.#wait * 2, MAX_WAIT_MS);
    void this.#look(ledger);
  }

  async #look(ledger: Ledger): Promise<void> {
    this.#looking = true;
    try {
      const taken = await this.#host.further(ledger);
      if (!taken) return;
      if (taken.ledger) {
        await this.#host.rebase(taken);
        return;
      }
      const said = taken.refusals.join('; ');
      if (said !== this.#said)
        this.#host.warn(
          `Nobody answers in this peer's rooms, and no newer certified state offered could be used (${said}): it keeps what it has and looks again later.`,
        );
      this.#said = said;
    } catch (error) {
      this.#host.warn(
        `Looking for a newer certified state failed (${error instanceof Error ? error.message : String(error)}); this peer looks again later.`,
      );
    } finally {
      this.#looking = false;
    }
  }

  stop(): void {
    this.#timer?.();
    this.#timer = null;
  }
}
