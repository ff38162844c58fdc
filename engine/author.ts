// Our own transactions, and those signed elsewhere that we take in: composed from the ledger,
// signed through the signer port, checked as if they came from the network, inserted, saved
// durably, sealed as our chain's latest position, then published. One at a time: composing
// reads our chain head, so two compositions in flight (two quick payments, or a payment and a
// witness vote) would take the same seq, an equivocation that freezes our own identity.
import type { Ledger } from '../shared/ledger/ledger.ts';
import type { UnsignedTx } from '../shared/tx/envelope.ts';
import { budgetRefusal, withBudgetDeps } from '../shared/wallet/budget.ts';
import { withEpochDeps } from '../shared/wallet/compose.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';
import { EngineError, type Compose } from './events.ts';
import type { Intake } from './intake.ts';
import type { OwnHeadGuard } from './ownHeadGuard.ts';
import type { Persister } from './persister.ts';
import type { Cancel, EnginePorts } from './ports.ts';
import { GENESIS_WAIT_MS } from './timing.ts';

export interface AuthorHost {
  readonly ports: Pick<EnginePorts, 'signer' | 'timers'>;
  readonly intake: Intake;
  readonly persister: Persister;
  readonly ownHead: OwnHeadGuard;
  /** False when the engine never joins a room (offline commands): no genesis can arrive. */
  readonly connects: boolean;
  ledger(): Ledger | null;
  ready(): Promise<Ledger>;
  publish(tx: VerifiedTx): void;
}

export class Author {
  readonly #host: AuthorHost;
  #authoring: Promise<unknown> = Promise.resolve();

  constructor(host: AuthorHost) {
    this.#host = host;
  }

  /** Null when `compose` has nothing to do. */
  act<T extends { ok: true; tx: UnsignedTx }>(
    compose: Compose<T>,
  ): Promise<{ composed: T; tx: VerifiedTx } | null> {
    const run = this.#authoring.then(async () => {
      const signer = this.#signer();
      const ledger = await this.#ledgerWithin(GENESIS_WAIT_MS);
      await this.#host.ownHead.awaitKnown();
      this.#host.ownHead.assertCanSign();
      const composed = compose(ledger, signer.key);
      if (composed === null) return null;
      if (!composed.ok) throw new EngineError(composed.rejection.message, composed.rejection);
      // Every transaction carries this peer's view of the witness sets (§13.7): a member admitted
      // by a change can sign only once the change is in the transaction's past.
      // It cites the witnesses' latest votes when its budget needs witness time to have moved,
      // and is never signed when the ledger would refuse it as over budget (§15).
      const unsigned = withBudgetDeps(ledger, withEpochDeps(ledger, composed.tx));
      const refused = budgetRefusal(ledger, unsigned);
      if (refused) throw new EngineError(refused.rejection.message, refused.rejection);
      return { composed, tx: await this.#take(signer.sign(unsigned), true) };
    });
    this.#authoring = run.catch(() => undefined);
    return run;
  }

  /** Through the same checks as a transaction from the network, then published. */
  async importTransaction(bytes: Uint8Array): Promise<VerifiedTx> {
    await this.#ledgerWithin(GENESIS_WAIT_MS);
    return this.#take(bytes, false);
  }

  /** Resolves once every act started so far has finished. */
  async idle(): Promise<void> {
    await this.#authoring;
  }

  /**
   * The ledger, waiting at most `ms` for the genesis: a peer that has just joined gets it within
   * moments, but one whose network never answers must get a sentence, not hang.
   */
  async #ledgerWithin(ms: number): Promise<Ledger> {
    const known = this.#host.ledger();
    if (known) return known;
    let cancel: Cancel | undefined;
    const timeout = new Promise<null>((resolve) => {
      cancel = this.#host.ports.timers.after(this.#host.connects ? ms : 0, () => resolve(null));
    });
    const ledger = await Promise.race([this.#host.ready(), timeout]);
    cancel?.();
    if (!ledger) throw new EngineError('The network has not arrived yet: wait for the first sync.');
    return ledger;
  }

  /** Checks, inserts, saves, seals (when ours) and publishes one transaction. */
  async #take(bytes: Uint8Array, ours: boolean): Promise<VerifiedTx> {
    const { intake, persister, ownHead } = this.#host;
    const ledger = this.#host.ledger() as Ledger;
    const admitted = await intake.admit(bytes);
    if (!admitted.ok) throw new EngineError(admitted.rejection.message, admitted.rejection);
    const outcome = ledger.insert(admitted.tx);
    if (outcome.status === 'rejected')
      throw new EngineError(outcome.rejection.message, outcome.rejection);
    await persister.flushed();
    const failure = persister.failureOf(admitted.tx);
    if (failure !== null) {
      // It goes out once it is saved (OwnHeadGuard.saved): never before it is durable.
      ownHead.withhold(admitted.tx);
      throw new EngineError(
        `${ours ? 'Signed, but' : 'Taken, but'} it could not be saved (${failure}), so it was not sent yet. It is sent as soon as saving works again.`,
      );
    }
    // Sealed after it is durable and before anyone can see it (shared/ledger/ownHead.ts).
    await ownHead.record(admitted.tx);
    this.#host.publish(admitted.tx);
    return admitted.tx;
  }

  #signer() {
    const signer = this.#host.ports.signer;
    if (!signer) throw new EngineError('This identity cannot sign here: unlock it first.');
    return signer;
  }
}
