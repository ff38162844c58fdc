// The SSK side of a running peer: sharing and revoking keys on the ledger, and one private
// channel per partner, carried by its own y-webrtc room derived from the pair's current key.
// When the key is reset, both sides move to the new room; the channel's history stays.
import wrtc from '@roamhq/wrtc';
import { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';
import type { KeyHex } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { ClockPort, RandomPort } from '../../shared/ports.ts';
import { guardWrtc, type WrtcLike } from '../../shared/replication/guardedWrtc.ts';
import { screenChannelMessage } from '../../shared/replication/screen.ts';
import {
  CHANNEL_ARRAY,
  FILE_CHUNK_BYTES,
  PrivateChannel,
  channelRoomOf,
  type ChannelEvent,
} from '../../shared/ssk/channel.ts';
import { SskDirectory } from '../../shared/ssk/directory.ts';
import { SskKeyring } from '../../shared/ssk/keyring.ts';

interface OpenChannel {
  readonly doc: Y.Doc;
  readonly channel: PrivateChannel;
  provider: WebrtcProvider | null;
  room: string | null;
  /** Since when (clock ms) the channel has had no open connection, or null. */
  aloneSince: number | null;
}

/** How often channels are checked, and how long one may sit without a connection. */
const WATCH_MS = 3_000;
const ALONE_REBUILD_MS = 12_000;

export interface SskChannelsOptions {
  readonly ledger: Ledger;
  readonly me: KeyHex;
  readonly secretKey: Uint8Array;
  readonly random: RandomPort;
  readonly clock: ClockPort;
  readonly relays: () => readonly string[];
  readonly iceServers: readonly unknown[];
  readonly onEvent: (partner: KeyHex, event: ChannelEvent) => void;
}

export class SskChannels {
  readonly directory: SskDirectory;
  readonly keyring: SskKeyring;
  readonly #o: SskChannelsOptions;
  readonly #channels = new Map<KeyHex, OpenChannel>();
  readonly #wrtc: WrtcLike;
  #closed = false;
  #watch: ReturnType<typeof setInterval> | null = null;

  constructor(options: SskChannelsOptions) {
    this.#o = options;
    this.directory = new SskDirectory(options.ledger);
    this.keyring = new SskKeyring(
      this.directory,
      options.ledger.networkId,
      options.me,
      options.secretKey,
      options.clock,
    );
    this.#wrtc = guardWrtc(wrtc as unknown as WrtcLike, {
      screen: (message) =>
        Promise.resolve(screenChannelMessage(message, CHANNEL_ARRAY, FILE_CHUNK_BYTES * 2)),
    });
    // Open (or move) channels as shares involving us become valid.
    options.ledger.onAccepted((tx) => {
      if (tx.type === 'ssk') queueMicrotask(() => this.refresh());
    });
    this.refresh();
    this.#watch = setInterval(() => this.#checkConnections(), WATCH_MS);
    this.#watch.unref();
  }

  /**
   * A channel whose room has had no open connection for a while is joined afresh: y-webrtc can
   * leave a connection attempt hanging forever (the main replication has the same watchdog),
   * and a partner who is online would otherwise never receive what we queued for it. The
   * messages wait in the channel's document, so nothing is lost by rejoining.
   */
  #checkConnections(): void {
    const now = this.#o.clock.now();
    for (const [partner, open] of this.#channels) {
      const conns = open.provider?.room?.webrtcConns;
      const connected = conns ? [...conns.values()].some((c) => c.connected) : false;
      if (connected || !open.provider) {
        open.aloneSince = null;
        continue;
      }
      open.aloneSince ??= now;
      if (now - open.aloneSince < ALONE_REBUILD_MS) continue;
      open.aloneSince = now;
      open.room = null;
      this.#join(open, partner);
    }
  }

  /** Opens a channel for every partner, and moves each to the room of its current key. */
  refresh(): void {
    if (this.#closed) return;
    for (const partner of this.directory.partnersOf(this.#o.me)) this.channel(partner);
  }

  /** The channel with `partner`, joined to the room of the pair's current key. */
  channel(partner: KeyHex): PrivateChannel {
    let open = this.#channels.get(partner);
    if (!open) {
      const doc = new Y.Doc();
      const channel = new PrivateChannel({
        doc,
        me: this.#o.me,
        other: partner,
        keyring: this.keyring,
        random: this.#o.random,
        clock: this.#o.clock,
        onEvent: (event) => this.#o.onEvent(partner, event),
      });
      open = { doc, channel, provider: null, room: null, aloneSince: null };
      this.#channels.set(partner, open);
    }
    this.#join(open, partner);
    return open.channel;
  }

  #join(open: OpenChannel, partner: KeyHex): void {
    const current = this.keyring.current(partner);
    if (!current.ok) return;
    const { room, password } = channelRoomOf(current.ssk.key, this.#o.ledger.networkId);
    if (open.room === room) return;
    open.provider?.disconnect();
    open.provider?.destroy();
    open.room = room;
    open.provider = new WebrtcProvider(room, open.doc, {
      signaling: [...this.#o.relays()],
      password,
      filterBcConns: false,
      // Our y-webrtc patch (patches/): no cross-tab channel. One window per profile holds the
      // only provider, and the channel re-encrypted every update and the whole doc on connect.
      broadcastChannel: false,
      peerOpts: { wrtc: this.#wrtc, config: { iceServers: this.#o.iceServers } },
    });
  }

  /** Number of connected partners' devices in each open channel, for status displays. */
  connections(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [partner, open] of this.#channels)
      out[partner] = open.provider?.room?.webrtcConns.size ?? 0;
    return out;
  }

  close(): void {
    this.#closed = true;
    if (this.#watch) clearInterval(this.#watch);
    for (const open of this.#channels.values()) {
      open.provider?.disconnect();
      open.provider?.destroy();
      open.doc.destroy();
    }
    this.#channels.clear();
  }
}
