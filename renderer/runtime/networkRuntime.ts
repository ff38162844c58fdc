// The core as the renderer runs it in a browser: the same pieces as the headless peer
// (node/peer/peer.ts), on the browser's own platform.
//
//   IndexedDB log ──> Ledger <── LedgerDoc <── Y.Doc <── y-webrtc (guarded native WebRTC)
//
// open() replays the log, then joins the network's room on the configured relays (a page
// cannot run a relay of its own). Valid transactions are appended to the log before our own
// are published. What the identity signs while offline waits in the log and the doc, and goes
// out when a peer is reachable. When the identity is a witness, it votes on what it sees.
import { WebrtcProvider } from 'y-webrtc';
import { OwnHead } from '../../shared/ledger/ownHead.ts';
import { SignalingHealth, type SignalingReport } from '../../shared/replication/signalingHealth.ts';
import * as Y from 'yjs';
import type { KeyHex, NetworkId, TxId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import type { ClockPort } from '../../shared/ports.ts';
import { guardWrtc, type PeerLink, type WrtcLike } from '../../shared/replication/guardedWrtc.ts';
import { LedgerDoc, VerifiedCache } from '../../shared/replication/ledgerDoc.ts';
import { LEDGER_MAP, screenMessage } from '../../shared/replication/screen.ts';
import { roomNameOf } from '../../shared/net/invitation.ts';
import type { LogStore } from '../../shared/storage/port.ts';
import type { UnsignedTx } from '../../shared/tx/envelope.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import type { Rejection } from '../../shared/tx/rejection.ts';
import { composeTransfer, composeVote } from '../../shared/wallet/compose.ts';
import { deadlinesAwaitingTick } from '../../shared/dnec/queries.ts';
import { admit, registry } from './core.ts';
import { replayLog, type ReplayedLog } from './ledgerLog.ts';
import type { TxSigner } from './signer.ts';

/** An RTCIceServer, as the settings keep it. */
export interface IceServer {
  readonly urls: string;
  readonly username?: string;
  readonly credential?: string;
}

export interface RuntimeOptions {
  readonly networkId: NetworkId;
  /** The join secret: the y-webrtc room password. */
  readonly secret: string;
  readonly relays: readonly string[];
  readonly iceServers: readonly IceServer[];
  readonly store: LogStore;
  /** The platform's WebRTC: the browser's own RTCPeerConnection. */
  readonly wrtc: WrtcLike;
  /** Null when this identity cannot sign here: the runtime then only follows the ledger. */
  readonly signer: TxSigner | null;
  readonly clock: ClockPort;
  /** Milliseconds a witness waits after a change before voting (batches votes). */
  readonly voteDelayMs?: number;
  /** Called, at most every CHANGE_INTERVAL_MS, after the ledger or a connection changed. */
  readonly onChange: () => void;
  readonly onNotice?: (notice: RuntimeNotice) => void;
}

export type RuntimeNotice =
  | { readonly kind: 'cleaned'; readonly key: string; readonly reason: string }
  | { readonly kind: 'hostile'; readonly link: number; readonly reason: string }
  | { readonly kind: 'warning'; readonly message: string };

export interface Progress {
  readonly done: number;
  readonly total: number;
}

export interface PeerView {
  /** y-webrtc's id for the remote peer (random per session). */
  readonly id: string;
  readonly state: 'connecting' | 'connected';
  readonly traffic: { readonly bytesIn: number; readonly bytesOut: number } | null;
}

export interface RelayView {
  readonly url: string;
  readonly connected: boolean;
}

export interface RuntimeStatus {
  readonly online: boolean;
  readonly relays: readonly RelayView[];
  readonly peers: readonly PeerView[];
  /** A full copy of some peer's ledger arrived since connecting. */
  readonly synced: boolean;
  /** Set while the saved log is read back. */
  readonly loading: Progress | null;
  /** Set while a large message from a peer is arriving. */
  readonly receiving: Progress | null;
  /** Set while a large batch of entries is checked into the ledger. */
  readonly checking: Progress | null;
  readonly counts: ReturnType<Ledger['counts']> | null;
  /** Sentences for what keeps this peer from working normally (see problems()). */
  readonly problems: readonly string[];
}

export class RuntimeError extends Error {
  override name = 'RuntimeError';
  readonly rejection?: Rejection;
  constructor(message: string, rejection?: Rejection) {
    super(message);
    if (rejection) this.rejection = rejection;
  }
}

const CHANGE_INTERVAL_MS = 100;
/**
 * How long a witness waits after a change before it votes. One vote then covers everything
 * that arrived meanwhile (every vote is a transaction of its own, kept forever), and members
 * see a payment pending before it turns final.
 */
export const DEFAULT_VOTE_DELAY_MS = 1_000;
const WATCHDOG_INTERVAL_MS = 2_000;
/** How often a witness checks whether a service deadline passed that it should date (a tick). */
const TICK_CHECK_MS = 1_000;
/** How long an action waits for a first sync under way to tell us our own chain's head. */
const OWN_HEAD_WAIT_MS = 15_000;
/** y-webrtc never gives up on a connection attempt that stalls; we do, after this long. */
const STALLED_CONNECTION_MS = 10_000;

interface RoomConn {
  readonly connected: boolean;
  readonly peer: { destroy(): void; _channel?: unknown };
}

export class NetworkRuntime {
  readonly options: RuntimeOptions;
  readonly doc = new Y.Doc();
  #ledger: Ledger | null = null;
  #ledgerDoc: LedgerDoc | null = null;
  readonly #cache = new VerifiedCache();
  readonly #links = new Set<PeerLink>();
  readonly #wrtc: WrtcLike;
  #provider: WebrtcProvider | null = null;
  /** What signaling says about our invitation (and about others' in our room). */
  readonly #signaling = new SignalingHealth();
  /** Whether we know our own chain's latest position: we sign only when we do. */
  #ownHead: OwnHead | null = null;
  #providerChange: Promise<void> = Promise.resolve();
  #relays: readonly string[];
  #iceServers: readonly IceServer[];
  #online = true;
  /** Set once the log is read: connecting before that would publish an empty doc. */
  #connecting = false;
  #synced = false;
  #loading: Progress | null = null;
  #receiving: Progress | null = null;
  #checking: Progress | null = null;
  #persistQueue: VerifiedTx[] = [];
  #persisting: Promise<void> = Promise.resolve();
  /** Our own transactions are composed and signed strictly one at a time (see #author). */
  #authoring: Promise<unknown> = Promise.resolve();
  #voteTimer: ReturnType<typeof setTimeout> | null = null;
  #changeTimer: ReturnType<typeof setTimeout> | null = null;
  #watchdog: ReturnType<typeof setInterval> | null = null;
  #tickTimer: ReturnType<typeof setInterval> | null = null;
  readonly #firstSeen = new WeakMap<object, number>();
  readonly #readyWaiters: Array<(ledger: Ledger) => void> = [];
  #closed = false;

  constructor(options: RuntimeOptions) {
    this.options = options;
    this.#relays = [...options.relays];
    this.#iceServers = [...options.iceServers];
    this.#wrtc = guardWrtc(options.wrtc, {
      screen: async (message) => {
        const verdict = await screenMessage(message, {
          networkId: options.networkId,
          known: (id) => this.#ledger?.has(id) === true || this.#cache.has(id),
          admit,
        });
        if (verdict.ok) for (const tx of verdict.entries) this.#cache.put(tx);
        return verdict;
      },
      onDelivered: (verdict) => {
        if (verdict.kind === 'sync-step2') {
          this.#synced = true;
          void this.#learnOwnHead();
          this.#receiving = null;
          this.#changed();
        }
      },
      onHostile: (link, reason) => this.#notice({ kind: 'hostile', link: link.id, reason }),
      onReceiving: (_link, received, total) => {
        this.#receiving = received >= total ? null : { done: received, total };
        this.#changed();
      },
      onOpen: (link) => {
        this.#links.add(link);
        this.#changed();
      },
      onClose: (link) => {
        this.#links.delete(link);
        this.#changed();
      },
    });
  }

  /** Reads the saved log back, then connects. Rejects if the log belongs to another network. */
  async open(initial: readonly VerifiedTx[] = []): Promise<void> {
    if (initial.length > 0) await this.options.store.append(initial.map((tx) => tx.bytes));
    this.#loading = { done: 0, total: 0 };
    this.#changed();
    const replayed = await replayLog(this.options.store, this.options.networkId, (done, total) => {
      this.#loading = { done, total };
      this.#changed();
    });
    this.#loading = null;
    if (replayed.skipped > 0) {
      this.#notice({
        kind: 'warning',
        message: `${replayed.skipped} saved transactions failed their checks and were left out.`,
      });
    }
    if (this.#closed) return;
    await this.#openOwnHead(replayed, initial);
    if (replayed.ledger) this.#bind(replayed.ledger, replayed.txs);
    else this.#watchForGenesis();
    this.#connecting = true;
    if (this.#online) this.#openProvider();
    this.#watchdog = setInterval(() => this.#checkConnections(), WATCHDOG_INTERVAL_MS);
    this.#changed();
  }

  /**
   * Judges whether we know our own chain's head (shared/ledger/ownHead.ts). The founder of a
   * network, opening with the genesis it just signed, starts a chain nothing can precede.
   */
  async #openOwnHead(replayed: ReplayedLog, initial: readonly VerifiedTx[]): Promise<void> {
    const me = this.options.signer?.key;
    if (me === undefined) return;
    const store = this.options.store;
    const genesis = initial.find((tx) => tx.id === this.options.networkId);
    if (genesis?.author === me && replayed.txs.length === initial.length) {
      this.#ownHead = OwnHead.fresh(store, me, replayed.facts.instance);
      await this.#ownHead.record(genesis);
      return;
    }
    this.#ownHead = await OwnHead.open(store, me, replayed.facts, replayed.ledger);
    const problem = this.#ownHead.problem();
    if (problem !== null && replayed.ledger) this.#notice({ kind: 'warning', message: problem });
  }

  /**
   * While a first sync is under way (a member is connected), an action waits a little for it
   * to tell us our head instead of failing a moment too early; #author then refuses if it
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
    this.#changed();
    this.#scheduleVote();
  }

  get ledger(): Ledger | null {
    return this.#ledger;
  }

  get relays(): readonly string[] {
    return this.#relays;
  }

  get iceServers(): readonly IceServer[] {
    return this.#iceServers;
  }

  /** Resolves once the network's genesis is known (at once when the log had it). */
  ready(): Promise<Ledger> {
    if (this.#ledger) return Promise.resolve(this.#ledger);
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  // ---- ledger --------------------------------------------------------------------------

  #bind(ledger: Ledger, txs: readonly VerifiedTx[]): void {
    this.#ledger = ledger;
    ledger.onAccepted((tx) => {
      this.#persist(tx);
      this.#scheduleVote();
      this.#changed();
    });
    this.#ledgerDoc = new LedgerDoc(this.doc, ledger, admit, this.#cache, {
      onCleaned: (key, reason) => this.#notice({ kind: 'cleaned', key, reason }),
      onProblem: (message) => this.#notice({ kind: 'warning', message }),
      onProgress: (done, total) => {
        this.#checking = done >= total ? null : { done, total };
        this.#changed();
      },
    });
    this.#ledgerDoc.publishAll(txs);
    // Service deadlines pass with no transaction arriving: a witness dates its view anyway.
    this.#tickTimer = setInterval(() => {
      const me = this.options.signer?.key;
      if (me && this.#isWitness() && this.#ticksDue(ledger, me)) this.#scheduleVote();
    }, TICK_CHECK_MS);
    for (const resolve of this.#readyWaiters.splice(0)) resolve(ledger);
    this.#scheduleVote();
  }

  #ticksDue(ledger: Ledger, me: KeyHex): boolean {
    return deadlinesAwaitingTick(ledger, me, this.options.clock.now()).length > 0;
  }

  /** A joining browser learns the genesis from the doc: the entry keyed by the network id. */
  #watchForGenesis(): void {
    const map = this.doc.getMap(LEDGER_MAP);
    const id = this.options.networkId;
    const check = async (): Promise<void> => {
      const bytes = map.get(id);
      if (this.#ledger || !(bytes instanceof Uint8Array)) return;
      const cached = this.#cache.take(id);
      const admitted = cached ? { ok: true as const, tx: cached } : await admit(bytes);
      if (this.#ledger || this.#closed) return;
      if (!admitted.ok || admitted.tx.id !== id) return;
      const started = Ledger.fromGenesis(admitted.tx, registry);
      if (!started.ok) {
        this.#notice({ kind: 'warning', message: started.rejection.message });
        return;
      }
      map.unobserve(observer);
      this.#persist(admitted.tx);
      this.#bind(started.ledger, [admitted.tx]);
      this.#changed();
    };
    const observer = (): void => void check();
    map.observe(observer);
  }

  #persist(tx: VerifiedTx): void {
    this.#persistQueue.push(tx);
    if (this.#persistQueue.length > 1) return;
    // Everything accepted in this tick goes into one durable IndexedDB transaction.
    this.#persisting = this.#persisting.then(async () => {
      await Promise.resolve();
      const batch = this.#persistQueue.splice(0);
      if (batch.length === 0) return;
      try {
        await this.options.store.append(batch.map((t) => t.bytes));
      } catch (error) {
        this.#notice({
          kind: 'warning',
          message: `Saving ${batch.length} transactions failed: ${messageOf(error)}`,
        });
      }
    });
  }

  /** Resolves once everything accepted so far is saved. */
  async flushed(): Promise<void> {
    await this.#persisting;
  }

  // ---- acting --------------------------------------------------------------------------

  /**
   * Composes, signs, checks, saves and publishes one of our own transactions, strictly one at
   * a time: two compositions in flight would take the same seq, an equivocation that freezes
   * the identity.
   */
  #author(
    compose: (
      ledger: Ledger,
      me: KeyHex,
    ) => { ok: true; tx: UnsignedTx } | { ok: false; rejection: Rejection } | null,
  ): Promise<VerifiedTx | null> {
    const run = this.#authoring.then(async () => {
      const signer = this.options.signer;
      if (!signer) throw new RuntimeError('This identity cannot sign here.');
      await this.#awaitOwnHead();
      const ledger = this.#ledger;
      if (!ledger)
        throw new RuntimeError('The network has not arrived yet: wait for the first sync.');
      const blind = this.#ownHead?.problem() ?? null;
      if (blind !== null) throw new RuntimeError(blind);
      const composed = compose(ledger, signer.key);
      if (composed === null) return null;
      if (!composed.ok) throw new RuntimeError(composed.rejection.message, composed.rejection);
      const admitted = await admit(signer.sign(composed.tx));
      if (!admitted.ok) throw new RuntimeError(admitted.rejection.message, admitted.rejection);
      const outcome = ledger.insert(admitted.tx);
      if (outcome.status === 'rejected')
        throw new RuntimeError(outcome.rejection.message, outcome.rejection);
      await this.flushed();
      // Sealed after it is saved and before anyone can see it (shared/ledger/ownHead.ts).
      await this.#ownHead?.record(admitted.tx);
      this.#ledgerDoc?.publish(admitted.tx);
      return admitted.tx;
    });
    this.#authoring = run.catch(() => undefined);
    return run;
  }

  /**
   * Composes, signs and publishes one of this identity's transactions, in turn with every other
   * (the market's actions use it). Null when `compose` has nothing to do.
   */
  act(
    compose: (
      ledger: Ledger,
      me: KeyHex,
    ) => { ok: true; tx: UnsignedTx } | { ok: false; rejection: Rejection } | null,
  ): Promise<VerifiedTx | null> {
    return this.#author(compose);
  }

  async transfer(to: KeyHex, amount: bigint, memo?: Uint8Array): Promise<VerifiedTx> {
    const tx = await this.#author((ledger, from) =>
      composeTransfer(ledger, {
        from,
        to,
        amount,
        time: this.options.clock.now(),
        ...(memo ? { memo } : {}),
      }),
    );
    if (!tx) throw new RuntimeError('The payment could not be composed.');
    return tx;
  }

  #isWitness(): boolean {
    const key = this.options.signer?.key;
    return key !== undefined && this.#ledger?.witnesses.has(key) === true;
  }

  #scheduleVote(): void {
    if (this.#voteTimer || this.#closed || !this.#isWitness()) return;
    // A witness that does not know its own head does not vote (status says why).
    if (this.#ownHead?.known === false) return;
    this.#voteTimer = setTimeout(() => {
      this.#voteTimer = null;
      this.#author((ledger, me) =>
        composeVote(ledger, me, this.options.clock.now(), { tick: this.#ticksDue(ledger, me) }),
      ).catch((error: unknown) =>
        this.#notice({ kind: 'warning', message: `A witness vote failed: ${messageOf(error)}` }),
      );
    }, this.options.voteDelayMs ?? DEFAULT_VOTE_DELAY_MS);
  }

  // ---- connections ---------------------------------------------------------------------

  /**
   * A provider (a room with a fresh peer id) for the current relays and ICE servers. A change
   * builds a new one rather than reconnecting the old: remote peers still hold the old id's
   * dying connection and would ignore its re-announcement.
   */
  #openProvider(): void {
    const provider = new WebrtcProvider(roomNameOf(this.options.networkId), this.doc, {
      signaling: [...this.#relays],
      password: this.options.secret,
      maxConns: 32,
      filterBcConns: false,
      // Our y-webrtc patch (patches/): no cross-tab channel. One window per profile holds the
      // only provider, and the channel re-encrypted every update and the whole doc on connect.
      broadcastChannel: false,
      peerOpts: {
        wrtc: this.#wrtc,
        config: { iceServers: this.#iceServers.map((s) => ({ ...s })) },
      },
    });
    provider.on('peers', () => this.#changed());
    provider.on('status', () => this.#changed());
    provider.on('signaling', (report) => this.#onSignaling(report));
    this.#provider = provider;
  }

  async #closeProvider(): Promise<void> {
    const provider = this.#provider;
    if (!provider) return;
    this.#provider = null;
    this.#synced = false;
    // destroy() alone leaves y-webrtc's signaling subscriptions open.
    provider.disconnect();
    provider.destroy();
    // The room name is free again once the room key resolves.
    await provider.key;
  }

  #rebuild(): Promise<void> {
    this.#providerChange = this.#providerChange.then(async () => {
      await this.#closeProvider();
      if (this.#online && !this.#closed && this.#connecting) this.#openProvider();
      this.#changed();
    });
    return this.#providerChange;
  }

  /** Replaces the relays and ICE servers; connections are made again. */
  setConnection(relays: readonly string[], iceServers: readonly IceServer[]): Promise<void> {
    this.#relays = [...relays];
    this.#iceServers = [...iceServers];
    return this.#rebuild();
  }

  /** Offline, the identity keeps working; what it signs goes out when it is online again. */
  setOnline(online: boolean): Promise<void> {
    this.#online = online;
    return this.#rebuild();
  }

  #roomConns(): Map<string, RoomConn> {
    const conns: unknown = this.#provider?.room?.webrtcConns;
    return conns instanceof Map ? (conns as Map<string, RoomConn>) : new Map<string, RoomConn>();
  }

  #checkConnections(): void {
    const now = this.options.clock.now();
    for (const conn of this.#roomConns().values()) {
      if (conn.connected) continue;
      const since = this.#firstSeen.get(conn) ?? now;
      this.#firstSeen.set(conn, since);
      // Destroying it makes y-webrtc forget the attempt and announce again.
      if (now - since > STALLED_CONNECTION_MS) conn.peer.destroy();
    }
    this.#changed();
  }

  // ---- observing -----------------------------------------------------------------------

  status(): RuntimeStatus {
    const signaling = (this.#provider?.signalingConns ?? []) as Array<{
      url: string;
      connected: boolean;
    }>;
    const peers: PeerView[] = [];
    for (const [id, conn] of this.#roomConns()) {
      // simple-peer keeps its data channel, our guarded one, as _channel.
      const channel = conn.peer._channel;
      const link = [...this.#links].find((l) => l === channel);
      peers.push({
        id,
        state: conn.connected ? 'connected' : 'connecting',
        traffic: link ? { bytesIn: link.stats.bytesIn, bytesOut: link.stats.bytesOut } : null,
      });
    }
    return {
      online: this.#online,
      relays: this.#relays.map((url) => ({
        url,
        connected: signaling.some((conn) => conn.url === url && conn.connected),
      })),
      peers,
      synced: this.#synced,
      loading: this.#loading,
      receiving: this.#receiving,
      checking: this.#checking,
      counts: this.#ledger ? this.#ledger.counts() : null,
      problems: this.problems(),
    };
  }

  /** A signaling message was taken or dropped (our y-webrtc patch reports each one). */
  #onSignaling(report: SignalingReport): void {
    const mismatchBefore = this.#signaling.invitationMismatch;
    const warning = this.#signaling.record(report, this.options.clock.now());
    if (warning !== null) this.#notice({ kind: 'warning', message: warning });
    if (!mismatchBefore && this.#signaling.invitationMismatch) this.#changed();
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

  #changed(): void {
    if (this.#changeTimer || this.#closed) return;
    this.#changeTimer = setTimeout(() => {
      this.#changeTimer = null;
      if (!this.#closed) this.options.onChange();
    }, CHANGE_INTERVAL_MS);
  }

  #notice(notice: RuntimeNotice): void {
    this.options.onNotice?.(notice);
    this.#changed();
  }

  /** Resolves when every doc entry seen so far has been checked and saved. */
  async settled(): Promise<void> {
    await this.#ledgerDoc?.idle();
    await this.flushed();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#voteTimer) clearTimeout(this.#voteTimer);
    if (this.#changeTimer) clearTimeout(this.#changeTimer);
    if (this.#watchdog) clearInterval(this.#watchdog);
    if (this.#tickTimer) clearInterval(this.#tickTimer);
    await this.#providerChange;
    await this.#closeProvider();
    await this.#authoring;
    await this.#ledgerDoc?.idle();
    await this.#persisting;
    await this.options.store.close();
    this.doc.destroy();
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type { TxId };
