// Sustainable Symmetric Keys, as every platform's engine runs them: sharing and revoking keys on
// the ledger, sealing and opening SSK fields (a request's sensitive details, a hand-made
// delivery, a private memo), and the private channel with each partner (shared/ssk/channel.ts:
// chat and files over WebRTC, in a y-webrtc room derived from the pair's current key). When
// the key is reset, both sides move to the new room; the channel's history stays.
//
// Opening a key box takes the identity's secret, which the engine never holds: the signer
// opens boxes for it when it can (EngineSigner.openSskBox). Without that, keys can still be
// shared (sealing needs only public keys), but nothing sealed can be read here, and the UI says
// so.
import { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';
import { fromUtf8, utf8 } from '../shared/bytes.ts';
import { keyHexOf, type KeyHex, type TxId } from '../shared/ids.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
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
import { SskDirectory } from '../shared/ssk/directory.ts';
import type { SskKeyring } from '../shared/ssk/keyring.ts';
import { composeSskRevoke, composeSskShare } from '../shared/ssk/share.ts';
import type { UnsignedTx } from '../shared/tx/envelope.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';
import { openFieldFrom, sealFieldFor, type FieldParty } from '../shared/ssk/keyringFields.ts';
import type { Rejection } from '../shared/tx/rejection.ts';
import { composeTransfer } from '../shared/wallet/compose.ts';
import type { Cancel, TimerPort } from './ports.ts';
import { OpenerKeyring, type SskOpener } from './sskKeyring.ts';

export { sskOpenerOf, type SskOpener } from './sskKeyring.ts';

/** How often channels are checked, and how long one may sit without a connection. */
const WATCH_MS = 3_000;
const ALONE_REBUILD_MS = 12_000;

/** What the session needs from the engine. */
export interface SskHost {
  readonly ledger: Ledger;
  readonly me: KeyHex;
  readonly opener: SskOpener | null;
  readonly clock: ClockPort;
  readonly random: RandomPort;
  readonly timers: TimerPort;
  /** The platform's WebRTC (the session guards it with the channel screen). */
  readonly wrtc: WrtcLike;
  /** Join each partner's channel room (default); false keeps to ledger fields (tests). */
  readonly channels?: boolean;
  relays(): readonly string[];
  iceServers(): readonly unknown[];
  act<T extends { ok: true; tx: UnsignedTx }>(
    compose: (ledger: Ledger, me: KeyHex) => T | { ok: false; rejection: Rejection } | null,
  ): Promise<{ composed: T; tx: VerifiedTx } | null>;
  onChange(): void;
  /** Everything a channel reports (texts, files, refusals), for logs and notifications. */
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

export class SskSession {
  readonly directory: SskDirectory;
  /** Null when the signer cannot open key boxes here. */
  readonly keyring: SskKeyring | null;
  readonly #host: SskHost;
  readonly #wrtc: WrtcLike;
  readonly #channels = new Map<KeyHex, OpenChannel>();
  readonly #unsubscribe: () => void;
  readonly #watch: Cancel;
  #closed = false;

  constructor(host: SskHost) {
    this.#host = host;
    this.directory = new SskDirectory(host.ledger);
    this.keyring = host.opener
      ? new OpenerKeyring(this.directory, host.ledger.networkId, host.me, host.clock, host.opener)
      : null;
    this.#wrtc = guardWrtc(host.wrtc, {
      screen: (message) =>
        Promise.resolve(screenChannelMessage(message, CHANNEL_ARRAY, FILE_CHUNK_BYTES * 2)),
    });
    // A share that becomes valid opens (or moves) that partner's channel.
    this.#unsubscribe = host.ledger.onAccepted((tx) => {
      if (tx.type === 'ssk') host.timers.after(0, () => this.refresh());
    });
    this.refresh();
    this.#watch = host.timers.every(WATCH_MS, () => this.#checkConnections());
  }

  get canOpen(): boolean {
    return this.keyring !== null;
  }

  /** Everyone this identity shares a key with. */
  partners(): KeyHex[] {
    return this.directory.partnersOf(this.#host.me);
  }

  /** The pair's current key: its epoch and share, or why there is none. */
  current(partner: KeyHex): { epoch: number; id: TxId } | null {
    const share = this.directory.current(this.#host.me, partner);
    return share ? { epoch: share.epoch, id: share.id } : null;
  }

  /** Shares a fresh key with `to` (or resets the one we share: the next epoch). */
  async share(
    to: KeyHex,
    purpose = 'messages',
    expires?: number,
  ): Promise<{ id: TxId; epoch: number }> {
    const done = await this.#host.act((ledger, from) =>
      composeSskShare(
        ledger,
        this.directory,
        {
          from,
          to,
          purpose,
          time: this.#host.clock.now(),
          ...(expires !== undefined ? { expires } : {}),
        },
        this.#host.random,
      ),
    );
    if (!done) throw new Error('the key could not be shared');
    return { id: done.tx.id, epoch: done.composed.epoch };
  }

  async revoke(to: KeyHex): Promise<{ id: TxId; epoch: number }> {
    const done = await this.#host.act((ledger, from) =>
      composeSskRevoke(ledger, this.directory, from, to, this.#host.clock.now()),
    );
    if (!done) throw new Error('the key could not be revoked');
    return { id: done.tx.id, epoch: done.composed.epoch };
  }

  /** Seals `plaintext` for `to` with the pair's current key, bound to `label`. */
  sealFor(to: KeyHex, label: string, plaintext: Uint8Array): Uint8Array {
    return sealFieldFor(
      this.#party(this.#requireKeyring()),
      to,
      label,
      plaintext,
      this.#host.random,
    );
  }

  /** Opens a field `sender` sealed for `recipient` (one of them is us), or null. */
  openSealed(
    sender: KeyHex,
    recipient: KeyHex,
    label: string,
    sealed: Uint8Array,
  ): Uint8Array | null {
    return this.keyring
      ? openFieldFrom(this.#party(this.keyring), sender, recipient, label, sealed)
      : null;
  }

  #party(keyring: SskKeyring): FieldParty {
    return { keyring, network: this.#host.ledger.networkId, me: this.#host.me };
  }

  /** A payment whose memo is sealed with the pair's key: only the two can read it. */
  async transferWithPrivateMemo(to: KeyHex, amount: bigint, memo: string): Promise<VerifiedTx> {
    const sealed = this.sealFor(to, 'memo', utf8(memo));
    const done = await this.#host.act((ledger, from) =>
      composeTransfer(ledger, { from, to, amount, time: this.#host.clock.now(), memo: sealed }),
    );
    if (!done) throw new Error('the payment could not be composed');
    return done.tx;
  }

  /** The private memo of a transfer we sent or received, or null. */
  readPrivateMemo(tx: VerifiedTx): string | null {
    if (tx.type !== 'transfer') return null;
    const body = tx.body as { to: Uint8Array; memo?: Uint8Array };
    if (!body.memo) return null;
    const opened = this.openSealed(tx.author, keyHexOf(body.to), 'memo', body.memo);
    return opened ? fromUtf8(opened) : null;
  }

  /** Shares a key with `to` first when the pair has none yet ("the request brings one"). */
  async ensureKey(to: KeyHex, purpose: string): Promise<void> {
    if (!this.#requireKeyring().current(to).ok) await this.share(to, purpose);
  }

  #requireKeyring(): SskKeyring {
    if (!this.keyring) throw new Error('this identity cannot open shared keys here');
    return this.keyring;
  }

  // ---- the private channel --------------------------------------------------------------

  /** Opens a channel for every partner, each in the room of the pair's current key. */
  refresh(): void {
    if (this.#closed || !this.keyring || this.#host.channels === false) return;
    for (const partner of this.partners()) this.#open(partner);
    this.#host.onChange();
  }

  #open(partner: KeyHex): OpenChannel | null {
    const keyring = this.keyring;
    if (!keyring) return null;
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
    const { room, password } = channelRoomOf(current.ssk.key, this.#host.ledger.networkId);
    if (open.room === room) return;
    open.provider?.disconnect();
    open.provider?.destroy();
    open.room = room;
    open.provider = new WebrtcProvider(room, open.doc, {
      signaling: [...this.#host.relays()],
      password,
      filterBcConns: false,
      // Our y-webrtc patch (patches/): no cross-tab channel. One window or process per home
      // holds the only provider, and the channel re-encrypted every update and the whole doc.
      broadcastChannel: false,
      peerOpts: { wrtc: this.#wrtc, config: { iceServers: [...this.#host.iceServers()] } },
    });
    open.provider.on('peers', () => this.#host.onChange());
  }

  /**
   * A channel whose room has had no open connection for a while is joined afresh: y-webrtc can
   * leave a connection attempt hanging forever (the main room has the same watchdog), and a
   * partner who is online would otherwise never receive what we queued for it. The messages
   * wait in the channel's document, so nothing is lost by rejoining.
   */
  #checkConnections(): void {
    const keyring = this.keyring;
    if (!keyring) return;
    const now = this.#host.clock.now();
    for (const [partner, open] of this.#channels) {
      if (connectedIn(open) > 0 || !open.provider) {
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
    const open = this.#open(partner);
    if (!open) throw new Error('this identity cannot open shared keys here');
    return open.channel;
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
    const open = this.#open(partner);
    if (!open) throw new Error('this identity cannot open shared keys here');
    open.channel.sendText(text);
    this.#host.onChange();
  }

  /** Sends a file in sealed chunks; the sender's progress counts chunks handed to the room. */
  sendFile(partner: KeyHex, name: string, bytes: Uint8Array): string {
    const open = this.#open(partner);
    if (!open) throw new Error('this identity cannot open shared keys here');
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
      connected: connectedIn(open),
      refused: open.refused,
    };
  }

  /** Connected devices of each partner, for status displays. */
  connections(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [partner, open] of this.#channels) out[partner] = connectedIn(open);
    return out;
  }

  close(): void {
    this.#closed = true;
    this.#watch();
    this.#unsubscribe();
    for (const open of this.#channels.values()) {
      open.provider?.disconnect();
      open.provider?.destroy();
      open.doc.destroy();
    }
    this.#channels.clear();
  }
}

/** Devices of the partner connected to the channel's room now. */
function connectedIn(open: OpenChannel): number {
  const conns: unknown = open.provider?.room?.webrtcConns;
  if (!(conns instanceof Map)) return 0;
  return [...(conns as Map<string, { connected: boolean }>).values()].filter((c) => c.connected)
    .length;
}
