// The snapshot room (docs/protocol.md §14.10): peers that hold the state of a certified
// checkpoint offer it there, and a newcomer takes it instead of replaying the history before it.
// The room sits beside the network's, with the same password, and its doc is untrusted: the
// screen lets in only binary entries of one map, bounded in size, and a newcomer checks what it
// takes (engine/fastForward.ts).
//
// Holders write only what the doc lacks or holds differently, so a newcomer receives one copy
// whatever the number of holders. A holder removes older offers; one that has not learnt of a
// newer checkpoint yet puts its own back, which is why it looks again at most every KEEP_MS.
import type { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';
import { bytesEqual } from '../shared/bytes.ts';
import type { NetworkId } from '../shared/ids.ts';
import { roomNameOf } from '../shared/net/invitation.ts';
import { guardWrtc, type WrtcLike } from '../shared/replication/guardedWrtc.ts';
import { screenChannelMessage } from '../shared/replication/screen.ts';
import {
  MAX_SNAPSHOT_ENTRIES,
  MAX_SNAPSHOT_ENTRY_BYTES,
  MAX_SNAPSHOT_STATE_BYTES,
  GENESIS_KEY,
  offeredSnapshots,
  offerEntries,
  SNAPSHOT_MAP,
  snapshotRoomOf,
  staleKeys,
  type OfferedSnapshot,
  type SnapshotOffer,
} from '../shared/replication/snapshotDoc.ts';
import type { Cancel, TimerPort } from './ports.ts';
import { connectedIn, joinPrivateRoom, leavePrivateRoom } from './privateRoom.ts';

/** How long a newcomer waits for a holder's answer before it takes the history instead. */
export const FETCH_WAIT_MS = 10_000;
/** A holder puts its offer right at most this often (see the header). */
export const KEEP_MS = 5_000;
const ORIGIN = 'gpow-snapshot';

export interface SnapshotRoomHost {
  readonly networkId: NetworkId;
  readonly wrtc: WrtcLike;
  readonly timers: TimerPort;
  /** The network's join secret now: the room's password. */
  secret(): string;
  /** Whether the peer is online: offline, it sits in no room (engine/connection.ts). */
  online(): boolean;
  relays(): readonly string[];
  iceServers(): readonly unknown[];
  warn(message: string): void;
}

export class SnapshotRoom {
  readonly #host: SnapshotRoomHost;
  readonly #wrtc: WrtcLike;
  readonly #doc = new Y.Doc();
  readonly #map = this.#doc.getMap<unknown>(SNAPSHOT_MAP);
  #provider: WebrtcProvider | null = null;
  /** What the room was joined with: a change of either joins it again. */
  #joined = '';
  /** Whether this peer sits in the room (serve, offer or fetch asked it to). */
  #wanted = false;
  #offer: SnapshotOffer | null = null;
  #keepTimer: Cancel | null = null;
  #flooded = false;
  readonly #answered: Array<() => void> = [];
  /** Hears of the genesis a holder offers (a newcomer that has no network yet listens). */
  #onGenesis: ((bytes: Uint8Array) => void) | null = null;

  constructor(host: SnapshotRoomHost) {
    this.#host = host;
    this.#wrtc = guardWrtc(host.wrtc, {
      poll: (callback, ms) => host.timers.after(ms, callback),
      screen: (message) =>
        Promise.resolve(screenChannelMessage(message, SNAPSHOT_MAP, MAX_SNAPSHOT_ENTRY_BYTES)),
      // A link's answer (its whole doc) was handed on; Yjs applies it before the next turn.
      onDelivered: (verdict) => {
        if (verdict.kind === 'sync-step2')
          host.timers.after(0, () => this.#answered.splice(0).forEach((f) => f()));
      },
    });
    this.#map.observe((event) => {
      if (event.transaction.origin === ORIGIN) return;
      this.#keepSoon();
      if (event.keysChanged.has(GENESIS_KEY)) this.#genesisOffered();
    });
  }

  /** Sits in the room (a witness does, so that a newcomer hears at once when none is offered). */
  serve(): void {
    this.#join();
  }

  /** Offers a certified checkpoint's state: writes what the doc lacks of it. */
  offer(offer: SnapshotOffer): void {
    const fits =
      offer.state.length <= MAX_SNAPSHOT_STATE_BYTES &&
      offer.certificate.length <= MAX_SNAPSHOT_ENTRY_BYTES;
    if (!fits || (this.#offer && this.#offer.n >= offer.n)) return;
    this.#offer = offer;
    this.#join();
    this.#keep();
  }

  /** The checkpoint number offered by this peer, if any. */
  get offered(): number | null {
    return this.#offer?.n ?? null;
  }

  /**
   * What the room offers, once the first link's answer came, or after `waitMs` without one
   * (then what came so far). Untrusted: the newcomer checks it (engine/fastForward.ts).
   */
  fetch(waitMs = FETCH_WAIT_MS): Promise<OfferedSnapshot[]> {
    this.#join();
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        cancel();
        resolve(this.offers());
      };
      const cancel = this.#host.timers.after(waitMs, finish);
      this.#answered.push(finish);
    });
  }

  /** Hears of the genesis offered in the room (untrusted bytes: the listener checks them). */
  onGenesis(listener: ((bytes: Uint8Array) => void) | null): void {
    this.#onGenesis = listener;
    this.#genesisOffered();
  }

  #genesisOffered(): void {
    const bytes = this.#map.get(GENESIS_KEY);
    if (this.#onGenesis && bytes instanceof Uint8Array && !this.#flooded) this.#onGenesis(bytes);
  }

  /** Whether a holder offers the network's genesis here (see onGenesis). */
  get genesisOffered(): boolean {
    return this.#map.get(GENESIS_KEY) instanceof Uint8Array && !this.#flooded;
  }

  /** What the room offers now. */
  offers(): OfferedSnapshot[] {
    return this.#flooded ? [] : offeredSnapshots(this.#map.entries());
  }

  /** Whether a link of this room is open. */
  get linked(): boolean {
    return connectedIn(this.#provider) > 0;
  }

  /** Leaves the room; an offer made later joins it again. */
  close(): void {
    this.#keepTimer?.();
    this.#keepTimer = null;
    this.#wanted = false;
    this.#joined = '';
    leavePrivateRoom(this.#provider);
    this.#provider = null;
  }

  /**
   * Follows the peer's connection: joins again with the relays and secret it uses now, or
   * leaves while it is offline (a peer set offline, or moved to other relays, must not stay
   * reachable through this room).
   */
  refresh(): void {
    if (this.#wanted) this.#join();
  }

  #join(): void {
    this.#wanted = true;
    const password = this.#host.secret();
    const relays = this.#host.relays();
    const joined = this.#host.online() ? JSON.stringify([password, relays]) : '';
    if (joined === this.#joined) return;
    leavePrivateRoom(this.#provider);
    this.#provider = null;
    this.#joined = joined;
    if (joined === '') return;
    this.#provider = joinPrivateRoom({
      room: snapshotRoomOf(roomNameOf(this.#host.networkId)),
      password,
      doc: this.#doc,
      wrtc: this.#wrtc,
      relays,
      iceServers: this.#host.iceServers(),
    });
  }

  #keepSoon(): void {
    if (!this.#offer || this.#keepTimer) return;
    this.#keepTimer = this.#host.timers.after(KEEP_MS, () => {
      this.#keepTimer = null;
      this.#keep();
    });
  }

  /** Puts right what the doc holds of our offer, and removes older offers and foreign keys. */
  #keep(): void {
    const offer = this.#offer;
    if (!offer) return;
    if (this.#map.size > MAX_SNAPSHOT_ENTRIES) {
      if (!this.#flooded)
        this.#host.warn(
          `The snapshot room holds more than ${MAX_SNAPSHOT_ENTRIES} entries, more than honest peers write: this peer no longer reads it, and newcomers take the history instead.`,
        );
      this.#flooded = true;
      return;
    }
    const stale = staleKeys(this.#map.keys(), offer.n);
    const missing = [...offerEntries(offer)].filter(([key, value]) => {
      const held = this.#map.get(key);
      return !(held instanceof Uint8Array) || !bytesEqual(held, value);
    });
    if (stale.length === 0 && missing.length === 0) return;
    this.#doc.transact(() => {
      for (const key of stale) this.#map.delete(key);
      for (const [key, value] of missing) this.#map.set(key, value);
    }, ORIGIN);
  }
}
