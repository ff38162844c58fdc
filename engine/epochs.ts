// Replication by epochs (docs/protocol.md §14.11): the doc a peer replicates holds only what its
// latest certified checkpoint does not cover, so a join and a restart cost the state and the
// recent tail, never the history.
//
// Epoch n is the time after checkpoint n is certified (epoch 0: before any). Each has a room of
// its own (the network's room for 0, then `<room>-e<n>`), with its own Y.Doc and saved replica.
// When a peer's ledger certifies a higher checkpoint, it opens that epoch, publishes there what
// it holds outside the new cut (its tail: the genesis, and what came since the cut), and keeps
// the epoch it leaves open for EPOCH_GRACE_MS, so that a peer a little behind still meets it
// there and learns the new certification. So at most two epochs are open, and while two are,
// everything a peer accepts goes into each (own transactions at once, the others' after
// CROSS_MS, when the doc that brought them holds them already), unless the epoch's cut covers
// it. A newcomer that starts from a certified state jumps straight to its epoch.
import * as Y from 'yjs';
import type { NetworkId } from '../shared/ids.ts';
import type { CutCover } from '../shared/ledger/cutCover.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import { roomNameOf } from '../shared/net/invitation.ts';
import type { PeerLink, WrtcLike } from '../shared/replication/guardedWrtc.ts';
import {
  LedgerDoc,
  type LedgerDocEvents,
  type VerifiedCache,
} from '../shared/replication/ledgerDoc.ts';
import { LEDGER_MAP } from '../shared/replication/screen.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';
import { Connection, type IceServer, type PeerView, type RelayView } from './connection.ts';
import type { Intake } from './intake.ts';
import type { Cancel, EnginePorts } from './ports.ts';
import type { EpochPlan } from './epochPlan.ts';
import { forgetLeftEpochs, loadReplica, ReplicaWriter } from './replica.ts';
import { EPOCH_GRACE_MS } from './timing.ts';

/** How long an accepted transaction waits before it goes into the other open epoch's doc. */
export const CROSS_MS = 500;

/** The room of epoch `n` of a network. */
export const epochRoomOf = (networkId: NetworkId, n: number): string =>
  n === 0 ? roomNameOf(networkId) : `${roomNameOf(networkId)}-e${n}`;

export interface EpochsHost {
  readonly ports: EnginePorts;
  readonly networkId: NetworkId;
  /** The port's WebRTC, already guarded (one screen for every epoch's links). */
  readonly wrtc: WrtcLike;
  readonly links: ReadonlyMap<number, PeerLink>;
  readonly intake: Intake;
  readonly cache: VerifiedCache;
  readonly secret: string;
  readonly relays: readonly string[];
  readonly iceServers: readonly IceServer[];
  readonly docEvents: LedgerDocEvents;
  /** An archive peer keeps epoch 0, the whole history, open beside the current one. */
  readonly archive: boolean;
  warn(message: string): void;
  changed(): void;
  /** An epoch's room was replaced or closed: the next full sync starts afresh. */
  roomClosed(): void;
}

interface Epoch {
  readonly n: number;
  readonly cover: CutCover;
  readonly doc: Y.Doc;
  readonly connection: Connection;
  ledgerDoc: LedgerDoc | null;
  replica: ReplicaWriter | null;
}

export class Epochs {
  readonly #host: EpochsHost;
  /** Open epochs, lowest first: one, or two while the one left stays open. */
  #open: Epoch[] = [];
  #secret: string;
  #relays: readonly string[];
  #iceServers: readonly IceServer[];
  #online = true;
  #started = false;
  #ledger: Ledger | null = null;
  #crossing: VerifiedTx[] = [];
  #crossTimer: Cancel | null = null;
  #graceTimer: Cancel | null = null;

  constructor(host: EpochsHost) {
    this.#host = host;
    this.#secret = host.secret;
    this.#relays = host.relays;
    this.#iceServers = host.iceServers;
  }

  /** The epoch this peer writes to first: the highest open. */
  get current(): { readonly n: number; readonly cover: CutCover; readonly doc: Y.Doc } {
    const epoch = this.#open[this.#open.length - 1];
    if (!epoch) throw new Error('no epoch is open');
    return epoch;
  }

  /** The numbers of the open epochs, lowest first. */
  get numbers(): number[] {
    return this.#open.map((epoch) => epoch.n);
  }

  /** Opens the epochs of `plan` (lowest first) with their saved docs, before a ledger is bound. */
  async resume(plan: readonly EpochPlan[]): Promise<void> {
    const keep = new Set(plan.map((step) => step.n));
    const warn = (message: string) => this.#host.warn(message);
    const saved = await forgetLeftEpochs(this.#host.ports.replica, keep, warn);
    for (const step of plan) this.#open.push(await this.#make(step, saved));
  }

  /** `saved`: the replica store's records, when resume has just read them. */
  async #make(plan: EpochPlan, saved?: readonly Uint8Array[]): Promise<Epoch> {
    const doc = new Y.Doc();
    const replica = await this.#resumeDoc(plan.n, doc, saved);
    const connection = new Connection({
      networkId: this.#host.networkId,
      room: epochRoomOf(this.#host.networkId, plan.n),
      online: this.#online,
      secret: this.#secret,
      doc,
      wrtc: this.#host.wrtc,
      clock: this.#host.ports.clock,
      timers: this.#host.ports.timers,
      relays: this.#relays,
      iceServers: this.#iceServers,
      links: this.#host.links,
      onWarning: (message) => this.#host.warn(message),
      onChange: () => this.#host.changed(),
      // Only the current epoch's room says whether the peer is synced: leaving an older one
      // after the grace changes nothing of that.
      onRoomClosed: () => {
        if (this.#open.at(-1)?.connection === connection) this.#host.roomClosed();
      },
    });
    return { n: plan.n, cover: plan.cover, doc, connection, ledgerDoc: null, replica };
  }

  /** Reads an epoch's saved doc back, and keeps saving it (engine/replica.ts). */
  async #resumeDoc(
    n: number,
    doc: Y.Doc,
    saved?: readonly Uint8Array[],
  ): Promise<ReplicaWriter | null> {
    const store = this.#host.ports.replica;
    if (!store) return null;
    const warn = (message: string) => this.#host.warn(message);
    try {
      const loaded = await loadReplica(store, doc, n, saved);
      if (loaded.warning) warn(loaded.warning);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      warn(
        `The saved replication doc could not be opened (${why}); this start exchanges what it holds with each link once.`,
      );
      return null;
    }
    return new ReplicaWriter(store, doc, this.#host.ports.timers, warn, {
      epoch: n,
      ownsStore: false,
    });
  }

  /** Binds the ledger to every open epoch, publishing into each what its cut does not cover. */
  bind(ledger: Ledger, txs: readonly VerifiedTx[]): void {
    this.#ledger = ledger;
    for (const epoch of this.#open) this.#bindEpoch(epoch, ledger, txs);
  }

  #bindEpoch(epoch: Epoch, ledger: Ledger, txs: readonly VerifiedTx[]): void {
    const { admit } = this.#host.intake;
    epoch.ledgerDoc = new LedgerDoc(
      epoch.doc,
      ledger,
      admit,
      this.#host.cache,
      this.#host.docEvents,
    );
    // The genesis goes into every epoch: a newcomer learns its network from it. What the ledger
    // does not hold (a record a certified state covers and dropped: §14.5) goes nowhere.
    const held = (tx: VerifiedTx) => ledger.get(tx.id) !== undefined && !ledger.rejectionOf(tx.id);
    epoch.ledgerDoc.publishAll(
      txs.filter(
        (tx) => tx.id === ledger.genesis.id || (held(tx) && !epoch.cover.covers(ledger, tx.id)),
      ),
    );
  }

  /** Holds or releases our asks in the open epochs' rooms (Connection.holdAsks). */
  holdAsks(held: boolean): void {
    for (const epoch of this.#open) epoch.connection.holdAsks(held);
  }

  /** Joins the open epochs' rooms. */
  start(): void {
    this.#started = true;
    for (const epoch of this.#open) epoch.connection.start();
    this.#leaveLater();
  }

  /** Closes every epoch below the current one after EPOCH_GRACE_MS (an archive keeps 0). */
  #leaveLater(): void {
    if (this.#leaving(1).length === 0 || this.#graceTimer) return;
    this.#graceTimer = this.#host.ports.timers.after(EPOCH_GRACE_MS, () => {
      this.#graceTimer = null;
      void this.#leave(1).then(() => this.#host.changed());
    });
  }

  /** The open epochs to close so that `keep` remain, besides the archive's epoch 0. */
  #leaving(keep: number): Epoch[] {
    const below = this.#open.slice(0, Math.max(0, this.#open.length - keep));
    return below.filter((epoch) => !(this.#host.archive && epoch.n === 0));
  }

  async #leave(keep: number): Promise<void> {
    const closing = this.#leaving(keep);
    this.#open = this.#open.filter((epoch) => !closing.includes(epoch));
    await Promise.all(closing.map((epoch) => this.#closeEpoch(epoch)));
  }

  /**
   * Moves to epoch `plan.n`: opens it, publishes the tail there, and closes every epoch below
   * the one left (`jump`: every other one, for a peer that starts from a certified state).
   */
  async moveTo(plan: EpochPlan, jump = false): Promise<void> {
    const ledger = this.#ledger;
    if (this.#open.some((epoch) => epoch.n >= plan.n)) return;
    const epoch = await this.#make(plan);
    const left = this.#open.at(-1);
    this.#open.push(epoch);
    if (ledger) this.#bindEpoch(epoch, ledger, this.#tail(ledger, left));
    if (this.#started) epoch.connection.start();
    await this.#leave(jump ? 1 : 2);
    this.#graceTimer?.();
    this.#graceTimer = null;
    if (this.#started) this.#leaveLater();
    this.#host.changed();
  }

  /**
   * A far-behind peer took a newer certified state: every open epoch is left for `plan`'s, and
   * `bind` binds the new ledger there (engine/farBehind.ts).
   */
  async rebase(plan: EpochPlan, bind: () => void): Promise<void> {
    this.#ledger = null;
    await this.moveTo(plan, true);
    bind();
  }

  /** What the epoch left holds that the ledger took, and what this peer wrote since. */
  #tail(ledger: Ledger, left: Epoch | undefined): VerifiedTx[] {
    if (!left) return [ledger.genesis];
    const txs: VerifiedTx[] = [ledger.genesis];
    for (const key of left.doc.getMap(LEDGER_MAP).keys()) {
      const tx = ledger.get(key as VerifiedTx['id']);
      if (tx && !ledger.rejectionOf(tx.id) && tx.id !== ledger.genesis.id)
        txs.push(tx as VerifiedTx);
    }
    return txs;
  }

  async #closeEpoch(epoch: Epoch): Promise<void> {
    await epoch.connection.close();
    await epoch.ledgerDoc?.idle();
    await epoch.replica?.close();
    epoch.doc.destroy();
  }

  /** Publishes one of ours into every open epoch at once. */
  publish(tx: VerifiedTx): void {
    for (const epoch of this.#open) epoch.ledgerDoc?.publish(tx);
  }

  /**
   * Publishes transactions the ledger took that some doc may lack (early ingest, the other
   * epoch's), each into the epochs whose cut does not cover it.
   */
  publishAll(txs: readonly VerifiedTx[]): void {
    const ledger = this.#ledger;
    for (const epoch of this.#open) {
      const open = ledger ? txs.filter((tx) => !epoch.cover.covers(ledger, tx.id)) : txs;
      if (open.length > 0) epoch.ledgerDoc?.publishAll(open);
    }
  }

  /** The ledger took `tx`: with two epochs open, it goes into the one that lacks it, soon. */
  accepted(tx: VerifiedTx): void {
    if (this.#open.length < 2) return;
    this.#crossing.push(tx);
    this.#crossTimer ??= this.#host.ports.timers.after(CROSS_MS, () => {
      this.#crossTimer = null;
      const txs = this.#crossing;
      this.#crossing = [];
      this.publishAll(txs);
    });
  }

  /** Resolves when every open epoch's doc has processed what it has seen. */
  async idle(): Promise<void> {
    for (const epoch of [...this.#open]) await epoch.ledgerDoc?.idle();
  }

  // ---- the connection, the same for every open epoch --------------------------------------

  get relays(): readonly string[] {
    return this.#relays;
  }

  get iceServers(): readonly IceServer[] {
    return this.#iceServers;
  }

  get online(): boolean {
    return this.#online;
  }

  async configure(relays: readonly string[], iceServers?: readonly IceServer[]): Promise<void> {
    this.#relays = [...relays];
    if (iceServers) this.#iceServers = [...iceServers];
    await Promise.all(this.#open.map((e) => e.connection.configure(relays, this.#iceServers)));
  }

  async setSecret(secret: string): Promise<void> {
    this.#secret = secret;
    await Promise.all(this.#open.map((epoch) => epoch.connection.setSecret(secret)));
  }

  async setOnline(online: boolean): Promise<void> {
    this.#online = online;
    await Promise.all(this.#open.map((epoch) => epoch.connection.setOnline(online)));
  }

  // What status shows of relays, peers, sync and problems: the current epoch's connection, and
  // before open() opened any (status is asked for while the log loads), the plain settings.

  #now(): Connection | undefined {
    return this.#open.at(-1)?.connection;
  }

  relayViews(): RelayView[] {
    return this.#now()?.relayViews() ?? this.#relays.map((url) => ({ url, connected: false }));
  }

  peerViews(): PeerView[] {
    return this.#now()?.peerViews() ?? [];
  }

  syncProgress(): { done: number; total: number } | null {
    return this.#now()?.syncProgress() ?? null;
  }

  unansweredFor(): number | null {
    return this.#now()?.unansweredFor() ?? null;
  }

  problem(): string | null {
    return this.#now()?.problem() ?? null;
  }

  async close(): Promise<void> {
    this.#crossTimer?.();
    this.#graceTimer?.();
    for (const epoch of this.#open) await epoch.connection.close();
    for (const epoch of this.#open) await epoch.ledgerDoc?.idle();
    for (const epoch of this.#open) await epoch.replica?.close();
  }

  destroy(): void {
    for (const epoch of this.#open) epoch.doc.destroy();
  }
}
