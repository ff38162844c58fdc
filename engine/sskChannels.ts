// The private channel with each SSK partner (shared/ssk/channel.ts: chat and files over WebRTC)
// in a y-webrtc room derived from the pair's current key, with what the UI shows of it: the
// messages, the transfers and their progress, the partner's connected devices. When the key is
// reset, the channel moves to the new room; its history stays.
import type { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';
import type { KeyHex, NetworkId } from '../shared/ids.ts';
import type { ClockPort, RandomPort } from '../shared/ports.ts';
import { guardWrtc, type WrtcLike } from '../shared/replication/guardedWrtc.ts';
import { screenChannelMessage } from '../shared/replication/screen.ts';
import {
  CHANNEL_ARRAY,
  channelRoomOf,
  FILE_CHUNK_BYTES,
  PrivateChannel,
  type ChannelEvent,
} from '../shared/ssk/channel.ts';
import type { SskKeyring } from '../shared/ssk/keyring.ts';
import { connectedIn, joinPrivateRoom, leavePrivateRoom } from './privateRoom.ts';
import type { Cancel, TimerPort } from './ports.ts';

/** How often channels are checked, and how long one may sit without a connection. */
const WATCH_MS = 3_000;
const ALONE_REBUILD_MS = 12_000;

export interface ChannelsHost {
  readonly me: KeyHex;
  readonly networkId: NetworkId;
  readonly keyring: SskKeyring;
  readonly clock: ClockPort;
  readonly random: RandomPort;
  readonly timers: TimerPort;
  /** The platform's WebRTC (guarded here with the channel screen). */
  readonly wrtc: WrtcLike;
  relays(): readonly string[];
  iceServers(): readonly unknown[];
  onChange(): void;
  onEvent?(partner: KeyHex, event: ChannelEvent): void;
}

export interface TransferView {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly direction: 'in' | 'out';
  readonly done: number;
  readonly total: number;
  readonly complete: boolean;
  /** A received file's bytes, once complete and checked. */
  readonly bytes?: Uint8Array;
}

export interface Conversation {
  readonly partner: KeyHex;
  readonly messages: ReadonlyArray<{
    readonly from: KeyHex;
    readonly text: string;
    readonly counter: number;
  }>;
  readonly transfers: readonly TransferView[];
  /** Devices of the partner connected to the channel's room now. */
  readonly connected: number;
  readonly refused: number;
}

interface OpenChannel {
  readonly doc: Y.Doc;
  readonly channel: PrivateChannel;
  readonly transfers: Map<string, TransferView>;
  provider: WebrtcProvider | null;
  room: string | null;
  refused: number;
  /** Since when (clock ms) the channel has had no open connection, or null. */
  aloneSince: number | null;
}

export class SskChannels {
  readonly #host: ChannelsHost;
  readonly #keyring: SskKeyring;
  readonly #wrtc: WrtcLike;
  readonly #channels = new Map<KeyHex, OpenChannel>();
  readonly #watch: Cancel;
  #closed = false;

  constructor(host: ChannelsHost) {
    this.#host = host;
    this.#keyring = host.keyring;
    this.#wrtc = guardWrtc(host.wrtc, {
      screen: (message) =>
        Promise.resolve(screenChannelMessage(message, CHANNEL_ARRAY, FILE_CHUNK_BYTES * 2)),
    });
    this.#watch = host.timers.every(WATCH_MS, () => this.#checkConnections());
  }

  /** Opens a channel for each of `partners`, each in the room of the pair's current key. */
  refresh(partners: readonly KeyHex[]): void {
    if (this.#closed) return;
    for (const partner of partners) this.#open(partner);
    this.#host.onChange();
  }

  #open(partner: KeyHex): OpenChannel {
    const keyring = this.#keyring;
    let open = this.#channels.get(partner);
    if (!open) {
      const doc = new Y.Doc();
      const transfers = new Map<string, TransferView>();
      const entry: OpenChannel = {
        doc,
        transfers,
        provider: null,
        room: null,
        refused: 0,
        aloneSince: null,
        channel: new PrivateChannel({
          doc,
          me: this.#host.me,
          other: partner,
          keyring,
          random: this.#host.random,
          clock: this.#host.clock,
          onEvent: (event) => this.#onEvent(partner, entry, event),
        }),
      };
      open = entry;
      this.#channels.set(partner, open);
    }
    this.#join(open, partner, keyring);
    return open;
  }

  /** Joins `open` to the room of the pair's current key, leaving the room of an older one. */
  #join(open: OpenChannel, partner: KeyHex, keyring: SskKeyring): void {
    const current = keyring.current(partner);
    if (!current.ok) return;
    const { room, password } = channelRoomOf(current.ssk.key, this.#host.networkId);
    if (open.room === room) return;
    leave(open);
    open.room = room;
    open.provider = joinPrivateRoom({
      room,
      password,
      doc: open.doc,
      wrtc: this.#wrtc,
      relays: this.#host.relays(),
      iceServers: this.#host.iceServers(),
      onPeers: () => this.#host.onChange(),
    });
  }

  /**
   * A channel whose room has had no open connection for a while is joined afresh: y-webrtc can
   * leave a connection attempt hanging forever (the main room has the same watchdog), and a
   * partner who is online would otherwise never receive what we queued for it. The messages
   * wait in the channel's document, so nothing is lost by rejoining.
   */
  #checkConnections(): void {
    const keyring = this.#keyring;
    const now = this.#host.clock.now();
    for (const [partner, open] of this.#channels) {
      if (connectedIn(open.provider) > 0 || !open.provider) {
        open.aloneSince = null;
        continue;
      }
      open.aloneSince ??= now;
      if (now - open.aloneSince < ALONE_REBUILD_MS) continue;
      open.aloneSince = now;
      open.room = null;
      this.#join(open, partner, keyring);
    }
  }

  /** The private channel with `partner`, joined to the room of the pair's current key. */
  channel(partner: KeyHex): PrivateChannel {
    return this.#open(partner).channel;
  }

  #onEvent(partner: KeyHex, open: OpenChannel, event: ChannelEvent): void {
    this.#host.onEvent?.(partner, event);
    switch (event.type) {
      case 'text':
        break;
      case 'file-offered':
        if (event.from !== this.#host.me) {
          open.transfers.set(event.id, {
            id: event.id,
            name: event.name,
            size: event.size,
            direction: 'in',
            done: 0,
            total: Math.max(1, Math.ceil(event.size / FILE_CHUNK_BYTES)),
            complete: false,
          });
        }
        break;
      case 'file-progress': {
        const transfer = open.transfers.get(event.id);
        if (transfer && transfer.direction === 'in')
          open.transfers.set(event.id, { ...transfer, done: event.received, total: event.total });
        break;
      }
      case 'file-complete': {
        const transfer = open.transfers.get(event.id);
        if (transfer && transfer.direction === 'in')
          open.transfers.set(event.id, { ...transfer, complete: true, bytes: event.bytes });
        break;
      }
      case 'refused':
        open.refused++;
        break;
    }
    this.#host.onChange();
  }

  sendText(partner: KeyHex, text: string): void {
    this.#open(partner).channel.sendText(text);
    this.#host.onChange();
  }

  /** Sends a file in sealed chunks; the sender's progress counts chunks handed to the room. */
  sendFile(partner: KeyHex, name: string, bytes: Uint8Array): string {
    const open = this.#open(partner);
    let progress = { done: 0, total: 1 };
    const id = open.channel.sendFile(name, bytes, (done, total) => (progress = { done, total }));
    open.transfers.set(id, {
      id,
      name,
      size: bytes.length,
      direction: 'out',
      ...progress,
      complete: progress.done === progress.total,
    });
    this.#host.onChange();
    return id;
  }

  conversation(partner: KeyHex): Conversation | null {
    const open = this.#channels.get(partner);
    if (!open) return null;
    return {
      partner,
      messages: open.channel.texts.map((t) => ({ from: t.from, text: t.text, counter: t.counter })),
      transfers: [...open.transfers.values()],
      connected: connectedIn(open.provider),
      refused: open.refused,
    };
  }

  /** Connected devices of each partner, for status displays. */
  connections(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [partner, open] of this.#channels) out[partner] = connectedIn(open.provider);
    return out;
  }

  close(): void {
    this.#closed = true;
    this.#watch();
    for (const open of this.#channels.values()) {
      leave(open);
      open.doc.destroy();
    }
    this.#channels.clear();
  }
}

/** Leaves the channel's room, if it is in one. */
function leave(open: OpenChannel): void {
  leavePrivateRoom(open.provider);
  open.provider = null;
}
