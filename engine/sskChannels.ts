// The private channel with each SSK partner (shared/ssk/channel.ts: chat and files over WebRTC)
// in a y-webrtc room derived from the pair's current key, with what the UI shows of it: the
// messages, the transfers and their progress, the partner's connected devices. When the key is
// reset, the channel moves to the new room; its history stays. What the channels carry is kept
// in a ChatLog (chatLog.ts), and through it on this device once a chat store is attached.
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
import { ChatLog, type ChatMessage, type TransferView } from './chatLog.ts';
import type { ChatRecord } from '../shared/ssk/chatRecords.ts';
import type { ChatStore } from './chatStore.ts';
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

export type { ChatMessage, TransferView } from './chatLog.ts';

export interface Conversation {
  readonly partner: KeyHex;
  /** In the order they came, with when and in what state. */
  readonly messages: readonly ChatMessage[];
  readonly transfers: readonly TransferView[];
  /** Devices of the partner connected to the channel's room now. */
  readonly connected: number;
  readonly refused: number;
  /** Why the history is not kept on this device, or what of it could not be read. */
  readonly problems: readonly string[];
}

interface OpenChannel {
  readonly doc: Y.Doc;
  readonly channel: PrivateChannel;
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
  readonly #log: ChatLog;
  readonly #watch: Cancel;
  #closed = false;

  constructor(host: ChannelsHost) {
    this.#host = host;
    this.#keyring = host.keyring;
    this.#log = new ChatLog(host.me, host.clock);
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
      const entry: OpenChannel = {
        doc,
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
    if (event.type === 'refused') open.refused++;
    else this.#log.channelEvent(partner, event);
    this.#host.onChange();
  }

  /** Sends a text; one that cannot go out is shown as failed, and the error is thrown. */
  sendText(partner: KeyHex, text: string): void {
    try {
      this.#open(partner).channel.sendText(text);
    } catch (error) {
      this.#log.failedText(partner, text, error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      this.#host.onChange();
    }
  }

  /** Sends a file in sealed chunks, all handed to the room at once. */
  sendFile(partner: KeyHex, name: string, bytes: Uint8Array): string {
    const open = this.#open(partner);
    let total = 1;
    const id = open.channel.sendFile(name, bytes, (_done, all) => (total = all));
    this.#log.fileSent(partner, id, name, bytes, total);
    this.#host.onChange();
    return id;
  }

  /**
   * Keeps the history in `store` from now on, starting from what it holds, and hands our texts
   * the partner may not have had to their channels again.
   */
  keepHistory(store: ChatStore, records: readonly ChatRecord[], problems: readonly string[]): void {
    if (this.#closed) return;
    for (const { partner, wire } of this.#log.attach(store, records, problems))
      this.#open(partner).channel.requeue(wire);
    this.#host.onChange();
  }

  /** The history could not be opened: say why beside every conversation. */
  historyNotKept(reason: string): void {
    this.#log.notKept(reason);
    this.#host.onChange();
  }

  conversation(partner: KeyHex): Conversation | null {
    const open = this.#channels.get(partner);
    if (!open) return null;
    const thread = this.#log.thread(partner);
    return {
      partner,
      messages: [...thread.messages],
      transfers: [...thread.transfers.values()],
      connected: connectedIn(open.provider),
      refused: open.refused,
      problems: this.#log.problems,
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
    this.#log.detach();
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
