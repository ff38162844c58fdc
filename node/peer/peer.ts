// The headless peer: the same core as the desktop app, run under Node with @roamhq/wrtc.
//
//   durable log (node/storage) ──> Ledger <── LedgerDoc <── Y.Doc <── y-webrtc (guarded wrtc)
//
// On start it replays its own log (trusting records up to its checkpoint, so a restart does not
// re-verify every signature), then joins the network's room on every relay it knows, and its
// own. Valid transactions are appended to the log before they are acknowledged. A peer works
// fully offline: what it signs waits in its log and doc, and goes out when a peer is reachable.
import wrtc from '@roamhq/wrtc';
import { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';
import { keyHexOf, type KeyHex, type NetworkId, type TxId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { guardWrtc, type PeerLink, type WrtcLike } from '../../shared/replication/guardedWrtc.ts';
import { LedgerDoc, VerifiedCache } from '../../shared/replication/ledgerDoc.ts';
import { LEDGER_MAP, screenMessage, type AdmitResult } from '../../shared/replication/screen.ts';
import { signTx, type UnsignedTx } from '../../shared/tx/envelope.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import type { Rejection } from '../../shared/tx/rejection.ts';
import type { LogStore } from '../../shared/storage/port.ts';
import { composeTransfer, composeVote } from '../../shared/wallet/compose.ts';
import { fromUtf8, utf8 } from '../../shared/bytes.ts';
import type { ClockPort } from '../../shared/ports.ts';
import type { ChannelEvent } from '../../shared/ssk/channel.ts';
import { composeSskRevoke, composeSskShare } from '../../shared/ssk/share.ts';
import {
  admit,
  admitMany,
  loadLocalLedger,
  registry,
  verifier,
  writeCheckpoint,
} from './localLedger.ts';
import { VerifyPool } from '../crypto/verifyPool.ts';
import { SskChannels } from './sskChannels.ts';
import { nodeRandom } from '../random.ts';

const systemClock: ClockPort = { now: () => Date.now() };
import { installSafeWebSocket } from '../net/safeWebSocket.ts';
import { tolerateYWebrtcRaces } from '../net/yWebrtcRaces.ts';
import { startSignalingRelay, type SignalingRelay } from '../net/signalingRelay.ts';
import { openFileLogStore } from '../storage/fileLogStore.ts';
import { roomNameOf } from '../../shared/net/invitation.ts';
import { OwnHead } from '../../shared/ledger/ownHead.ts';
import {
  INVITATION_MISMATCH,
  SignalingHealth,
  type SignalingReport,
} from '../../shared/replication/signalingHealth.ts';
import { deadlinesAwaitingTick } from '../../shared/dnec/queries.ts';
import { openFieldFrom, sealFieldFor, type FieldParty } from '../../shared/ui/sskFields.ts';

export interface PeerConfig {
  /** Where the log and its metadata live. */
  readonly dataDir: string;
  readonly networkId: NetworkId;
  /** The join secret: the y-webrtc room password. */
  readonly secret: string;
  /** Signaling relays to connect to. */
  readonly relays: readonly string[];
  /** Run our own relay here (the default is 127.0.0.1 on a free port); false for none. */
  readonly relay?: { readonly host?: string; readonly port?: number } | false;
  /** STUN/TURN servers: none by default, so nothing leaves the LAN unless configured. */
  readonly iceServers?: readonly unknown[];
  /** The identity that signs: needed to send, and to vote as a witness. */
  readonly secretKey?: Uint8Array;
  /** Vote automatically when the identity is a witness. */
  readonly witness?: boolean;
  /** Milliseconds to wait after a change before voting (batches votes). */
  readonly voteDelayMs?: number;
  readonly onEvent?: (event: PeerEvent) => void;
  /** For tests: the store to use instead of the file log in dataDir. */
  readonly store?: LogStore;
}

export type PeerEvent =
  | { readonly type: 'ready'; readonly transactions: number }
  | { readonly type: 'genesis'; readonly networkId: NetworkId }
  | { readonly type: 'peer-hostile'; readonly link: number; readonly reason: string }
  | { readonly type: 'peers'; readonly count: number }
  | { readonly type: 'sync-progress'; readonly done: number; readonly total: number }
  | {
      readonly type: 'receiving';
      readonly link: number;
      readonly received: number;
      readonly total: number;
    }
  | { readonly type: 'cleaned'; readonly key: string; readonly reason: string }
  | { readonly type: 'restored'; readonly id: TxId }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'channel'; readonly partner: KeyHex; readonly event: ChannelEvent };

export interface PeerStatus {
  readonly networkId: NetworkId;
  readonly address: KeyHex | null;
  readonly relayUrl: string | null;
  /** The address the relay listens on (0.0.0.0 when it serves the LAN). */
  readonly relayHost: string | null;
  readonly peers: number;
  /** True once a full sync (step 2) arrived from some peer, or the peer is alone by design. */
  readonly synced: boolean;
  readonly transactions: ReturnType<Ledger['counts']> | null;
  readonly stateRoot: string | null;
  readonly links: ReadonlyArray<{
    id: number;
    bytesIn: number;
    bytesOut: number;
    messagesIn: number;
  }>;
  /** Sentences for what keeps this peer from working normally (see problems()). */
  readonly problems: readonly string[];
}

const WATCHDOG_INTERVAL_MS = 2_000;
const STALLED_CONNECTION_MS = 10_000;
const ISOLATION_REBUILD_MS = 20_000;
const TICK_CHECK_MS = 250;
/** How long an action waits for a first sync under way to tell us our own chain's head. */
const OWN_HEAD_WAIT_MS = 15_000;
/** How long an action of a peer that has just joined waits for its network's genesis. */
const GENESIS_WAIT_MS = 20_000;

export class PeerError extends Error {
  override name = 'PeerError';
  readonly rejection?: Rejection;
  constructor(message: string, rejection?: Rejection) {
    super(message);
    if (rejection) this.rejection = rejection;
  }
}

export class Peer {
  readonly config: PeerConfig;
  readonly doc = new Y.Doc();
  readonly address: KeyHex | null;
  #store: LogStore;
  #ledger: Ledger | null = null;
  #ledgerDoc: LedgerDoc | null = null;
  #provider: WebrtcProvider | null = null;
  /** What signaling says about our invitation (and about others' in our room). */
  readonly #signaling = new SignalingHealth();
  /** Whether we know our own chain's latest position: we sign only when we do. */
  #ownHead: OwnHead | null = null;
  #wrtc: WrtcLike | null = null;
  #relayUrls: string[] = [];
  #online = true;
  /** Serialises provider rebuilds (y-webrtc tears a room down asynchronously). */
  #providerChange: Promise<void> = Promise.resolve();
  #watchdog: ReturnType<typeof setInterval> | null = null;
  /** When each not-yet-open WebRTC connection was first seen. */
  #pendingSince = new WeakMap<object, number>();
  #aloneSince = systemClock.now();
  #aloneRebuildMs = ISOLATION_REBUILD_MS;
  #relay: SignalingRelay | null = null;
  #cache = new VerifiedCache();
  /** Spreads the signature checks of large syncs over every core. */
  readonly #verifyPool = new VerifyPool(verifier);
  #links = new Map<number, PeerLink>();
  #persistQueue: VerifiedTx[] = [];
  #persisting: Promise<void> = Promise.resolve();
  #persistedCount = 0;
  #syncedFromPeer = false;
  /** Screen verdicts whose message y-webrtc took (so the doc has its entries). */
  #delivered = new WeakSet<object>();
  #voteTimer: ReturnType<typeof setTimeout> | null = null;
  #tickTimer: ReturnType<typeof setInterval> | null = null;
  #keepAlive: ReturnType<typeof setInterval> | null = null;
  #readyWaiters: Array<(ledger: Ledger) => void> = [];
  #closed = false;
  #ssk: SskChannels | null = null;
  /** Our own transactions are composed and submitted one at a time (see #author). */
  #authoring: Promise<unknown> = Promise.resolve();

  private constructor(config: PeerConfig, store: LogStore) {
    this.config = config;
    this.#store = store;
    this.address = config.secretKey ? keyHexOf(publicKeyOf(config.secretKey)) : null;
  }

  static async start(config: PeerConfig): Promise<Peer> {
    installSafeWebSocket((message) => config.onEvent?.({ type: 'warning', message }));
    tolerateYWebrtcRaces((message) => config.onEvent?.({ type: 'warning', message }));
    const store =
      config.store ??
      (await openFileLogStore(config.dataDir, {
        onWarning: (message) => config.onEvent?.({ type: 'warning', message }),
      }));
    const peer = new Peer(config, store);
    try {
      await peer.#loadLog();
      await peer.#connect();
    } catch (error) {
      await peer.close();
      throw error;
    }
    return peer;
  }

  get ledger(): Ledger | null {
    return this.#ledger;
  }

  /** Resolves once the network's genesis is known (at once for a peer that has a log). */
  ready(): Promise<Ledger> {
    if (this.#ledger) return Promise.resolve(this.#ledger);
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  // ---- start-up ------------------------------------------------------------------------

  async #loadLog(): Promise<void> {
    const loaded = await loadLocalLedger(this.#store, this.config.networkId);
    if (loaded.recovered) this.#emit({ type: 'warning', message: loaded.recovered });
    if (this.address) {
      this.#ownHead = await OwnHead.open(this.#store, this.address, loaded.facts, loaded.ledger);
      const problem = this.#ownHead.problem();
      if (problem !== null && loaded.ledger) this.#emit({ type: 'warning', message: problem });
    }
    if (!loaded.ledger) return;
    this.#persistedCount = loaded.txs.length;
    this.#bindLedger(loaded.ledger, loaded.txs);
    this.#emit({ type: 'ready', transactions: loaded.txs.length });
  }

  async #writeCheckpoint(): Promise<void> {
    await this.#persisting;
    await writeCheckpoint(this.#store, this.#persistedCount);
  }

  /** Binds a loaded ledger to the doc, publishing `txs` (what it holds), and starts persisting. */
  #bindLedger(ledger: Ledger, txs: readonly VerifiedTx[]): void {
    this.#ledger = ledger;
    // From now on every newly valid transaction is persisted.
    ledger.onAccepted((tx) => this.#persist(tx));
    this.#ledgerDoc = new LedgerDoc(this.doc, ledger, admit, this.#cache, {
      onCleaned: (key, reason) => this.#emit({ type: 'cleaned', key, reason }),
      onRestored: (id) => this.#emit({ type: 'restored', id }),
      onProgress: (done, total) => this.#emit({ type: 'sync-progress', done, total }),
      onProblem: (message) => this.#emit({ type: 'warning', message }),
    });
    this.#ledgerDoc.publishAll(txs);
    if (this.config.witness) {
      ledger.onAccepted(() => this.#scheduleVote());
      // Deadlines pass without any transaction arriving: check for them on a timer.
      this.#tickTimer = setInterval(() => {
        if (this.address && deadlinesAwaitingTick(ledger, this.address, systemClock.now()).length)
          this.#scheduleVote();
      }, TICK_CHECK_MS);
    }
    if (this.config.secretKey && this.address) {
      this.#ssk = new SskChannels({
        ledger,
        me: this.address,
        secretKey: this.config.secretKey,
        random: nodeRandom,
        clock: systemClock,
        relays: () => this.#relayUrls,
        iceServers: this.config.iceServers ?? [],
        onEvent: (partner, event) => this.#emit({ type: 'channel', partner, event }),
      });
    }
    for (const resolve of this.#readyWaiters.splice(0)) resolve(ledger);
    this.#scheduleVote();
  }

  /** A new peer learns the genesis from the doc: the entry keyed by the network id. */
  #watchForGenesis(): void {
    const map = this.doc.getMap(LEDGER_MAP);
    const check = () => {
      if (this.#ledger) return map.unobserve(check);
      const genesis = this.#cache.take(this.config.networkId);
      if (!genesis) return;
      map.unobserve(check);
      this.#startFromGenesis(genesis, [genesis]);
    };
    map.observe(check);
  }

  /** Starts the ledger from the network's genesis, publishing `publish` into the doc. */
  #startFromGenesis(genesis: VerifiedTx, publish: readonly VerifiedTx[]): void {
    const started = Ledger.fromGenesis(genesis, registry);
    if (!started.ok) return this.#emit({ type: 'warning', message: started.rejection.message });
    this.#persist(genesis);
    this.#bindLedger(started.ledger, publish);
    this.#emit({ type: 'genesis', networkId: this.config.networkId });
  }

  /**
   * Entries of an incoming message go into the ledger as each batch of their signatures checks
   * out, while the threads still check the rest: on a large sync the ledger's work overlaps
   * the checks instead of following them. They are valid transactions of this network, so
   * this is what ingesting them from the doc would do; `early` collects them, in case the
   * message is refused after all (then the doc never receives them, and we publish them).
   * Before the genesis is known, entries wait for it in `waiting`.
   */
  #ingestEarly(results: readonly AdmitResult[], early: VerifiedTx[], waiting: VerifiedTx[]): void {
    for (const result of results) {
      if (!result.ok) continue;
      const tx = result.tx;
      if (!this.#ledger && tx.id === this.config.networkId) {
        // The doc will get the genesis from this message: nothing to publish now.
        this.#startFromGenesis(tx, []);
        early.push(tx);
        for (const held of waiting.splice(0)) this.#insertEarly(held, early);
      } else if (tx.net === this.config.networkId) {
        if (this.#ledger) this.#insertEarly(tx, early);
        else waiting.push(tx);
      }
    }
  }

  /**
   * While a first sync is under way (a member is connected), an action waits a little for it
   * to tell us our head instead of failing a moment too early; submit() then refuses if it
   * still has not.
   */
  async #awaitOwnHead(): Promise<void> {
    const own = this.#ownHead;
    if (!own || own.known || this.#links.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, OWN_HEAD_WAIT_MS)));
    await Promise.race([own.whenKnown(), timeout]);
    clearTimeout(timer);
  }

  /**
   * After a full sync from another member has gone through the ledger, our own chain's head is
   * what the network holds: a peer that did not know it may sign again.
   */
  async #learnOwnHead(): Promise<void> {
    const own = this.#ownHead;
    if (!own || own.known) return;
    await this.#ledgerDoc?.idle();
    await this.flushed();
    const ledger = this.#ledger;
    if (!ledger || own.known || this.#closed) return;
    await own.learned(ledger);
    this.#emit({
      type: 'warning',
      message:
        "learned the latest position of this identity's chain from the network: signing is allowed again",
    });
    this.#scheduleVote();
  }

  #insertEarly(tx: VerifiedTx, early: VerifiedTx[]): void {
    const ledger = this.#ledger;
    if (!ledger || ledger.has(tx.id)) return;
    ledger.insert(tx);
    early.push(tx);
  }

  async #connect(): Promise<void> {
    const relays = [...this.config.relays];
    if (this.config.relay !== false) {
      this.#relay = await startSignalingRelay({
        host: this.config.relay?.host,
        port: this.config.relay?.port ?? 0,
      });
      relays.push(this.#relay.url);
    }
    // The signature threads start on the first large batch, never ahead of it: starting them
    // while @roamhq/wrtc sets up its first connections crashed the process in its native code
    // (napi_open_handle_scope without the isolate lock), as CI caught.
    if (!this.#ledger) this.#watchForGenesis();
    const guarded = guardWrtc(wrtc as unknown as WrtcLike, {
      poll: (callback, ms) => {
        const timer = setTimeout(callback, ms);
        return () => clearTimeout(timer);
      },
      screen: async (message) => {
        const early: VerifiedTx[] = [];
        const waiting: VerifiedTx[] = [];
        const verdict = await screenMessage(message, {
          networkId: this.config.networkId,
          known: (id) => this.#ledger?.has(id) === true || this.#cache.has(id),
          admit,
          admitMany: async (values, ids) => {
            const results = await admitMany(this.#verifyPool, values, ids);
            if (!this.#closed) this.#ingestEarly(results, early, waiting);
            return results;
          },
        });
        if (verdict.ok) for (const tx of verdict.entries) this.#cache.put(tx);
        if (early.length > 0) {
          // Refused, or (rarely) the link closed before y-webrtc took the message: the doc
          // lacks what the ledger took early, so we publish it. Delivery is synchronous right
          // after screening, so by the next turn a delivered message is marked as such.
          const timer = setTimeout(() => {
            if (!this.#delivered.has(verdict)) this.#ledgerDoc?.publishAll(early);
          }, 0);
          timer.unref();
        }
        return verdict;
      },
      onDelivered: (verdict) => {
        this.#delivered.add(verdict);
        if (verdict.kind === 'sync-step2') {
          this.#syncedFromPeer = true;
          void this.#learnOwnHead();
        }
      },
      onHostile: (link, reason) => this.#emit({ type: 'peer-hostile', link: link.id, reason }),
      onReceiving: (link, received, total) =>
        this.#emit({ type: 'receiving', link: link.id, received, total }),
      onOpen: (link) => this.#links.set(link.id, link),
      onClose: (link) => this.#links.delete(link.id),
    });
    this.#wrtc = guarded;
    this.#relayUrls = relays;
    this.#openProvider();
    // @roamhq/wrtc handles do not keep Node's event loop alive; a running peer must stay up.
    this.#keepAlive = setInterval(() => undefined, 60_000);
    this.#watchdog = setInterval(() => this.#checkConnections(), WATCHDOG_INTERVAL_MS);
  }

  /**
   * One y-webrtc provider (a room instance with a fresh peer id) for the current relays.
   * Changing relays or coming back online builds a new one rather than reconnecting the old:
   * remote peers still hold the old peer id's dying connection and would ignore its
   * re-announcement, leaving the peer isolated.
   */
  #openProvider(): void {
    this.#provider = new WebrtcProvider(roomNameOf(this.config.networkId), this.doc, {
      signaling: this.#relayUrls,
      password: this.config.secret,
      maxConns: 32,
      filterBcConns: false,
      // Our y-webrtc patch (patches/): no cross-tab channel. One window per profile holds the
      // only provider, and the channel re-encrypted every update and the whole doc on connect.
      broadcastChannel: false,
      peerOpts: { wrtc: this.#wrtc, config: { iceServers: this.config.iceServers ?? [] } },
    });
    this.#provider.on('peers', (event: { webrtcPeers: string[] }) =>
      this.#emit({ type: 'peers', count: event.webrtcPeers.length }),
    );
    this.#provider.on('signaling', (report) => this.#onSignaling(report));
  }

  /** A signaling message was taken or dropped (our y-webrtc patch reports each one). */
  #onSignaling(report: SignalingReport): void {
    const mismatchBefore = this.#signaling.invitationMismatch;
    const warning = this.#signaling.record(report, systemClock.now());
    if (warning !== null) this.#emit({ type: 'warning', message: warning });
    if (!mismatchBefore && this.#signaling.invitationMismatch) {
      this.#emit({ type: 'warning', message: INVITATION_MISMATCH });
    }
  }

  async #closeProvider(): Promise<void> {
    const provider = this.#provider;
    if (!provider) return;
    this.#provider = null;
    this.#syncedFromPeer = false;
    // destroy() alone leaves y-webrtc's signaling connections open and subscribed, and a
    // later room of the same name would keep hearing peers through relays it was told to drop.
    provider.disconnect();
    provider.destroy();
    // destroy() frees the room name once the room key resolves; wait for that.
    await provider.key;
  }

  #rebuildProvider(): Promise<void> {
    this.#providerChange = this.#providerChange.then(async () => {
      await this.#closeProvider();
      if (this.#online && !this.#closed) this.#openProvider();
    });
    return this.#providerChange;
  }

  /**
   * y-webrtc never times out a connection attempt that stalls (an offer lost to glare, ICE
   * that never completes under load): its entry blocks any new attempt with that peer. So a
   * connection not open after STALLED_CONNECTION_MS is destroyed, which makes y-webrtc
   * re-announce and try again. A peer alone for long rebuilds its provider, backing off.
   */
  #checkConnections(): void {
    const room = this.#provider?.room;
    if (!room || !this.#online) return;
    const now = systemClock.now();
    for (const conn of room.webrtcConns.values()) {
      if (conn.connected) continue;
      const since = this.#pendingSince.get(conn) ?? now;
      this.#pendingSince.set(conn, since);
      if (now - since > STALLED_CONNECTION_MS) (conn.peer as { destroy(): void }).destroy();
    }
    if (this.#links.size > 0) {
      this.#aloneSince = now;
      this.#aloneRebuildMs = ISOLATION_REBUILD_MS;
    } else if (now - this.#aloneSince > this.#aloneRebuildMs && this.#relayUrls.length > 0) {
      this.#aloneSince = now;
      this.#aloneRebuildMs = Math.min(this.#aloneRebuildMs * 2, 5 * 60_000);
      void this.#rebuildProvider();
    }
  }

  /** Adds a relay found later (an invitation, LAN discovery). */
  addRelay(url: string): Promise<void> {
    if (this.#relayUrls.includes(url)) return Promise.resolve();
    return this.setRelays([...this.#relayUrls, url]);
  }

  /** Replaces the relays this peer signals through; connections are re-established. */
  setRelays(urls: readonly string[]): Promise<void> {
    this.#relayUrls = [...urls];
    return this.#rebuildProvider();
  }

  /** Goes offline: drops every connection. The peer keeps working and signing locally. */
  goOffline(): Promise<void> {
    this.#online = false;
    return this.#rebuildProvider();
  }

  goOnline(): Promise<void> {
    this.#online = true;
    return this.#rebuildProvider();
  }

  get relays(): readonly string[] {
    return this.#relayUrls;
  }

  // ---- persistence ---------------------------------------------------------------------

  #persist(tx: VerifiedTx): void {
    this.#persistQueue.push(tx);
    if (this.#persistQueue.length > 1) return;
    // Batch everything accepted in this tick into one durable append.
    this.#persisting = this.#persisting.then(async () => {
      await Promise.resolve();
      const batch = this.#persistQueue.splice(0);
      if (batch.length === 0 || this.#closed) return;
      await this.#store.append(batch.map((t) => t.bytes));
      this.#persistedCount += batch.length;
    });
  }

  /** Resolves once everything accepted so far is on disk. */
  async flushed(): Promise<void> {
    await this.#persisting;
  }

  // ---- acting --------------------------------------------------------------------------

  /**
   * The ledger, waiting at most `ms` for the genesis: a peer that has just joined gets it within
   * moments, but one whose network never answers must get a sentence, not hang.
   */
  async #ledgerWithin(ms: number): Promise<Ledger> {
    if (this.#ledger) return this.#ledger;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
    const ledger = await Promise.race([this.ready(), timeout]);
    clearTimeout(timer);
    return ledger ?? this.#knownLedger();
  }

  /** The ledger, or at once a sentence. */
  #knownLedger(): Ledger {
    if (!this.#ledger) throw new PeerError('the network is not known yet: wait for the first sync');
    return this.#ledger;
  }

  #requireSigner(): { secretKey: Uint8Array; address: KeyHex } {
    if (!this.config.secretKey || !this.address)
      throw new PeerError('this peer has no identity to sign with');
    return { secretKey: this.config.secretKey, address: this.address };
  }

  /** Signs, validates, persists (durably) and publishes one of our own transactions. */
  async submit(unsigned: UnsignedTx): Promise<VerifiedTx> {
    const { secretKey } = this.#requireSigner();
    this.#knownLedger();
    const blind = this.#ownHead?.problem() ?? null;
    if (blind !== null) throw new PeerError(blind);
    return this.importTransaction(signTx(secretKey, unsigned));
  }

  /**
   * Takes in a transaction signed elsewhere (an offline signer, another device), through the
   * same checks as one from the network, and publishes it.
   */
  async importTransaction(bytes: Uint8Array): Promise<VerifiedTx> {
    const ledger = await this.#ledgerWithin(GENESIS_WAIT_MS);
    const admitted = await admit(bytes);
    if (!admitted.ok) throw new PeerError(admitted.rejection.message, admitted.rejection);
    const outcome = ledger.insert(admitted.tx);
    if (outcome.status === 'rejected')
      throw new PeerError(outcome.rejection.message, outcome.rejection);
    await this.flushed();
    // Sealed after it is durable and before anyone can see it (shared/ledger/ownHead.ts).
    await this.#ownHead?.record(admitted.tx);
    this.#ledgerDoc?.publish(admitted.tx);
    return admitted.tx;
  }

  /**
   * Composes and submits one of our own transactions, strictly one at a time. Composing reads
   * our chain head, so two compositions in flight (two quick payments, or a payment and a
   * witness vote) would both take the same seq: an equivocation that freezes our own identity.
   */
  #author<T extends { ok: true; tx: UnsignedTx }>(
    compose: (ledger: Ledger, me: KeyHex) => T | { ok: false; rejection: Rejection } | null,
  ): Promise<{ composed: T; tx: VerifiedTx } | null> {
    const run = this.#authoring.then(async () => {
      const { address } = this.#requireSigner();
      const ledger = await this.#ledgerWithin(GENESIS_WAIT_MS);
      await this.#awaitOwnHead();
      const composed = compose(ledger, address);
      if (composed === null) return null;
      if (!composed.ok) throw new PeerError(composed.rejection.message, composed.rejection);
      return { composed, tx: await this.submit(composed.tx) };
    });
    this.#authoring = run.catch(() => undefined);
    return run;
  }

  /**
   * Composes and submits one of our own transactions, serialised with every other (see #author).
   * Null when `compose` has nothing to do.
   */
  act<T extends { ok: true; tx: UnsignedTx }>(
    compose: (ledger: Ledger, me: KeyHex) => T | { ok: false; rejection: Rejection } | null,
  ): Promise<{ composed: T; tx: VerifiedTx } | null> {
    return this.#author(compose);
  }

  async transfer(to: KeyHex, amount: bigint, memo?: Uint8Array): Promise<VerifiedTx> {
    const done = await this.#author((ledger, from) =>
      composeTransfer(ledger, {
        from,
        to,
        amount,
        time: systemClock.now(),
        ...(memo ? { memo } : {}),
      }),
    );
    return done!.tx;
  }

  #scheduleVote(): void {
    if (!this.config.witness || this.#voteTimer || this.#closed) return;
    this.#voteTimer = setTimeout(() => {
      this.#voteTimer = null;
      void this.#vote();
    }, this.config.voteDelayMs ?? 50);
  }

  async #vote(): Promise<void> {
    if (!this.#ledger || !this.address || !this.#ledger.witnesses.has(this.address) || this.#closed)
      return;
    // A witness that does not know its own head does not vote (status says why).
    if (this.#ownHead?.known === false) return;
    try {
      await this.#author((ledger, me) => {
        const now = systemClock.now();
        // A vote with nothing new still dates our view when a service deadline has passed.
        const tick = deadlinesAwaitingTick(ledger, me, now).length > 0;
        return composeVote(ledger, me, now, { tick });
      });
    } catch (error) {
      this.#emit({
        type: 'warning',
        message: `vote failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  // ---- Sustainable Symmetric Keys ------------------------------------------------------

  get ssk(): SskChannels {
    if (!this.#ssk) throw new PeerError('SSK needs an unlocked identity and a known network');
    return this.#ssk;
  }

  /** Shares a fresh key with `to` (or resets the one we share: the next epoch). */
  async shareKey(
    to: KeyHex,
    purpose = 'messages',
    expires?: number,
  ): Promise<{ id: TxId; epoch: number }> {
    const directory = this.ssk.directory;
    const done = await this.#author((ledger, from) =>
      composeSskShare(
        ledger,
        directory,
        {
          from,
          to,
          purpose,
          time: systemClock.now(),
          ...(expires !== undefined ? { expires } : {}),
        },
        nodeRandom,
      ),
    );
    return { id: done!.tx.id, epoch: done!.composed.epoch };
  }

  async revokeKey(to: KeyHex): Promise<{ id: TxId; epoch: number }> {
    const directory = this.ssk.directory;
    const done = await this.#author((ledger, from) =>
      composeSskRevoke(ledger, directory, from, to, systemClock.now()),
    );
    return { id: done!.tx.id, epoch: done!.composed.epoch };
  }

  /** A payment whose memo is sealed with the pair's SSK: only the two can read it. */
  /** Seals `plaintext` for `to` with our current shared key (SSK-sealed field, `label` bound). */
  sealFor(to: KeyHex, label: string, plaintext: Uint8Array): Uint8Array {
    this.#requireSigner();
    return sealFieldFor(this.#fieldParty(), to, label, plaintext, nodeRandom);
  }

  /** Opens a field `sender` sealed for `recipient` (one of them is us), or null. */
  openSealed(
    sender: KeyHex,
    recipient: KeyHex,
    label: string,
    sealed: Uint8Array,
  ): Uint8Array | null {
    if (!this.#ssk || !this.address) return null;
    return openFieldFrom(this.#fieldParty(), sender, recipient, label, sealed);
  }

  #fieldParty(): FieldParty {
    return {
      keyring: this.ssk.keyring,
      network: this.config.networkId,
      me: this.address as KeyHex,
    };
  }

  async transferWithPrivateMemo(to: KeyHex, amount: bigint, memo: string): Promise<VerifiedTx> {
    return this.transfer(to, amount, this.sealFor(to, 'memo', utf8(memo)));
  }

  readPrivateMemo(tx: VerifiedTx): string | null {
    if (tx.type !== 'transfer') return null;
    const body = tx.body as { to: Uint8Array; memo?: Uint8Array };
    if (!body.memo) return null;
    const opened = this.openSealed(tx.author, keyHexOf(body.to), 'memo', body.memo);
    return opened ? fromUtf8(opened) : null;
  }

  // ---- observing -----------------------------------------------------------------------

  status(): PeerStatus {
    const ledger = this.#ledger;
    return {
      networkId: this.config.networkId,
      address: this.address,
      relayUrl: this.#relay?.url ?? null,
      relayHost: this.#relay ? ((this.config.relay || undefined)?.host ?? '127.0.0.1') : null,
      peers: this.#links.size,
      synced: this.#syncedFromPeer,
      transactions: ledger ? ledger.counts() : null,
      stateRoot: ledger ? ledger.stateRoot() : null,
      links: [...this.#links.values()].map((l) => ({ id: l.id, ...l.stats })),
      problems: this.problems(),
    };
  }

  /** Sentences for what keeps this peer from working normally; empty when nothing does. */
  problems(): string[] {
    const problems: string[] = [];
    const signaling = this.#signaling.problem();
    if (signaling !== null) problems.push(signaling);
    const blind = this.#ownHead?.problem() ?? null;
    if (blind !== null) problems.push(blind);
    return problems;
  }

  /** Resolves when every doc entry seen so far has been processed and persisted. */
  async settled(): Promise<void> {
    await this.#ledgerDoc?.idle();
    await this.flushed();
  }

  #emit(event: PeerEvent): void {
    this.config.onEvent?.(event);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#voteTimer) clearTimeout(this.#voteTimer);
    if (this.#tickTimer) clearInterval(this.#tickTimer);
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#ssk?.close();
    await this.#providerChange;
    await this.#closeProvider();
    await this.#ledgerDoc?.idle();
    await this.#persisting;
    this.#closed = true;
    if (this.#ledger) await this.#writeCheckpoint().catch(() => undefined);
    await this.#relay?.close();
    await this.#verifyPool.close();
    await this.#store.close();
    this.doc.destroy();
  }
}

export type { TxId };
