// A witness's checkpoint duty (docs/protocol.md §14). It computes the state of every checkpoint
// it holds, in the order of their numbers (each builds on the state of the one it follows), and
// its votes cover only those whose stated root it found the same (`checked`, which the witness's
// votes read). Once CHECKPOINT_EVERY transactions have come since the latest checkpoint, the
// witness whose turn it is proposes the next; the others take over one after another if none
// comes, so a witness that left does not stop checkpoints.
import type { KeyHex, TxId } from '../shared/ids.ts';
import type { CheckpointRecord } from '../shared/ledger/checkpoints.ts';
import { checkpointOf } from '../shared/ledger/checkpoints.ts';
import { stateMatches } from '../shared/ledger/certificate.ts';
import { checkpointState, stateAtCutInSteps, statesMatch } from '../shared/ledger/cutState.ts';
import { parentsOf } from '../shared/ledger/validate.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import type { Tx } from '../shared/tx/envelope.ts';
import { composeCheckpoint, planCheckpoint, planParents } from '../shared/wallet/checkpoint.ts';
import {
  loadCheckpointState,
  saveCheckpointState,
  type StateStore,
} from '../shared/storage/checkpointState.ts';
import { EngineError, messageOf, type Compose } from './events.ts';
import type { EnginePorts } from './ports.ts';
import { CHECKPOINT_EVERY, CHECKPOINT_FALLBACK_MS } from './timing.ts';

export interface CheckpointHost {
  /** Where the latest certified checkpoint's state is kept across restarts (none: not kept). */
  readonly store?: StateStore;
  /** Transactions between two checkpoints; 0 never proposes one (it still checks them). */
  readonly every?: number;
  ledger(): Ledger | null;
  /** This peer's key while it is a witness, else null. */
  me(): KeyHex | null;
  /**
   * Whether a peer that is no witness computes the checkpoints' states all the same: one that
   * prunes its log needs the certified state it builds on (engine/pruning.ts).
   */
  readonly checksAll?: boolean;
  /**
   * False while the peer may not sign (its own chain's head unknown, closing): no proposal is
   * computed then, since it could not be signed (each try cost a whole state, every tick).
   */
  maySign?(): boolean;
  act(compose: Compose): Promise<{ readonly tx: Tx } | null>;
  /** A checkpoint was found right, or a proposal ended: the witness may vote again. */
  onChecked(): void;
  /** The state of the latest certified checkpoint is known here (the snapshot room offers it). */
  onCertified?(id: TxId, state: Uint8Array): void;
  /** The certified state this peer started from, if it did (engine/fastForward.ts). */
  base?(): { readonly id: TxId; readonly state: Uint8Array } | null;
  onWarning(message: string): void;
}

export class CheckpointDuty {
  readonly #ports: Pick<EnginePorts, 'clock' | 'timers'>;
  readonly #host: CheckpointHost;
  /** Computed states, by checkpoint id: what the later ones build on. */
  readonly #states = new Map<TxId, Uint8Array>();
  /** Whether a checkpoint's stated root is the one computed here. */
  readonly #verdicts = new Map<TxId, boolean>();
  /** Checkpoints that cannot be computed here, said once each. */
  readonly #unable = new Set<TxId>();
  #working = false;
  #proposing = false;
  /** Transactions since the latest checkpoint, and since when enough have come. */
  #since = 0;
  #dueAt: number | null = null;
  /** The checkpoint whose state was saved last, and the one announced last (onCertified). */
  #saved: TxId | null = null;
  #announced: TxId | null = null;
  /** The base whose checkpoints below were taken as checked (#adoptBase). */
  #adopted: TxId | null = null;
  /** The last reason a proposal could not be made, said once. */
  #lastRefusal: string | null = null;
  /** The state of this peer's own proposal, kept when it is accepted. */
  #own: { root: string; bytes: Uint8Array } | null = null;

  constructor(ports: Pick<EnginePorts, 'clock' | 'timers'>, host: CheckpointHost) {
    this.#ports = ports;
    this.#host = host;
  }

  /**
   * Whether this witness may cover the checkpoint: it found the root the same as the one it
   * computed, or, not having computed it yet, a quorum has certified it already (at least f + 1
   * honest witnesses computed it; covering it adds nothing to its finality).
   */
  readonly checked = (id: TxId): boolean => {
    const verdict = this.#verdicts.get(id);
    return verdict ?? this.#host.ledger()?.isFinal(id) === true;
  };

  /** True while a proposal is being computed: the witness's own chain must not move meanwhile. */
  get proposing(): boolean {
    return this.#proposing;
  }

  /** The ledger is known: take the state saved last time, then check what is not checked. */
  start(): void {
    if (!this.#checks()) return;
    this.#countSince();
    void this.#restore().then(() => this.#check());
  }

  /**
   * Counts what the log brought since the latest checkpoint: counting only what arrives after a
   * start, a witness restarted more often than every CHECKPOINT_EVERY transactions never
   * proposed one. Policy, not validity: the count needs only to be about right.
   */
  #countSince(): void {
    const ledger = this.#host.ledger();
    if (!ledger) return;
    const valid = ledger.validIds().length;
    const latest = ledger.checkpoints().sort((a, b) => b.n - a.n)[0];
    const tx = latest && ledger.get(latest.id);
    // A ledger started from a state holds only what follows its cut (and a few kept entries).
    const cut = tx ? ledger.cutOf(parentsOf(tx)) : null;
    this.#since = Math.max(0, valid - 1 - (cut?.ok ? cut.txs.length + 1 : 0));
    if (this.#since >= this.#every() && this.#dueAt === null) this.#dueAt = this.#ports.clock.now();
  }

  async #restore(): Promise<void> {
    const saved = this.#host.store ? await loadCheckpointState(this.#host.store) : null;
    if (saved && this.#know(saved.id, saved.bytes)) this.#saved = saved.id;
    this.#adoptBase();
  }

  /**
   * A peer that started from a certified state, or moved onto one since (engine/fastForward.ts,
   * engine/farBehind.ts), has no history to compute it from: the state it took is what the next
   * checkpoint builds on, and those below it lie in its cut, which a quorum certified.
   */
  #adoptBase(): void {
    const base = this.#host.base?.();
    if (!base || this.#adopted === base.id) return;
    const record = this.#know(base.id, base.state) && this.#host.ledger()?.checkpoint(base.id);
    if (!record) return;
    this.#adopted = base.id;
    for (const below of this.#host.ledger()?.checkpoints() ?? [])
      if (below.n < record.n) {
        this.#verdicts.set(below.id, true);
        this.#unable.delete(below.id);
      }
  }

  /** Takes `bytes` as the state of checkpoint `id` when its root and size are the stated ones. */
  #know(id: TxId, bytes: Uint8Array): boolean {
    const record = this.#host.ledger()?.checkpoint(id);
    if (!record || !stateMatches(record, bytes)) return false;
    this.#states.set(record.id, bytes);
    this.#verdicts.set(record.id, true);
    return true;
  }

  /** Keeps the latest certified checkpoint's state for the next start, once. */
  async #save(): Promise<void> {
    const latest = this.#host.ledger()?.latestCertified();
    const bytes = latest && this.#states.get(latest.id);
    if (!latest || !bytes) return;
    if (this.#announced !== latest.id) {
      this.#announced = latest.id;
      this.#host.onCertified?.(latest.id, bytes);
    }
    if (!this.#host.store || this.#saved === latest.id) return;
    // Set before trying: a failure is said once, and tried again with the next checkpoint.
    this.#saved = latest.id;
    try {
      await saveCheckpointState(this.#host.store, latest.id, bytes);
    } catch (error) {
      this.#host.onWarning(
        `The state of checkpoint ${latest.n} could not be saved (${messageOf(error)}): the next start computes it again.`,
      );
    }
  }

  /** A transaction became valid. */
  accepted(tx: Tx): void {
    const record = checkpointOf(tx);
    if (!record) {
      if (++this.#since >= this.#every() && this.#dueAt === null)
        this.#dueAt = this.#ports.clock.now();
      return;
    }
    this.#since = 0;
    this.#dueAt = null;
    if (this.#own && record.author === this.#host.me() && record.root === this.#own.root) {
      this.#states.set(record.id, this.#own.bytes);
      this.#verdicts.set(record.id, true);
      this.#own = null;
      return;
    }
    if (this.#checks()) void this.#check();
  }

  /** What a checkpoint this peer cannot check costs, said to its user. */
  #consequence(): string {
    return this.#host.me() !== null
      ? 'this witness does not vote for it'
      : 'this peer keeps the history before it';
  }

  #checks(): boolean {
    return this.#host.me() !== null || this.#host.checksAll === true;
  }

  /** Called every so often: proposes the next checkpoint when it is this witness's turn. */
  tick(): void {
    void this.#save();
    const ledger = this.#host.ledger();
    const me = this.#host.me();
    if (!ledger || !me || this.#dueAt === null || this.#proposing || this.#working) return;
    if (this.#host.maySign?.() === false) return;
    const wait = this.#turn(ledger, me) * CHECKPOINT_FALLBACK_MS;
    if (this.#ports.clock.now() - this.#dueAt < wait) return;
    void this.#propose(ledger, me);
  }

  #every(): number {
    const every = this.#host.every ?? CHECKPOINT_EVERY;
    return every > 0 ? every : Number.POSITIVE_INFINITY;
  }

  /** 0 for the witness whose turn the next number is, 1 for the next in line, and so on. */
  #turn(ledger: Ledger, me: KeyHex): number {
    const witnesses = [...ledger.witnesses].sort();
    const next = (ledger.latestCertified()?.n ?? 0) + 1;
    const first = (next - 1) % witnesses.length;
    return (witnesses.indexOf(me) - first + witnesses.length) % witnesses.length;
  }

  /** Computes the states of the checkpoints not checked yet, lowest number first. */
  async #check(): Promise<void> {
    if (this.#working) return;
    this.#working = true;
    try {
      this.#adoptBase();
      for (;;) {
        const ledger = this.#host.ledger();
        const next = ledger && this.#unchecked(ledger);
        if (!ledger || !next) break;
        await this.#checkOne(ledger, next);
      }
      this.#prune();
    } finally {
      this.#working = false;
    }
  }

  #unchecked(ledger: Ledger): CheckpointRecord | undefined {
    return ledger
      .checkpoints()
      .filter((c) => !this.#verdicts.has(c.id) && !this.#unable.has(c.id))
      .sort((a, b) => a.n - b.n || (a.id < b.id ? -1 : 1))[0];
  }

  async #checkOne(ledger: Ledger, checkpoint: CheckpointRecord): Promise<void> {
    const state = await checkpointState(
      ledger,
      checkpoint,
      (id) => this.#states.get(id),
      this.#pause,
    );
    if (!state.ok) {
      this.#unable.add(checkpoint.id);
      this.#host.onWarning(
        `Checkpoint ${checkpoint.n} cannot be checked here, so ${this.#consequence()}: ${state.error}.`,
      );
      return;
    }
    // Kept even when the stated root is wrong: the state is what a later checkpoint builds on.
    this.#states.set(checkpoint.id, state.bytes);
    const same = statesMatch(checkpoint, state);
    this.#verdicts.set(checkpoint.id, same);
    if (same) this.#host.onChecked();
    else
      this.#host.onWarning(
        `Checkpoint ${checkpoint.n} by witness ${checkpoint.author.slice(0, 12)} states a ledger state this peer computes differently: ${this.#host.me() !== null ? "this witness does not vote for it or for what follows it on that witness's chain" : 'this peer does not prune its log at it'}.`,
      );
  }

  /** Keeps the states a later checkpoint may still build on: the latest certified and above. */
  #prune(): void {
    const ledger = this.#host.ledger();
    const floor = ledger?.latestCertified()?.n ?? 0;
    for (const id of this.#states.keys()) {
      const n = ledger?.checkpoint(id)?.n;
      if (n !== undefined && n < floor) this.#states.delete(id);
    }
  }

  async #propose(ledger: Ledger, me: KeyHex): Promise<void> {
    this.#proposing = true;
    try {
      const plan = planCheckpoint(ledger, me);
      if ('code' in plan) return;
      // Someone proposed this number already and it is not found wrong: no second one.
      const rival = ledger
        .checkpoints()
        .some((c) => c.n === plan.n && this.#verdicts.get(c.id) !== false);
      if (rival) return;
      const base = plan.after === null ? null : this.#states.get(plan.after);
      if (base === undefined) return void this.#check();
      const state = await stateAtCutInSteps(ledger, planParents(plan), base, this.#pause);
      if (!state.ok) return this.#cannotMake(plan.n, state.error);
      this.#own = { root: state.root, bytes: state.bytes };
      const size = state.bytes.length;
      await this.#host.act((l, key) =>
        composeCheckpoint(l, key, plan, { root: state.root, size }, this.#ports.clock.now()),
      );
    } catch (error) {
      // The chain moved on (a vote already on its way, a payment): the next tick plans again,
      // and that is no news for the person.
      if (!(error instanceof EngineError && error.rejection?.code === 'bad-sequence'))
        this.#host.onWarning(`A checkpoint could not be proposed: ${messageOf(error)}`);
    } finally {
      this.#proposing = false;
      this.#host.onChecked();
    }
  }

  /**
   * The state cannot be computed (a type compaction does not cover yet, history a state dropped):
   * try again once as many transactions again have come, not at every tick, and say it once.
   */
  #cannotMake(n: number, why: string): void {
    this.#since = 0;
    this.#dueAt = null;
    const message = `Checkpoint ${n} cannot be made yet: ${why}.`;
    if (message === this.#lastRefusal) return;
    this.#lastRefusal = message;
    this.#host.onWarning(message);
  }

  readonly #pause = (): Promise<void> =>
    new Promise((resolve) => {
      this.#ports.timers.after(0, resolve);
    });
}
