// A newcomer's asks in the network's room wait while it looks in the snapshot room
// (docs/protocol.md §14.10). Asking there at once, as every peer does, made each holder of the
// history answer with its whole doc (an archive keeps epoch 0, the history, open), one
// synchronous step of several seconds for it before the bytes even travel: in bench s13 with an
// archive founder, joins of 1,000,000 transactions took 51-53 s against 1-2 s without one, and
// at 100,000 one newcomer received the 35 MB history it then dropped (docs/performance.md). A
// newcomer that takes a certified state leaves that room without ever asking; one that does not
// asks then, and gets the history as before.
//
// The hold ends (release) when the look is decided without a state to take (see Snapshots), or
// when the network's room has a link while the snapshot room has had none for HOLD_ALONE_MS:
// then nobody can offer a state, and waiting would only slow the join of a network without one.
import type { Cancel, TimerPort } from './ports.ts';

/** How long a newcomer linked in the network's room waits for a link of the snapshot room. */
export const HOLD_ALONE_MS = 3_000;
const POLL_MS = 250;

export interface AskHoldHost {
  readonly timers: TimerPort;
  /** Holds or releases the asks of the network's room (Epochs.holdAsks). */
  holdAsks(held: boolean): void;
  /** Whether a link of the network's room is open. */
  networkLinked(): boolean;
  /** Whether a link of the snapshot room is open. */
  snapshotLinked(): boolean;
}

export class AskHold {
  readonly #host: AskHoldHost;
  #held = false;
  #poll: Cancel | null = null;
  /** Polls the network's room has been linked while the snapshot room was not. */
  #alone = 0;

  constructor(host: AskHoldHost) {
    this.#host = host;
  }

  get held(): boolean {
    return this.#held;
  }

  /** Holds the asks until release, or until the snapshot room stays empty (see the header). */
  hold(): void {
    if (this.#held) return;
    this.#held = true;
    this.#host.holdAsks(true);
    this.#alone = 0;
    this.#poll = this.#host.timers.every(POLL_MS, () => {
      const alone = this.#host.networkLinked() && !this.#host.snapshotLinked();
      this.#alone = alone ? this.#alone + 1 : 0;
      if (this.#alone * POLL_MS >= HOLD_ALONE_MS) this.release();
    });
  }

  /** The newcomer asks in the network's room after all (no state taken, or none on offer). */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#poll?.();
    this.#poll = null;
    this.#host.holdAsks(false);
  }

  /** A state was taken: the network's room was left unasked; nothing more to release. */
  done(): void {
    this.#held = false;
    this.#poll?.();
    this.#poll = null;
  }
}
