// A witness's duty: it votes on what it sees, batched (engine/timing.ts says why), dates its
// view when a service deadline passes with no transaction arriving (a tick), and checks and
// proposes checkpoints (engine/checkpoints.ts), covering only those it found right.
import { deadlinesAwaitingTick } from '../shared/dnec/queries.ts';
import type { KeyHex, TxId } from '../shared/ids.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import { composeVote } from '../shared/wallet/compose.ts';
import type { Tx } from '../shared/tx/envelope.ts';
import { BeaconDuty } from './beacons.ts';
import { CheckpointDuty } from './checkpoints.ts';
import { messageOf, type Compose } from './events.ts';
import type { Cancel, EnginePorts } from './ports.ts';
import { TICK_CHECK_MS, VOTE_DELAY_MS } from './timing.ts';

export interface WitnessHost {
  /** Whether to vote at all when the identity is a witness. */
  readonly enabled: boolean;
  readonly delayMs: number | undefined;
  /** Transactions between two checkpoints (engine/timing.ts's CHECKPOINT_EVERY by default). */
  readonly checkpointEvery?: number;
  /** Compute the checkpoints' states even while no witness (a pruning peer needs them). */
  readonly checksAll?: boolean;
  ledger(): Ledger | null;
  /** False while the engine must not sign (closing, or its own head unknown). */
  mayVote(): boolean;
  act(compose: Compose): Promise<{ readonly tx: Tx } | null>;
  onWarning(message: string): void;
  /** The state of the latest certified checkpoint is known (engine/checkpoints.ts). */
  onCertified?(id: TxId, state: Uint8Array): void;
  /** The certified state this peer started from, if it did (engine/fastForward.ts). */
  base?(): { readonly id: TxId; readonly state: Uint8Array } | null;
}

export class Witness {
  readonly #ports: Pick<EnginePorts, 'clock' | 'timers' | 'signer'> &
    Partial<Pick<EnginePorts, 'store'>>;
  readonly #host: WitnessHost;
  /** Changes of the witnesses this witness's operator agreed to back (§13.2). */
  readonly #backs = new Set<TxId>();
  readonly #checkpoints: CheckpointDuty;
  readonly #beacons: BeaconDuty;
  #voteTimer: Cancel | null = null;
  #tickTimer: Cancel | null = null;
  #stopped = false;

  constructor(
    ports: Pick<EnginePorts, 'clock' | 'timers' | 'signer'> & Partial<Pick<EnginePorts, 'store'>>,
    host: WitnessHost,
  ) {
    this.#ports = ports;
    this.#host = host;
    this.#checkpoints = new CheckpointDuty(ports, {
      ...(ports.store ? { store: ports.store } : {}),
      every: host.checkpointEvery,
      ...(host.checksAll ? { checksAll: true } : {}),
      ledger: () => host.ledger(),
      me: () => (host.enabled ? this.#me() : null),
      maySign: () => host.mayVote(),
      act: (compose) => host.act(compose),
      onChecked: () => this.schedule(),
      onWarning: (message) => host.onWarning(message),
      onCertified: (id, state) => host.onCertified?.(id, state),
      base: () => host.base?.() ?? null,
    });
    this.#beacons = new BeaconDuty(ports, {
      act: (compose) => host.act(compose),
      onWarning: (message) => host.onWarning(message),
    });
  }

  /** The ledger is known: watch for deadlines, and vote on what is already there. */
  start(): void {
    if (!this.#host.enabled || this.#stopped || this.#tickTimer) return;
    this.#tickTimer = this.#ports.timers.every(TICK_CHECK_MS, () => {
      const ledger = this.#host.ledger();
      const me = this.#me();
      if (ledger && me && this.#ticksDue(ledger, me)) this.schedule();
      this.#checkpoints.tick();
    });
    this.#checkpoints.start();
    this.schedule();
  }

  #me(): KeyHex | null {
    const me = this.#ports.signer?.key;
    return me !== undefined && this.#host.ledger()?.isWitnessNow(me) === true ? me : null;
  }

  #ticksDue(ledger: Ledger, me: KeyHex): boolean {
    return deadlinesAwaitingTick(ledger, me, this.#ports.clock.now()).length > 0;
  }

  /** A transaction became valid: vote on it, and count it towards the next checkpoint. */
  accepted(tx: Tx): void {
    this.#checkpoints.accepted(tx);
    this.#beacons.accepted(tx);
    this.schedule();
  }

  /** Something changed: vote after the batching delay, unless a vote is already due. */
  schedule(): void {
    if (!this.#host.enabled || this.#voteTimer || this.#stopped) return;
    if (this.#me() === null || !this.#host.mayVote()) return;
    this.#voteTimer = this.#ports.timers.after(this.#host.delayMs ?? VOTE_DELAY_MS, () => {
      this.#voteTimer = null;
      void this.#vote();
    });
  }

  async #vote(): Promise<void> {
    if (this.#stopped || this.#me() === null || !this.#host.mayVote()) return;
    // The state of a proposal is being computed at this chain's head: it must not move.
    if (this.#checkpoints.proposing) return;
    try {
      // Randomness for the validator draws first: the vote that follows covers it.
      const ledger = this.#host.ledger();
      const me = this.#me();
      if (ledger && me) await this.#beacons.publish(ledger, me);
      await this.#host.act((ledger, me) => {
        const now = this.#ports.clock.now();
        // A vote with nothing new still dates our view when a service deadline has passed.
        const composed = composeVote(ledger, me, now, {
          tick: this.#ticksDue(ledger, me),
          backs: (change) => this.#backs.has(change),
          checked: this.#checkpoints.checked,
        });
        return takingOverTooSoon(ledger, me, composed) ? null : composed;
      });
    } catch (error) {
      this.#host.onWarning(`A witness vote failed: ${messageOf(error)}`);
    }
  }

  /** The operator agreed to a change of the witnesses: back it in the next vote. */
  back(change: TxId): void {
    this.#backs.add(change);
    this.schedule();
  }

  stop(): void {
    this.#stopped = true;
    this.#voteTimer?.();
    this.#tickTimer?.();
  }
}

/**
 * A witness of a set taking over may vote only once its vote can cite a quorum of the old set's
 * acknowledgements (§13.4). Before they arrive its vote is refused as not a witness; that is
 * nothing to do yet, not a failure to warn of: each acknowledgement arrives as a transaction
 * and schedules the next try.
 */
function takingOverTooSoon(
  ledger: Ledger,
  me: KeyHex,
  composed: ReturnType<typeof composeVote>,
): boolean {
  const { seen, open } = ledger.epochs;
  return (
    composed?.ok === false &&
    composed.rejection.code === 'not-witness' &&
    seen.witnesses.has(me) &&
    !open.witnesses.has(me)
  );
}
