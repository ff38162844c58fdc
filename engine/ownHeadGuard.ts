// A peer never signs blind: it signs only when it knows its own chain's latest position
// (shared/ledger/ownHead.ts has the rule and its seal; docs/protocol.md §6.4.1 the argument).
// This is the engine's side of it: judging the seal when the log is read, waiting a little for
// a first sync under way instead of refusing a moment too early, learning the head from a full
// sync, and sealing each of our transactions after it is durable and before it is published.
import type { NetworkId } from '../shared/ids.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import { OwnHead } from '../shared/ledger/ownHead.ts';
import type { PeerLink } from '../shared/replication/guardedWrtc.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';
import { EngineError } from './events.ts';
import type { ReplayedLog } from './logReplay.ts';
import type { EnginePorts } from './ports.ts';
import { OWN_HEAD_WAIT_MS } from './timing.ts';

export interface OwnHeadHost {
  readonly links: ReadonlyMap<number, PeerLink>;
  ledger(): Ledger | null;
  /** Resolves when every doc entry seen so far has gone through the ledger and was saved. */
  settled(): Promise<void>;
  publish(tx: VerifiedTx): void;
  /** The head was learned from the network: signing is allowed again. */
  onKnown(): void;
  onWarning(message: string): void;
}

export class OwnHeadGuard {
  readonly #ports: Pick<EnginePorts, 'store' | 'signer' | 'timers'>;
  readonly #host: OwnHeadHost;
  #own: OwnHead | null = null;
  /** Our transactions that could not be saved yet: they go out once they are. */
  #withheld: VerifiedTx[] = [];
  /** The learning of a full sync under way (fullSync), if one is. */
  #learning: Promise<void> | null = null;

  constructor(ports: Pick<EnginePorts, 'store' | 'signer' | 'timers'>, host: OwnHeadHost) {
    this.#ports = ports;
    this.#host = host;
  }

  /**
   * Judges the seal against the log just read. The founder of a network, opening with the
   * genesis it just signed (`initial`), starts a chain nothing can precede.
   */
  async open(replayed: ReplayedLog, initial: readonly VerifiedTx[], networkId: NetworkId) {
    const me = this.#ports.signer?.key;
    if (me === undefined) return;
    const store = this.#ports.store;
    const genesis = initial.find((tx) => tx.id === networkId);
    if (genesis?.author === me && replayed.txs.length === initial.length) {
      this.#own = OwnHead.fresh(store, me, replayed.facts.instance);
      await this.#own.record(genesis);
      return;
    }
    this.#own = await OwnHead.open(store, me, replayed.facts, replayed.ledger);
    const problem = this.#own.problem();
    if (problem !== null && replayed.ledger) this.#host.onWarning(problem);
  }

  /** False while we do not know our head; true when we do or have no identity. */
  get known(): boolean {
    return this.#own?.known ?? true;
  }

  problem(): string | null {
    return this.#own?.problem() ?? null;
  }

  /** The log was rewritten into a new one (engine/pruning.ts): the seal follows it. */
  async moved(instance: string | undefined): Promise<void> {
    await this.#own?.moved(instance);
  }

  assertCanSign(): void {
    const problem = this.problem();
    if (problem !== null) throw new EngineError(problem);
  }

  /**
   * While a first sync is under way (a member is connected), an action waits a little for it
   * to tell us our head; assertCanSign() then refuses if it still has not.
   */
  async awaitKnown(): Promise<void> {
    const own = this.#own;
    if (!own || own.known || this.#host.links.size === 0) return;
    let cancel: (() => void) | undefined;
    const timeout = new Promise<void>((resolve) => {
      cancel = this.#ports.timers.after(OWN_HEAD_WAIT_MS, resolve);
    });
    await Promise.race([own.whenKnown(), timeout]);
    cancel?.();
  }

  /**
   * A full sync from another member arrived: once it has gone through the ledger, our own
   * chain's head is what the network holds, and a peer that did not know it may sign again.
   */
  fullSync(): void {
    const learning = this.#learn().finally(() => {
      if (this.#learning === learning) this.#learning = null;
    });
    this.#learning = learning;
  }

  /** Resolves once what a full sync taught is learnt (at once when none is being learnt). */
  async learnt(): Promise<void> {
    while (this.#learning) await this.#learning;
  }

  async #learn(): Promise<void> {
    const own = this.#own;
    if (!own || own.known) return;
    await this.#host.settled();
    const ledger = this.#host.ledger();
    if (!ledger || own.known) return;
    await own.learned(ledger);
    this.#host.onKnown();
  }

  /** Seals one of our transactions: call once it is durable, before publishing it. */
  async record(tx: VerifiedTx): Promise<void> {
    await this.#own?.record(tx);
  }

  /** One of ours could not be saved: it is published once it is (see saved()). */
  withhold(tx: VerifiedTx): void {
    this.#withheld.push(tx);
  }

  /** A batch was saved: withheld transactions in it are sealed and published, in order. */
  saved(batch: readonly VerifiedTx[]): void {
    if (this.#withheld.length === 0) return;
    const durable = new Set(batch);
    const ready = this.#withheld.filter((tx) => durable.has(tx));
    this.#withheld = this.#withheld.filter((tx) => !durable.has(tx));
    void (async () => {
      for (const tx of ready) {
        await this.record(tx);
        this.#host.publish(tx);
      }
    })().catch((error: unknown) =>
      this.#host.onWarning(
        `Saved transactions could not be sent: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }
}
