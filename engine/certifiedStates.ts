// The certified states a pruning peer that is no witness needs (docs/protocol.md §14.12). Such a
// peer prunes its log at a checkpoint only once it holds that checkpoint's state. It used to
// compute every state itself, as a witness does; on a network that adopts checkpoints with a long
// history, the first one is a state of the whole history, built in a second ledger beside its own
// (4.8 GB at 1,000,000 transactions in bench s12). It now first takes that state from the
// snapshot room, where witnesses offer it, checked as a newcomer checks one (the certificate's
// quorum, the state's root and size: engine/base.ts takeOffer), and only for a checkpoint its own
// ledger holds certified. With none offered, or none that checks out, it computes it as before.
// Later checkpoints build on that state (the chain of §14.1), which costs what each adds.
//
// The states are the work of a CheckpointDuty of its own (engine/checkpoints.ts), which never
// proposes and never votes: the one engine/witness.ts runs computes them for a witness, which
// must compute each state itself before it votes for it (§14.3).
import type { TxId } from '../shared/ids.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import { checkpointOf } from '../shared/ledger/checkpoints.ts';
import type { OfferedSnapshot } from '../shared/replication/snapshotDoc.ts';
import { loadCheckpointState } from '../shared/storage/checkpointState.ts';
import type { Tx } from '../shared/tx/envelope.ts';
import { takeOffer } from './base.ts';
import { CheckpointDuty } from './checkpoints.ts';
import type { Cancel, EnginePorts } from './ports.ts';
import { TICK_CHECK_MS } from './timing.ts';

/**
 * How many times the room is asked, and how far apart, before the state is computed: a witness
 * offers a state only once it has seen it certified, about when this peer does, so the first
 * look can come too early.
 */
export const STATE_LOOKS = 3;
export const STATE_LOOK_EVERY_MS = 10_000;

/** A checkpoint's state, known here. */
export interface KnownState {
  readonly id: TxId;
  readonly state: Uint8Array;
}

export interface CertifiedStatesHost {
  readonly ports: Pick<EnginePorts, 'clock' | 'timers' | 'store' | 'verify' | 'signer'>;
  /** Whether the peer votes when it is a witness (its witness duty then computes the states). */
  readonly votes: boolean;
  ledger(): Ledger | null;
  /** What the snapshot room offers (Snapshots.lookAround): untrusted, checked here. */
  offers(): Promise<OfferedSnapshot[]>;
  /** The certified state this peer's log builds on, if any (its base). */
  base(): KnownState | null;
  /** The state of the latest certified checkpoint is known here (to prune, to offer it). */
  onCertified(id: TxId, state: Uint8Array): void;
  warn(message: string): void;
  /** STATE_LOOKS and STATE_LOOK_EVERY_MS unless a test wants others. */
  readonly looks?: { readonly count: number; readonly everyMs: number };
}

export class CertifiedStates {
  readonly #host: CertifiedStatesHost;
  #duty: CheckpointDuty | null = null;
  /** The state taken from the snapshot room, which the duty builds on. */
  #taken: KnownState | null = null;
  #looking = false;
  /** Looks in the room so far, and when the next may be. */
  #looks = 0;
  #nextLook = 0;
  #timer: Cancel | null = null;

  constructor(host: CertifiedStatesHost) {
    this.#host = host;
  }

  /** The ledger is known: from now on, once a checkpoint is certified, its state is found. */
  start(): void {
    this.#timer ??= this.#host.ports.timers.every(TICK_CHECK_MS, () => {
      if (this.#duty) this.#duty.tick();
      else void this.#begin();
    });
    void this.#begin();
  }

  /** A transaction became valid: a checkpoint goes to the duty, which checks it. */
  accepted(tx: Tx): void {
    if (this.#duty) this.#duty.accepted(tx);
    else if (checkpointOf(tx)) void this.#begin();
  }

  close(): void {
    this.#timer?.();
    this.#timer = null;
  }

  /**
   * Starts the duty once a checkpoint is certified, first taking its state from the room when
   * there is nothing to build it on (no base, no state kept from an earlier start).
   */
  async #begin(): Promise<void> {
    const ledger = this.#host.ledger();
    const me = this.#host.ports.signer?.key;
    const witness = this.#host.votes && me !== undefined && ledger?.isWitnessNow(me) === true;
    if (this.#duty || this.#looking || witness || !ledger?.latestCertified()) return;
    if (this.#host.ports.clock.now() < this.#nextLook) return;
    this.#looking = true;
    try {
      const kept = this.#host.base() ?? (await loadCheckpointState(this.#host.ports.store));
      const found = kept ? null : await this.#fromRoom(ledger);
      if (Array.isArray(found)) {
        if (this.#lookAgain()) return;
        if (found.length > 0)
          this.#host.warn(
            `No state offered in the snapshot room could be used (${found.join('; ')}): this peer computes the state of checkpoint ${ledger.latestCertified()?.n ?? 0} from its history.`,
          );
      } else if (found) this.#taken = found;
    } finally {
      this.#looking = false;
    }
    if (this.#duty || this.#host.ledger() !== ledger) return;
    const duty = new CheckpointDuty(this.#host.ports, {
      store: this.#host.ports.store,
      every: 0,
      checksAll: true,
      ledger: () => this.#host.ledger(),
      me: () => null,
      act: () => Promise.resolve(null),
      onChecked: () => undefined,
      onCertified: (id, state) => this.#host.onCertified(id, state),
      // The duty builds on this state and counts the checkpoints below it as checked: their
      // cuts lie in its cut, which a quorum certified.
      base: () => this.#host.base() ?? this.#taken,
      onWarning: (message) => this.#host.warn(message),
    });
    this.#duty = duty;
    duty.start();
  }

  /** Whether to look in the room again later rather than compute the state now. */
  #lookAgain(): boolean {
    const looks = this.#host.looks ?? { count: STATE_LOOKS, everyMs: STATE_LOOK_EVERY_MS };
    if (++this.#looks >= looks.count) return false;
    this.#nextLook = this.#host.ports.clock.now() + looks.everyMs;
    return true;
  }

  /**
   * The state of a checkpoint this ledger holds certified, from the snapshot room (the highest
   * such offer that checks out), or why none was taken (each offer refused, in a sentence).
   */
  async #fromRoom(ledger: Ledger): Promise<KnownState | string[]> {
    const latest = ledger.latestCertified()?.n ?? 0;
    const offers = (await this.#host.offers()).filter((offer) => offer.n <= latest);
    if (offers.length === 0) return [];
    const taken = await takeOffer(
      ledger.genesis,
      offers,
      this.#host.ports.verify.verifier,
      {},
      () => new Promise((resolve) => void this.#host.ports.timers.after(0, resolve)),
    );
    if (!taken.ledger) return [...taken.refusals];
    // Only a checkpoint this peer holds certified itself: the duty checks the root against it.
    const id = taken.base.certificate.checkpoint.id;
    if (ledger.checkpoint(id) && ledger.isFinal(id)) return { id, state: taken.base.state };
    return [`checkpoint ${taken.base.n}: it is not certified here`];
  }
}
