// The peer engine: one peer of a network, as every platform runs it (the CLI's `gpow run`, the
// desktop app, the browser). It has effects only through its ports (engine/ports.ts).
//
//   log store ──> Ledger <── LedgerDoc <── Y.Doc <── y-webrtc (guarded WebRTC port)
//
// open() replays the log, then joins the network's room on its relays. Valid transactions are
// appended to the log before our own are published. A peer works fully offline: what it signs
// waits in its log and doc, and goes out when a peer is reachable. A witness votes on what it
// sees. It signs only when it knows its own chain's latest position (engine/ownHeadGuard.ts).
import type * as Y from 'yjs';
import type { KeyHex, NetworkId, TxId } from '../shared/ids.ts';
import { Ledger } from '../shared/ledger/ledger.ts';
import { guardWrtc, type PeerLink } from '../shared/replication/guardedWrtc.ts';
import { VerifiedCache, type LedgerDocEvents } from '../shared/replication/ledgerDoc.ts';
import { CutCover } from '../shared/ledger/cutCover.ts';
import type { UnsignedTx } from '../shared/tx/envelope.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';
import { budgetStatus } from '../shared/wallet/budget.ts';
import { composeTransfer } from '../shared/wallet/compose.ts';
import type { IceServer } from './connection.ts';
import { Epochs } from './epochs.ts';
import { nextEpoch, planEpochs, type EpochPlan } from './epochPlan.ts';
import {
  EngineError,
  messageOf,
  type Compose,
  type EngineEvent,
  type EngineOptions,
  type EngineStatus,
  type Progress,
} from './events.ts';

export type { Compose, EngineStatus } from './events.ts';
import { screenInto, watchForGenesis, type IngestHost } from './ingest.ts';
import { createIntake, registry, type Intake } from './intake.ts';
import { replayLog, writeCheckpoint } from './logReplay.ts';
import { OwnHeadGuard } from './ownHeadGuard.ts';
import { Persister } from './persister.ts';
import { SskSession, sskOpenerOf } from './ssk.ts';
import type { Cancel, EnginePorts } from './ports.ts';
import { CHANGE_INTERVAL_MS, EPOCH_CHECK_MS, SYNC_REPORT_STEP } from './timing.ts';
import { DiskWatch } from './diskSpace.ts';
import { RecentAuthors } from './recentAuthors.ts';
import { GroupNotices, nobodyAnswered } from './groupNotices.ts';
import { Author } from './author.ts';
import { DeviceAgent } from './devices.ts';
import { Witness } from './witness.ts';
import { checkpointStatus } from './checkpointStatus.ts';
import { WitnessSetAgent } from './witnessSets.ts';
import { RoomKeyAgent } from './roomKeys.ts';
import { DoorKeeper } from './door.ts';
import { Snapshots } from './fastForward.ts';
import { FarBehind } from './farBehind.ts';
import { CertifiedStates } from './certifiedStates.ts';
import { carryPast, peerPruner, restorePast, type Pruner } from './pruning.ts';

export class PeerEngine implements IngestHost {
  readonly ports: EnginePorts;
  readonly options: EngineOptions;
  readonly address: KeyHex | null;
  readonly networkId: NetworkId;
  readonly intake: Intake;
  readonly cache = new VerifiedCache();
  readonly timers: EnginePorts['timers'];
  readonly #links = new Map<number, PeerLink>();
  /** The rooms and docs this peer replicates through, one per open epoch (engine/epochs.ts). */
  readonly #epochs: Epochs;
  #epochCheck: Cancel | null = null;
  #moving = false;
  /** The checkpoint whose epoch could not be opened, said once. */
  #epochProblem = -1;
  readonly #persister: Persister;
  readonly #ownHead: OwnHeadGuard;
  readonly #witness: Witness;
  #ledger: Ledger | null = null;
  #ssk: SskSession | null = null;
  #synced = false;
  #loading: Progress | null = null;
  #receiving: Progress | null = null;
  /** The percent of the sync last said in a 'sync-received' event (-1: none yet). */
  #syncReported = -1;
  #checking: Progress | null = null;
  readonly #author: Author;
  /** Devices of this identity: listing, pairing, revoking, and the automatic parts (§12). */
  readonly devices: DeviceAgent;
  readonly witnessSets: WitnessSetAgent;
  readonly roomKeys: RoomKeyAgent;
  /** The doors of the tickets this home gave out (§13.9). */
  readonly doors: DoorKeeper;
  readonly #notices: GroupNotices;
  readonly #disk: DiskWatch;
  readonly #recent = new RecentAuthors();
  /** The snapshot room: a newcomer's look, a holder's offer, the base (engine/fastForward.ts). */
  readonly #snapshots: Snapshots;
  /** True while a newcomer decides how its ledger starts (startFromGenesis). */
  #starting = false;
  #changeTimer: Cancel | null = null;
  /** Stops the bound ledger's listener (a far-behind peer binds a newer one). */
  #unbind: (() => void) | null = null;
  readonly #farBehind: FarBehind;
  /** Drops what a certified checkpoint covers from the log, if this peer prunes (pruning.ts). */
  readonly #pruner: Pruner | null;
  readonly #states: CertifiedStates | null;
  #stopWatching: (() => void) | null = null;
  readonly #readyWaiters: Array<(ledger: Ledger) => void> = [];
  #closed = false;

  constructor(ports: EnginePorts, options: EngineOptions) {
    this.ports = ports;
    this.options = options;
    this.networkId = options.networkId;
    this.timers = ports.timers;
    this.address = ports.signer?.key ?? null;
    this.intake = createIntake(ports.verify);
    this.#persister = new Persister(ports.store, {
      onFailure: (message, count) =>
        this.#emit({
          type: 'warning',
          message: `Saving ${count} transactions failed (${message}); they are kept and saved with the next ones.`,
        }),
      onSaved: (batch) => this.#ownHead.saved(batch),
    });
    this.#ownHead = new OwnHeadGuard(ports, {
      links: this.#links,
      ledger: () => this.#ledger,
      settled: () => this.#entriesSettled(),
      publish: (tx) => this.#epochs.publish(tx),
      onKnown: () => {
        this.#emit({
          type: 'warning',
          message:
            "learned the latest position of this identity's chain from the network: signing is allowed again",
        });
        this.#witness.schedule();
      },
      onWarning: (message) => this.#emit({ type: 'warning', message }),
    });
    this.#pruner =
      options.prune !== false && options.archive !== true
        ? peerPruner({
            store: ports.store,
            persister: this.#persister,
            timers: ports.timers,
            address: this.address,
            ...(options.pruneAfter !== undefined ? { minRecords: options.pruneAfter } : {}),
            ownHead: this.#ownHead,
            snapshots: { keep: (base) => this.#snapshots.keep(base) },
            ledger: () => this.#ledger,
            closed: () => this.#closed,
            emit: (event) => this.#emit(event),
          })
        : null;
    this.#author = new Author({
      ports,
      intake: this.intake,
      persister: this.#persister,
      ownHead: this.#ownHead,
      connects: options.connect !== false,
      ledger: () => this.#ledger,
      ready: () => this.ready(),
      publish: (tx) => this.#epochs.publish(tx),
    });
    this.#witness = new Witness(ports, {
      enabled: options.witness ?? true,
      delayMs: options.voteDelayMs,
      checkpointEvery: options.checkpointEvery,
      ledger: () => this.#ledger,
      mayVote: () => !this.#closed && this.#ownHead.known !== false,
      act: (compose) => this.act(compose),
      onWarning: (message) => this.#emit({ type: 'warning', message }),
      onCertified: (id, state) => this.#certified(id, state),
      base: () => this.#snapshots.baseState(),
    });
    // A pruning peer that is no witness takes or computes its states apart.
    this.#states =
      this.#pruner &&
      new CertifiedStates({
        ports,
        ledger: () => this.#ledger,
        votes: options.witness !== false,
        offers: () => this.#snapshots.lookAround(),
        base: () => this.#snapshots.baseState(),
        onCertified: (id, state) => this.#certified(id, state),
        warn: (message) => this.#emit({ type: 'warning', message }),
      });
    this.devices = new DeviceAgent({
      ports,
      setup: options.device,
      ledger: () => this.#ledger,
      mayAct: () => !this.#closed && options.connect !== false && this.#ownHead.known !== false,
      act: (compose) => this.act(compose),
      importTransaction: (bytes) => this.importTransaction(bytes),
      warn: (message) => this.#emit({ type: 'warning', message }),
    });
    this.devices.start();
    this.#notices = new GroupNotices(ports.clock);
    this.#disk = new DiskWatch(ports.store, ports.timers, (message) =>
      this.#emit({ type: 'warning', message }),
    );
    this.roomKeys = new RoomKeyAgent(
      {
        ports,
        ledger: () => this.#ledger,
        act: (compose) => this.act(compose),
        useSecret: async (secret) => {
          await this.#epochs.setSecret(secret);
          this.#snapshots.refresh();
        },
        keepSecret: (secret, generation) => this.#emit({ type: 'join-secret', secret, generation }),
        warn: (message) => this.#emit({ type: 'warning', message }),
      },
      options.secret,
    );
    this.doors = new DoorKeeper(
      {
        networkId: options.networkId,
        clock: ports.clock,
        timers: ports.timers,
        random: ports.random,
        wrtc: ports.wrtc,
        relays: () => this.relays,
        iceServers: () => this.iceServers,
        joinSecret: () => this.roomKeys.secret,
        save: (records) => this.#emit({ type: 'tickets', records }),
        onKnock: (record, outcome, who) =>
          this.#emit({ type: 'knock', ticket: record.id, outcome, who }),
        warn: (message) => this.#emit({ type: 'warning', message }),
      },
      options.tickets ?? [],
    );
    this.#snapshots = new Snapshots({
      ports,
      networkId: options.networkId,
      connects: options.connect !== false && options.snapshots !== false,
      secret: () => this.roomKeys.secret,
      online: () => this.#epochs.online,
      relays: () => this.relays,
      iceServers: () => this.iceServers,
      ledger: () => this.#ledger,
      isWitness: () => this.address !== null && this.#ledger?.isWitnessNow(this.address) === true,
      pointlessWait: (linked) => this.#links.size === 0 || (this.#synced && !linked),
      networkLinked: () => this.#links.size > 0,
      holdAsks: (held) => this.#epochs.holdAsks(held),
      genesisOffered: (bytes) => void this.#genesisOffered(bytes),
      warn: (message) => this.#emit({ type: 'warning', message }),
    });
    this.#farBehind = new FarBehind({
      timers: ports.timers,
      // An archive stays with the whole history rather than move onto a state.
      connects: options.connect !== false && options.snapshots !== false && !options.archive,
      ledger: () => this.#ledger,
      unansweredFor: () => this.#epochs.unansweredFor(),
      further: (ledger) => this.#snapshots.further(ledger),
      rebase: (taken) => this.#rebase(taken),
      warn: (message) => this.#emit({ type: 'warning', message }),
    });
    this.witnessSets = new WitnessSetAgent({
      ports,
      ledger: () => this.#ledger,
      importTransaction: (bytes) => this.importTransaction(bytes),
      back: (change) => this.#witness.back(change),
    });
    const screen = screenInto(this);
    const wrtc = guardWrtc(ports.wrtc, {
      poll: (callback, ms) => ports.timers.after(ms, callback),
      screen: screen.screen,
      onDelivered: (verdict) => {
        screen.delivered(verdict);
        if (verdict.kind === 'sync-update') this.#reportSync();
        if (verdict.kind !== 'sync-step2') return;
        this.#synced = true;
        this.#receiving = null;
        this.#syncReported = -1;
        this.#ownHead.fullSync();
        this.#changed();
      },
      onHostile: (link, reason) => this.#emit({ type: 'peer-hostile', link: link.id, reason }),
      onReceiving: (link, received, total) => {
        this.#receiving = received >= total ? null : { done: received, total };
        this.#emit({ type: 'receiving', link: link.id, received, total });
      },
      onOpen: (link) => this.#linksChanged(() => this.#links.set(link.id, link)),
      onClose: (link) => this.#linksChanged(() => this.#links.delete(link.id)),
    });
    this.#epochs = new Epochs({
      ports,
      networkId: options.networkId,
      wrtc,
      links: this.#links,
      intake: this.intake,
      cache: this.cache,
      secret: options.secret,
      relays: options.relays,
      iceServers: options.iceServers ?? [],
      docEvents: this.#docEvents(),
      archive: options.archive === true,
      warn: (message) => this.#emit({ type: 'warning', message }),
      changed: () => this.#changed(),
      roomClosed: () => (this.#synced = false),
    });
  }

  #docEvents(): LedgerDocEvents {
    return {
      onCleaned: (key, reason) => this.#emit({ type: 'cleaned', key, reason }),
      onRestored: (id) => this.#emit({ type: 'restored', id }),
      onProblem: (message) => this.#emit({ type: 'warning', message }),
      onProgress: (done, total) => {
        this.#checking = done >= total ? null : { done, total };
        this.#emit({ type: 'sync-progress', done, total });
      },
    };
  }

  // ---- start-up ------------------------------------------------------------------------

  /**
   * Reads the saved log back, then joins the room (unless options.connect is false). `initial`
   * is what a founder just signed (the genesis): appended first, and the founder's chain
   * starts known. Rejects if the log belongs to another network.
   */
  async open(initial: readonly VerifiedTx[] = []): Promise<void> {
    if (initial.length > 0) await this.ports.store.append(initial.map((tx) => tx.bytes));
    this.#loading = { done: 0, total: 0 };
    this.#changed();
    const replayed = await replayLog(
      this.ports.store,
      this.networkId,
      this.intake,
      (done, total) => {
        this.#loading = { done, total };
        this.#changed();
      },
      await this.#snapshots.open(),
    );
    this.#loading = null;
    if (replayed.recovered) this.#emit({ type: 'warning', message: replayed.recovered });
    if (this.#closed) return;
    this.#persister.saved = replayed.txs.length + replayed.past.length;
    const lost =
      replayed.ledger &&
      (await restorePast(this.ports.store, replayed.ledger, this.address, replayed.past));
    if (lost) this.#emit({ type: 'warning', message: lost });
    await this.#ownHead.open(replayed, initial, this.networkId);
    await this.#epochs.resume(this.#plan(replayed.ledger));
    if (replayed.ledger) {
      this.#bind(replayed.ledger, replayed.txs);
      this.#emit({ type: 'ready', transactions: replayed.txs.length });
    } else {
      // A newcomer: a certified snapshot may spare it the history (engine/fastForward.ts).
      // (An archive takes the whole history, to serve it.)
      if (replayed.txs.length === 0 && this.options.archive !== true) this.#snapshots.look();
      this.#stopWatching = watchForGenesis(this.doc, this);
    }
    if (this.options.connect !== false) {
      this.#epochs.start();
      this.doors.start();
    }
    this.#changed();
  }

  /** The epochs to open at start: of the latest certified checkpoint, and the one before. */
  #plan(ledger: Ledger | null): EpochPlan[] {
    const none = { n: 0, cover: CutCover.none };
    if (!ledger) return [none];
    const base = this.#snapshots.baseCover(ledger);
    const planned = planEpochs(ledger, base);
    if (planned.problem) this.#emit({ type: 'warning', message: planned.problem });
    if (this.options.archive !== true || planned.plan[0]?.n === 0) return planned.plan;
    if (base)
      this.#emit({
        type: 'warning',
        message: `This peer started from checkpoint ${base.n} and holds no history before it: it cannot serve the whole history as an archive.`,
      });
    return base ? planned.plan : [none, ...planned.plan];
  }

  /** The replication doc of the current epoch (tests read it). */
  get doc(): Y.Doc {
    return this.#epochs.current.doc;
  }

  get ledger(): Ledger | null {
    return this.#ledger;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves once the network's genesis is known (at once when the log had it). */
  ready(): Promise<Ledger> {
    if (this.#ledger) return Promise.resolve(this.#ledger);
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  /** Binds a ledger to the doc, publishing `txs` (what it holds), and starts persisting. */
  #bind(ledger: Ledger, txs: readonly VerifiedTx[]): void {
    const first = this.#ledger === null && this.#unbind === null;
    this.#ledger = ledger;
    this.#unbind = ledger.onAccepted((tx) => {
      this.#persister.add(tx);
      this.#recent.add(tx.author);
      this.#witness.accepted(tx);
      this.#states?.accepted(tx);
      this.#epochs.accepted(tx);
      this.#epochCheck ??= this.timers.after(EPOCH_CHECK_MS, () => void this.#checkEpoch());
      this.#changed();
    });
    this.#epochs.bind(ledger, txs);
    this.#startSsk(ledger);
    this.#witness.start();
    this.#disk.start();
    this.#states?.start();
    this.#snapshots.started();
    this.#farBehind.start();
    // Before the room is joined: a restart must never rejoin with a secret already rotated away.
    if (first && this.options.connect !== false) this.roomKeys.start();
    for (const resolve of this.#readyWaiters.splice(0)) resolve(ledger);
  }

  /**
   * A peer far behind took a newer certified state (engine/farBehind.ts): what it holds goes on
   * top (what the state covers is left out: §14.5), and it replicates in that state's epoch.
   * Its log keeps everything; the next start builds on the base it kept.
   */
  async #rebase(taken: { readonly ledger: Ledger; readonly base: { readonly n: number } }) {
    const old = this.#ledger;
    const plan = this.#snapshots.baseCover(taken.ledger);
    if (!old || !plan || this.#closed) return;
    const held: VerifiedTx[] = [];
    for (const id of old.validIds()) {
      const tx = old.get(id) as VerifiedTx | undefined;
      if (tx && !taken.ledger.has(id)) held.push(tx);
    }
    const below: VerifiedTx[] = [...old.past];
    for (const tx of held)
      if (taken.ledger.insert(tx).status === 'pruned' && old.isFinal(tx.id)) below.push(tx);
    await carryPast(this.ports.store, { old, next: taken.ledger, below, plan }, this.address).catch(
      (error: unknown) =>
        this.#emit({
          type: 'warning',
          message: `Your service-market history from before checkpoint ${plan.n} could not be kept (${messageOf(error)}): what it shows of escrows, payouts and bonds starts there after the next start.`,
        }),
    );
    this.#unbind?.();
    this.#ssk?.close();
    this.#ledger = null;
    await this.#epochs.rebase(plan, () => {
      this.#bind(taken.ledger, [taken.ledger.genesis, ...held]);
    });
    this.#emit({ type: 'fast-forward', n: taken.base.n });
    this.#emit({
      type: 'warning',
      message: `This peer was more than one checkpoint behind and nobody answered in its rooms: it moved to the certified state of checkpoint ${taken.base.n}, with everything it holds on top.`,
    });
  }

  /** The state of the latest certified checkpoint is known: offered, and pruned at. */
  #certified(id: TxId, state: Uint8Array): void {
    this.#snapshots.certified(id, state);
    void this.#pruner?.certified(id, state);
  }

  #startSsk(ledger: Ledger): void {
    const signer = this.ports.signer;
    if (!signer) return;
    this.#ssk = new SskSession({
      ledger,
      me: signer.key,
      opener: sskOpenerOf(signer),
      clock: this.ports.clock,
      random: this.ports.random,
      timers: this.ports.timers,
      wrtc: this.ports.wrtc,
      // Offline commands join no room, the channels' rooms included.
      channels: this.options.connect !== false && (this.options.sskChannels ?? true),
      relays: () => this.relays,
      iceServers: () => this.iceServers,
      act: (compose) => this.act(compose),
      onChange: () => this.#changed(),
      onEvent: (partner, event) => this.#emit({ type: 'channel', partner, event }),
    });
  }

  /**
   * The genesis is known: the ledger starts from it, or, for a newcomer that looked in the
   * snapshot room, from the state of a certified checkpoint once it checked out.
   */
  startFromGenesis(genesis: VerifiedTx, publish: readonly VerifiedTx[]): void {
    if (this.#ledger || this.#starting) return;
    if (!this.#snapshots.looking) return this.#startFrom(genesis, publish, null);
    this.#starting = true;
    void this.#snapshots.start(genesis).then(async (based) => {
      // A peer that starts from a certified state replicates in its epoch from the start.
      const plan = based && this.#snapshots.baseCover(based);
      if (plan && !this.#closed) {
        this.#stopWatching?.();
        await this.#epochs.moveTo(plan, true);
      }
      this.#starting = false;
      if (!this.#closed && !this.#ledger) this.#startFrom(genesis, publish, based);
    });
  }

  #startFrom(genesis: VerifiedTx, publish: readonly VerifiedTx[], based: Ledger | null): void {
    const started = based
      ? { ok: true as const, ledger: based }
      : Ledger.fromGenesis(genesis, registry);
    if (!started.ok) return this.#emit({ type: 'warning', message: started.rejection.message });
    this.#stopWatching?.();
    this.#persister.add(genesis);
    this.#bind(started.ledger, publish);
    this.#emit({ type: 'genesis', networkId: this.networkId });
    // A full sync that came while a newcomer weighed a snapshot found no ledger to learn our
    // own chain's head from: it has one now.
    if (this.#synced) this.#ownHead.fullSync();
    const base = this.#snapshots.base;
    if (based && base !== null) this.#emit({ type: 'fast-forward', n: base });
  }

  publishAll(txs: readonly VerifiedTx[]): void {
    this.#epochs.publishAll(txs);
  }

  /** A holder in the snapshot room offers the genesis: checked in full, then started from. */
  async #genesisOffered(bytes: Uint8Array): Promise<void> {
    if (this.#ledger || this.#starting || this.#closed) return;
    const admitted = await this.intake.admit(bytes);
    if (!admitted.ok || admitted.tx.id !== this.networkId || this.#ledger || this.#closed) return;
    this.startFromGenesis(admitted.tx, [admitted.tx]);
  }

  /**
   * The ledger certified a checkpoint above the current epoch: move there (engine/epochs.ts).
   * A cut this peer cannot walk (it lacks what it adds) is said once, and the peer stays.
   */
  async #checkEpoch(): Promise<void> {
    this.#epochCheck = null;
    const ledger = this.#ledger;
    if (!ledger || this.#moving || this.#closed) return;
    const next = nextEpoch(ledger, this.#epochs.current);
    if (next === null) return;
    if (typeof next === 'string') {
      const n = ledger.latestCertified()?.n ?? 0;
      if (n !== this.#epochProblem)
        this.#emit({
          type: 'warning',
          message: `The replication room of checkpoint ${n} cannot be opened (${next}); this peer stays in the room of checkpoint ${this.#epochs.current.n}.`,
        });
      this.#epochProblem = n;
      return;
    }
    this.#moving = true;
    try {
      await this.#epochs.moveTo(next);
    } finally {
      this.#moving = false;
    }
    this.#emit({ type: 'epoch', n: next.n });
  }

  // ---- connections ---------------------------------------------------------------------

  get relays(): readonly string[] {
    return this.#epochs.relays;
  }

  get iceServers(): readonly IceServer[] {
    return this.#epochs.iceServers;
  }

  /** Replaces the relays (and ICE servers); connections are made again. */
  async setConnection(relays: readonly string[], iceServers?: readonly IceServer[]): Promise<void> {
    await this.#epochs.configure(relays, iceServers);
    this.#snapshots.refresh();
  }

  /** Adds a relay found later (an invitation, LAN discovery). */
  addRelay(url: string): Promise<void> {
    if (this.relays.includes(url)) return Promise.resolve();
    return this.setConnection([...this.relays, url]);
  }

  /** Offline, the identity keeps working; what it signs goes out when it is online again. */
  async setOnline(online: boolean): Promise<void> {
    await this.#epochs.setOnline(online);
    this.#snapshots.refresh();
  }

  #linksChanged(change: () => void): void {
    change();
    this.#emit({ type: 'peers', count: this.#links.size });
  }

  // ---- persistence ---------------------------------------------------------------------

  /** Resolves once everything accepted so far was saved (or its save failed and was reported). */
  flushed(): Promise<void> {
    return this.#persister.flushed();
  }

  /**
   * Resolves when every doc entry seen so far has been checked and saved, and what a full sync
   * taught of our own chain's head is learnt (a newcomer that weighed a snapshot binds its
   * ledger after the sync came, and says it may sign only once this is done).
   */
  async settled(): Promise<void> {
    await this.#entriesSettled();
    await this.#ownHead.learnt();
  }

  async #entriesSettled(): Promise<void> {
    await this.#epochs.idle();
    await this.flushed();
  }

  // ---- acting --------------------------------------------------------------------------

  /** Composes, signs, checks, saves and publishes one of ours, one at a time (engine/author.ts). */
  act<T extends { ok: true; tx: UnsignedTx }>(
    compose: Compose<T>,
  ): Promise<{ composed: T; tx: VerifiedTx } | null> {
    return this.#author.act(compose);
  }

  /** Takes in a transaction signed elsewhere (an offline signer, another device). */
  importTransaction(bytes: Uint8Array): Promise<VerifiedTx> {
    return this.#author.importTransaction(bytes);
  }

  async transfer(to: KeyHex, amount: bigint, memo?: Uint8Array): Promise<VerifiedTx> {
    const done = await this.act((ledger, from) => {
      const composed = composeTransfer(ledger, {
        from,
        to,
        amount,
        time: this.ports.clock.now(),
        ...(memo ? { memo } : {}),
      });
      // A device spends only what it holds (§12): say where the rest of the money is.
      const short = composed.ok ? null : this.devices.shortfall(amount);
      return short && !composed.ok && composed.rejection.code === 'insufficient-funds'
        ? { ok: false, rejection: { ...composed.rejection, message: short } }
        : composed;
    });
    if (!done) throw new EngineError('The payment could not be composed.');
    return done.tx;
  }

  // ---- Sustainable Symmetric Keys ------------------------------------------------------

  /** The identity's SSK session: null until the network is known, or without an identity. */
  get ssk(): SskSession | null {
    return this.#ssk;
  }

  /** The SSK session, or a sentence saying why there is none. */
  requireSsk(): SskSession {
    if (!this.#ssk) throw new EngineError('SSK needs an unlocked identity and a known network.');
    return this.#ssk;
  }

  // ---- observing -----------------------------------------------------------------------

  /**
   * A piece of an answer was applied: how far the whole sync has come, in entries, said every
   * SYNC_REPORT_STEP percent (an answer comes in pieces of about 2 MiB; syncPieces.ts).
   */
  #reportSync(): void {
    const progress = this.#epochs.syncProgress();
    if (!progress) return;
    const percent = Math.floor((100 * progress.done) / progress.total);
    if (percent < this.#syncReported + SYNC_REPORT_STEP && this.#syncReported >= 0) return;
    this.#syncReported = percent;
    this.#emit({ type: 'sync-received', ...progress });
  }

  status(): EngineStatus {
    return {
      networkId: this.networkId,
      address: this.address,
      online: this.#epochs.online,
      relays: this.#epochs.relayViews(),
      peers: this.#links.size,
      connections: this.#epochs.peerViews(),
      links: [...this.#links.values()].map((link) => ({ id: link.id, ...link.stats })),
      synced: this.#synced,
      loading: this.#loading,
      // The whole sync's progress when the link answering us said what it holds; else the
      // progress of the large message arriving.
      receiving: this.#epochs.syncProgress() ?? this.#receiving,
      checking: this.#checking,
      counts: this.#ledger ? this.#ledger.counts() : null,
      checkpoints: this.#ledger
        ? checkpointStatus(this.#ledger, this.options.checkpointEvery)
        : null,
      base: this.#snapshots.base,
      budget: this.#ledger ? budgetStatus(this.#ledger, this.#recent.authors) : null,
      epochs: this.#epochs.numbers,
      problems: this.problems(),
    };
  }

  /** Sentences for what keeps this peer from working normally; empty when nothing does. */
  problems(): string[] {
    // When signaling already says the invitation does not match, that sentence is the reason.
    const connection = this.#epochs.problem();
    const unanswered =
      connection === null
        ? nobodyAnswered(this.#epochs.unansweredFor(), this.#ledger, this.address)
        : null;
    return [
      connection,
      unanswered,
      this.#ownHead.problem(),
      this.#disk.problem(),
      ...this.#notices.of(this.#ledger),
    ].filter((problem): problem is string => problem !== null);
  }

  #emit(event: EngineEvent): void {
    this.options.onEvent?.(event);
    this.#changed();
  }

  /** Tells the platform (at most every CHANGE_INTERVAL_MS) that something changed. */
  #changed(): void {
    if (this.#changeTimer || this.#closed || !this.options.onChange) return;
    this.#changeTimer = this.ports.timers.after(CHANGE_INTERVAL_MS, () => {
      this.#changeTimer = null;
      if (!this.#closed) this.options.onChange?.();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#witness.stop();
    this.#disk.stop();
    this.#states?.close();
    this.#farBehind.stop();
    this.devices.stop();
    this.roomKeys.stop();
    this.doors.close();
    this.#snapshots.close();
    this.#ssk?.close();
    this.#changeTimer?.();
    this.#epochCheck?.();
    await this.#epochs.close();
    await this.#author.idle();
    await this.#epochs.idle();
    await this.#persister.close();
    // The epochs' writers saved what was pending; the store they share closes once.
    await this.ports.replica?.close();
    this.#closed = true;
    this.#stopWatching?.();
    if (this.#ledger)
      await writeCheckpoint(this.ports.store, this.#persister.saved).catch(() => undefined);
    await this.ports.verify.close();
    await this.ports.store.close();
    this.#epochs.destroy();
  }
}

export type { TxId };
