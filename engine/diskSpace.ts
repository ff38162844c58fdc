// Warns well before the disk that holds this peer's data is full (issue 19). Every valid
// transaction is kept by every peer, so even within the writing budget (docs/protocol.md §15) a
// member writing all day adds about 118 MB a day to each peer's log; a peer that cannot save
// stops sending what it signs. The store says how much room is left where it keeps the log, when
// its platform can tell; below DISK_LOW_BYTES the peer says so in its problems (gpow status, the
// app's status) and warns once each time it crosses.
import type { LogStore } from '../shared/storage/port.ts';
import type { Cancel, EnginePorts } from './ports.ts';
import { DISK_CHECK_MS, DISK_LOW_BYTES } from './timing.ts';

export class DiskWatch {
  readonly #store: LogStore;
  readonly #timers: EnginePorts['timers'];
  readonly #warn: (sentence: string) => void;
  #left: number | null = null;
  #timer: Cancel | null = null;

  constructor(store: LogStore, timers: EnginePorts['timers'], warn: (sentence: string) => void) {
    this.#store = store;
    this.#timers = timers;
    this.#warn = warn;
  }

  /** Checks now and every DISK_CHECK_MS; a store that cannot tell is never asked again. */
  start(): void {
    if (this.#timer || !this.#store.spaceLeft) return;
    void this.check();
    this.#timer = this.#timers.every(DISK_CHECK_MS, () => void this.check());
  }

  async check(): Promise<void> {
    const left = await this.#store.spaceLeft?.().catch(() => null);
    if (left === undefined || left === null) return;
    const wasLow = this.#left !== null && this.#left < DISK_LOW_BYTES;
    this.#left = left;
    const sentence = this.problem();
    if (sentence && !wasLow) this.#warn(sentence);
  }

  /** A sentence while the disk is low, else null. */
  problem(): string | null {
    if (this.#left === null || this.#left >= DISK_LOW_BYTES) return null;
    const mb = Math.floor(this.#left / 1_000_000);
    return `Only ${mb} MB is left on the disk that holds this peer's data: free some space before it fills, or this peer stops saving and sending what you sign.`;
  }

  stop(): void {
    this.#timer?.();
    this.#timer = null;
  }
}
