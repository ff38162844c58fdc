// The engine's connection to its network's room: one y-webrtc provider over the guarded WebRTC
// port, the relays and ICE servers it uses, going offline and online, and a watchdog for what
// y-webrtc does not handle itself (stalled attempts, a peer left alone). What signaling reports
// about our invitation is kept here too.
import { SyncPolicy } from '../shared/replication/syncPolicy.ts';
import { WebrtcProvider } from 'y-webrtc';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { NetworkId } from '../shared/ids.ts';
import { roomNameOf } from '../shared/net/invitation.ts';
import type { PeerLink, WrtcLike } from '../shared/replication/guardedWrtc.ts';
import {
  INVITATION_MISMATCH,
  SignalingHealth,
  type SignalingReport,
} from '../shared/replication/signalingHealth.ts';
import type { Cancel, ClockPort, TimerPort } from './ports.ts';
import {
  ISOLATION_REBUILD_MAX_MS,
  ISOLATION_REBUILD_MS,
  MAX_CONNECTIONS,
  STALLED_CONNECTION_MS,
  WATCHDOG_INTERVAL_MS,
} from './timing.ts';

/** An RTCIceServer, as settings keep it. */
export interface IceServer {
  readonly urls: string;
  readonly username?: string;
  readonly credential?: string;
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

export interface ConnectionOptions {
  readonly networkId: NetworkId;
  /** The room joined: the network's (roomNameOf) unless an epoch's (engine/epochs.ts). */
  readonly room?: string;
  /** Whether the peer starts online (it may have been set offline before this room opened). */
  readonly online?: boolean;
  readonly secret: string;
  readonly doc: Y.Doc;
  /** The port's WebRTC, already guarded (shared/replication/guardedWrtc.ts). */
  readonly wrtc: WrtcLike;
  readonly clock: ClockPort;
  readonly timers: TimerPort;
  readonly relays: readonly string[];
  readonly iceServers: readonly IceServer[];
  readonly links: ReadonlyMap<number, PeerLink>;
  /** Something a person should know: a warning for the log or the UI. */
  readonly onWarning: (message: string) => void;
  /** The room changed: peers, relays, signaling. */
  readonly onChange: () => void;
  /** The room instance was replaced or closed: the next full sync starts afresh. */
  readonly onRoomClosed: () => void;
}

interface RoomConn {
  readonly connected: boolean;
  readonly peer: { destroy(): void; _channel?: unknown };
}

export class Connection {
  readonly #o: ConnectionOptions;
  /** The join secret: the room's password, which a rotation replaces (§13.8). */
  #secret: string;
  readonly #signaling = new SignalingHealth();
  #provider: WebrtcProvider | null = null;
  /** The open provider's sync policy: which link is being asked, and what it said it holds. */
  #policy: SyncPolicy | null = null;
  /** Whether our asks wait (holdAsks). */
  #held = false;
  /** Serialises provider changes (y-webrtc tears a room down asynchronously). */
  #change: Promise<void> = Promise.resolve();
  #relays: readonly string[];
  #iceServers: readonly IceServer[];
  #online = true;
  #started = false;
  #closed = false;
  #watchdog: Cancel | null = null;
  readonly #pendingSince = new WeakMap<object, number>();
  #aloneSince: number;
  #aloneRebuildMs = ISOLATION_REBUILD_MS;
  /** Since when no member has answered us (the watchdog's rebuilds do not reset it). */
  #tryingSince: number;

  constructor(options: ConnectionOptions) {
    this.#secret = options.secret;
    this.#o = options;
    this.#relays = [...options.relays];
    this.#iceServers = [...options.iceServers];
    this.#online = options.online ?? true;
    this.#aloneSince = options.clock.now();
    this.#tryingSince = this.#aloneSince;
  }

  /**
   * How long this peer has been in its room, online and with relays, without any member
   * answering; null while one is connected or when it is not trying. New relays, a new join
   * secret or coming back online start the count again: each is a fresh chance to be answered.
   */
  unansweredFor(): number | null {
    const now = this.#o.clock.now();
    if (this.#o.links.size > 0) {
      this.#tryingSince = now;
      return null;
    }
    if (!this.#started || this.#closed || !this.#online || this.#relays.length === 0) return null;
    return now - this.#tryingSince;
  }

  /**
   * How far the sync under way has come, in entries (Yjs structs): of what the link answering
   * us said it holds, how much we hold. An answer comes in pieces (syncPieces.ts), so this is
   * the progress of the whole sync, not of one message. Null when none is under way.
   */
  syncProgress(): { done: number; total: number } | null {
    const own = () => Y.decodeStateVector(Y.encodeStateVector(this.#o.doc));
    return this.#policy?.progress(own) ?? null;
  }

  get relays(): readonly string[] {
    return this.#relays;
  }

  get iceServers(): readonly IceServer[] {
    return this.#iceServers;
  }

  get online(): boolean {
    return this.#online;
  }

  /** Joins the room (when online) and starts the watchdog. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#tryingSince = this.#o.clock.now();
    if (this.#online) this.#open();
    this.#watchdog = this.#o.timers.every(WATCHDOG_INTERVAL_MS, () => this.#check());
  }

  /** Replaces the relays and ICE servers; connections are made again. */
  configure(relays: readonly string[], iceServers: readonly IceServer[] = this.#iceServers) {
    this.#tryingSince = this.#o.clock.now();
    this.#relays = [...relays];
    this.#iceServers = [...iceServers];
    return this.#rebuild();
  }

  /** A rotated join secret: the room is joined again with it; the old one is left. */
  setSecret(secret: string): Promise<void> {
    if (secret === this.#secret) return this.#change;
    this.#secret = secret;
    this.#tryingSince = this.#o.clock.now();
    return this.#rebuild();
  }

  /** Offline drops every connection; the identity keeps working locally. */
  setOnline(online: boolean): Promise<void> {
    if (online && !this.#online) this.#tryingSince = this.#o.clock.now();
    this.#online = online;
    return this.#rebuild();
  }

  /**
   * A provider is a room instance with a fresh peer id. A change builds a new one rather than
   * reconnecting the old: remote peers still hold the old id's dying connection and would
   * ignore its re-announcement, leaving us isolated.
   */
  #open(): void {
    const provider = new WebrtcProvider(
      this.#o.room ?? roomNameOf(this.#o.networkId),
      this.#o.doc,
      {
        awareness: silentAwareness(this.#o.doc),
        signaling: [...this.#relays],
        password: this.#secret,
        maxConns: MAX_CONNECTIONS,
        filterBcConns: false,
        // Our y-webrtc patch (patches/): no cross-tab channel. One window or process per home
        // holds the only provider, and the channel re-encrypted every update and the whole doc.
        broadcastChannel: false,
        // Also ours: ask one link at a time, forward to each only what it lacks (its reasons are
        // in shared/replication/syncPolicy.ts).
        syncPolicy: this.#newPolicy(),
        peerOpts: {
          wrtc: this.#o.wrtc,
          config: { iceServers: this.#iceServers.map((server) => ({ ...server })) },
        },
      },
    );
    provider.on('peers', () => this.#o.onChange());
    provider.on('status', () => this.#o.onChange());
    provider.on('signaling', (report) => this.#onSignaling(report));
    this.#provider = provider;
  }

  #newPolicy(): SyncPolicy {
    const policy = new SyncPolicy({ after: (ms, callback) => this.#o.timers.after(ms, callback) });
    if (this.#held) policy.hold();
    return (this.#policy = policy);
  }

  /**
   * Holds this room's asks (SyncPolicy.hold), in this provider and the ones a rebuild makes,
   * or releases them: a newcomer weighing a certified state (engine/askHold.ts).
   */
  holdAsks(held: boolean): void {
    this.#held = held;
    if (held) this.#policy?.hold();
    else this.#policy?.release();
  }

  async #close(): Promise<void> {
    const provider = this.#provider;
    if (!provider) return;
    this.#provider = null;
    this.#policy = null;
    this.#o.onRoomClosed();
    // destroy() alone leaves y-webrtc's signaling connections open and subscribed, and a
    // later room of the same name would keep hearing peers through relays it was told to drop.
    provider.disconnect();
    provider.destroy();
    // Not destroyed with the provider: its timer would outlive every rebuilt room.
    provider.awareness.destroy();
    // destroy() frees the room name once the room key resolves; wait for that.
    await provider.key;
  }

  #rebuild(): Promise<void> {
    this.#change = this.#change.then(async () => {
      await this.#close();
      if (this.#online && this.#started && !this.#closed) this.#open();
      this.#o.onChange();
    });
    return this.#change;
  }

  /** A signaling message was taken or dropped (our y-webrtc patch reports each one). */
  #onSignaling(report: SignalingReport): void {
    const mismatchBefore = this.#signaling.invitationMismatch;
    const warning = this.#signaling.record(report, this.#o.clock.now());
    if (warning !== null) this.#o.onWarning(warning);
    if (!mismatchBefore && this.#signaling.invitationMismatch) {
      this.#o.onWarning(INVITATION_MISMATCH);
      this.#o.onChange();
    }
  }

  /** What signaling says is wrong with our invitation, or null. */
  problem(): string | null {
    return this.#signaling.problem();
  }

  #roomConns(): Map<string, RoomConn> {
    const conns: unknown = this.#provider?.room?.webrtcConns;
    return conns instanceof Map ? (conns as Map<string, RoomConn>) : new Map<string, RoomConn>();
  }

  /**
   * Destroys connection attempts stalled past STALLED_CONNECTION_MS (y-webrtc then announces
   * and tries again), and rebuilds the room of a peer alone for long, backing off.
   */
  #check(): void {
    if (!this.#provider || !this.#online) return;
    const now = this.#o.clock.now();
    for (const conn of this.#roomConns().values()) {
      if (conn.connected) continue;
      const since = this.#pendingSince.get(conn) ?? now;
      this.#pendingSince.set(conn, since);
      if (now - since > STALLED_CONNECTION_MS) conn.peer.destroy();
    }
    if (this.#o.links.size > 0) {
      this.#tryingSince = now;
      this.#aloneSince = now;
      this.#aloneRebuildMs = ISOLATION_REBUILD_MS;
    } else if (now - this.#aloneSince > this.#aloneRebuildMs && this.#relays.length > 0) {
      this.#aloneSince = now;
      this.#aloneRebuildMs = Math.min(this.#aloneRebuildMs * 2, ISOLATION_REBUILD_MAX_MS);
      void this.#rebuild();
    }
  }

  relayViews(): RelayView[] {
    const signaling = (this.#provider?.signalingConns ?? []) as Array<{
      url: string;
      connected: boolean;
    }>;
    return this.#relays.map((url) => ({
      url,
      connected: signaling.some((conn) => conn.url === url && conn.connected),
    }));
  }

  peerViews(): PeerView[] {
    const links = [...this.#o.links.values()];
    return [...this.#roomConns()].map(([id, conn]) => {
      // simple-peer keeps its data channel, our guarded one, as _channel.
      const link = links.find((l) => l === conn.peer._channel);
      return {
        id,
        state: conn.connected ? 'connected' : 'connecting',
        traffic: link ? { bytesIn: link.stats.bytesIn, bytesOut: link.stats.bytesOut } : null,
      };
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watchdog?.();
    await this.#change;
    await this.#close();
  }
}

/**
 * GPoW shows no presence. y-protocols gives every provider an awareness whose local state it
 * renews every 15 s, sent to every connected peer (and re-sent to each new one): an idle cost
 * that grows with the group. An awareness without a local state sends nothing of ours.
 */
export function silentAwareness(doc: Y.Doc): Awareness {
  const awareness = new Awareness(doc);
  awareness.setLocalState(null);
  return awareness;
}
