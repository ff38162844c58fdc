// Starting from a certified checkpoint's state instead of the history before it (docs/protocol.md
// §14.10). A newcomer whose log is empty takes the highest offer of the snapshot room
// (engine/snapshots.ts) that checks out: a certificate of a quorum of this network's witnesses,
// and a state whose root and size are the ones its checkpoint states (shared/ledger/fastForward).
// Each refusal is a sentence, and the next offer, then the history, is the fallback. The state
// taken is the peer's base: kept beside its log, and what each later start builds on.
import { certificateOf, encodeCertificate } from '../shared/ledger/certificate.ts';
import { CutCover } from '../shared/ledger/cutCover.ts';
import { Ledger } from '../shared/ledger/ledger.ts';
import {
  MAX_SNAPSHOT_STATE_BYTES,
  type OfferedSnapshot,
} from '../shared/replication/snapshotDoc.ts';
import type { NetworkId, TxId } from '../shared/ids.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';
import { messageOf } from './events.ts';
import { registry } from './intake.ts';
import type { LedgerStart } from './logReplay.ts';
import type { EpochPlan } from './epochPlan.ts';
import type { EnginePorts } from './ports.ts';
import { SnapshotRoom } from './snapshots.ts';
import { AskHold } from './askHold.ts';

/** How often a newcomer asks whether waiting for an offer is still of use. */
const POINTLESS_POLL_MS = 250;
/** How long a genesis offered with a state may take to be checked and started from. */
const GENESIS_CHECK_MS = 5_000;
export { loadBase, saveBase, startFromBase, takeOffer, type Base, type Taken } from './base.ts';
import { loadBase, saveBase, startFromBase, takeOffer, type Base, type Taken } from './base.ts';

export interface SnapshotsHost {
  readonly ports: Pick<EnginePorts, 'store' | 'verify' | 'timers' | 'wrtc'>;
  readonly networkId: NetworkId;
  /** False for a peer that joins no room (offline commands): it neither looks nor offers. */
  readonly connects: boolean;
  secret(): string;
  online(): boolean;
  relays(): readonly string[];
  iceServers(): readonly unknown[];
  ledger(): Ledger | null;
  /** Whether this peer is a witness now. */
  isWitness(): boolean;
  /**
   * Whether a newcomer's wait for an offer is no use: no link of the network's room is open (the
   * genesis came otherwise), or its first full sync came and no holder is in the snapshot room.
   */
  pointlessWait(linked: boolean): boolean;
  /** Whether a link of the network's room is open. */
  networkLinked(): boolean;
  /** Holds or releases the newcomer's asks in the network's room (engine/askHold.ts). */
  holdAsks(held: boolean): void;
  /** A holder offers the network's genesis (untrusted bytes: the host checks them). */
  genesisOffered(bytes: Uint8Array): void;
  warn(message: string): void;
}

/** A peer's part in the snapshot room: a newcomer's look, a holder's offer, and its base. */
export class Snapshots {
  readonly #host: SnapshotsHost;
  readonly #room: SnapshotRoom;
  #base: Base | null = null;
  /** What the base's cut covers, once its state was read (baseCover needs it at every start). */
  #cover: { readonly base: Base; readonly cover: CutCover } | null = null;
  #offers: Promise<OfferedSnapshot[]> | null = null;
  readonly #hold: AskHold;

  constructor(host: SnapshotsHost) {
    this.#host = host;
    this.#hold = new AskHold({
      timers: host.ports.timers,
      holdAsks: (held) => host.holdAsks(held),
      networkLinked: () => host.networkLinked(),
      snapshotLinked: () => this.#room.linked,
    });
    this.#room = new SnapshotRoom({
      networkId: host.networkId,
      wrtc: host.ports.wrtc,
      timers: host.ports.timers,
      secret: () => host.secret(),
      online: () => host.online(),
      relays: () => host.relays(),
      iceServers: () => host.iceServers(),
      warn: (message) => host.warn(message),
    });
  }

  /** The checkpoint this peer started from, if it did. */
  get base(): number | null {
    return this.#base?.n ?? null;
  }

  /** The state this peer started from, with its checkpoint's id, if it did. */
  baseState(): { readonly id: TxId; readonly state: Uint8Array } | null {
    const base = this.#base;
    return base ? { id: base.certificate.checkpoint.id, state: base.state } : null;
  }

  /**
   * The epoch of the base, with the cover of its cut (engine/epochs.ts), read from its state:
   * null without a base, or when `ledger` was not built on it (a base that could not be used).
   */
  baseCover(ledger: Ledger): EpochPlan | null {
    const base = this.#base;
    if (!base || !ledger.has(base.certificate.checkpoint.id)) return null;
    // Known when the state was read to start from it: decoding it again is a long task.
    if (this.#cover?.base === base) return { n: base.n, cover: this.#cover.cover };
    const state = Ledger.fromCompactBytes(
      ledger.genesis,
      registry,
      base.state,
      MAX_SNAPSHOT_STATE_BYTES,
    );
    return state.ok ? { n: base.n, cover: CutCover.ofLedger(state.ledger) } : null;
  }

  /** Reads the base kept beside the log: how the ledger starts, or undefined from the genesis. */
  async open(): Promise<LedgerStart | undefined> {
    const loaded = await loadBase(this.#host.ports.store, this.#host.ports.verify.verifier);
    if (typeof loaded === 'string') {
      this.#host.warn(
        `The snapshot this peer started from cannot be read (${loaded}): it gets the history before it from the members again.`,
      );
      return undefined;
    }
    if (!loaded) return undefined;
    this.#base = loaded;
    return startFromBase(loaded, (cover) => (this.#cover = { base: loaded, cover }));
  }

  /** Whether a look is out (look) that start has not taken yet. */
  get looking(): boolean {
    return this.#offers !== null;
  }

  /**
   * The log is empty: look for offers, asking for the history in the network's room only once
   * none is to be taken (engine/askHold.ts).
   */
  look(): void {
    if (!this.#host.connects) return;
    const offers = (this.#offers = this.#room.fetch());
    this.#hold.hold();
    void offers.then((offered) => {
      // Nothing to take, or no genesis offered with it to start from: the history, as before.
      if (offered.length === 0 || !this.#room.genesisOffered) return this.#hold.release();
      // The genesis offered is being checked; if it is refused, start never comes.
      this.#host.ports.timers.after(GENESIS_CHECK_MS, () => {
        if (this.#offers === offers) this.#hold.release();
      });
    });
    // Once the network's room has moved to a later epoch, the genesis is found only here.
    this.#room.onGenesis((bytes) => this.#host.genesisOffered(bytes));
  }

  /**
   * The genesis is known: the ledger of the best offer that checks out, kept as this peer's
   * base, or null to start from the genesis (no offer, none checked out, or it cannot be kept).
   */
  async start(genesis: VerifiedTx): Promise<Ledger | null> {
    const offers = this.#offers;
    this.#offers = null;
    this.#room.onGenesis(null);
    if (!offers) return null;
    const based = await this.#take(genesis, offers);
    if (based) this.#hold.done();
    else this.#hold.release();
    return based;
  }

  async #take(genesis: VerifiedTx, offers: Promise<OfferedSnapshot[]>): Promise<Ledger | null> {
    const offered = (await Promise.race([offers, this.#pointless()])) ?? this.#room.offers();
    const taken = await takeOffer(
      genesis,
      offered,
      this.#host.ports.verify.verifier,
      {},
      this.#pause,
    );
    if (!taken.ledger) {
      if (taken.refusals.length > 0)
        this.#host.warn(
          `No snapshot offered could be used (${taken.refusals.join('; ')}): this peer takes the whole history instead.`,
        );
      return null;
    }
    try {
      await saveBase(this.#host.ports.store, taken.base);
    } catch (error) {
      // Without its base kept, the next start could not read the log back: take the history.
      this.#host.warn(
        `The snapshot of checkpoint ${taken.base.n} could not be kept (${messageOf(error)}): this peer takes the whole history instead.`,
      );
      return null;
    }
    this.#base = taken.base;
    this.#cover = { base: taken.base, cover: taken.cover };
    return taken.ledger;
  }

  /**
   * For a peer whose rooms are empty (engine/farBehind.ts): the ledger of a certified state newer
   * than any this ledger knows, built on it and kept as the base; null when the room offers none;
   * a sentence when none offered could be used. A peer that neither holds nor serves an offer
   * leaves the room again.
   */
  async further(ledger: Ledger): Promise<Taken | null> {
    const offers = await this.lookAround();
    const floor = Math.max(ledger.latestCertified()?.n ?? 0, this.#base?.n ?? 0);
    const newer = offers.filter((offer) => offer.n > floor);
    if (newer.length === 0) return null;
    const verifier = this.#host.ports.verify.verifier;
    const taken = await takeOffer(
      ledger.genesis,
      newer,
      verifier,
      { holds: ledger, newerThan: floor },
      this.#pause,
    );
    if (!taken.ledger) return taken;
    await saveBase(this.#host.ports.store, taken.base);
    this.#base = taken.base;
    this.#cover = { base: taken.base, cover: taken.cover };
    return taken;
  }

  /**
   * What the room offers (untrusted: the caller checks it). A peer that neither holds nor serves
   * an offer leaves the room again.
   */
  async lookAround(): Promise<OfferedSnapshot[]> {
    if (!this.#host.connects) return [];
    const offers = await this.#room.fetch();
    if (this.#room.offered === null && !this.#host.isWitness()) this.#room.close();
    return offers;
  }

  /**
   * The log now builds on `base` (a prune, engine/pruning.ts): kept beside it, before the log
   * is rewritten, and offered in the snapshot room from the next start on.
   */
  async keep(base: Base): Promise<void> {
    await saveBase(this.#host.ports.store, base);
    this.#base = base;
  }

  /** Lets the host's other tasks run (a page's UI) before the next long step. */
  readonly #pause = (): Promise<void> =>
    new Promise((resolve) => this.#host.ports.timers.after(0, resolve));

  /** Resolves null once waiting for an offer is no use (SnapshotsHost.pointlessWait). */
  #pointless(): Promise<null> {
    return new Promise((resolve) => {
      const check = () => {
        if (!this.#host.pointlessWait(this.#room.linked)) return false;
        stop?.();
        resolve(null);
        return true;
      };
      let stop: (() => void) | undefined;
      if (!check()) stop = this.#host.ports.timers.every(POINTLESS_POLL_MS, check);
    });
  }

  /** The ledger is bound: a peer with a base offers it, a witness sits in the room. */
  started(): void {
    if (!this.#host.connects) return;
    const base = this.#base;
    const genesis = this.#host.ledger()?.genesis.bytes;
    if (base)
      this.#room.offer({
        n: base.n,
        certificate: base.certificateBytes,
        state: base.state,
        ...(genesis ? { genesis } : {}),
      });
    else if (this.#host.isWitness()) this.#room.serve();
  }

  /** The state of the latest certified checkpoint is known here (engine/checkpoints.ts). */
  certified(id: TxId, state: Uint8Array): void {
    const ledger = this.#host.ledger();
    const record = ledger?.checkpoint(id);
    const certificate = ledger && certificateOf(ledger, id);
    if (!this.#host.connects || !record || !certificate) return;
    const genesis = ledger.genesis.bytes;
    this.#room.offer({ n: record.n, certificate: encodeCertificate(certificate), state, genesis });
  }

  /** The peer's relays, secret or online state changed: the room follows. */
  refresh(): void {
    this.#room.refresh();
  }

  close(): void {
    this.#hold.done();
    this.#room.close();
  }
}
