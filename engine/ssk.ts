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
import { fromUtf8, utf8 } from '../shared/bytes.ts';
import { keyHexOf, type KeyHex, type TxId } from '../shared/ids.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import type { ClockPort, RandomPort } from '../shared/ports.ts';
import type { WrtcLike } from '../shared/replication/guardedWrtc.ts';
import type { ChannelEvent, PrivateChannel } from '../shared/ssk/channel.ts';
import { SskDirectory } from '../shared/ssk/directory.ts';
import type { SskKeyring } from '../shared/ssk/keyring.ts';
import { composeSskRevoke, composeSskShare } from '../shared/ssk/share.ts';
import type { UnsignedTx } from '../shared/tx/envelope.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';
import { openFieldFrom, sealFieldFor, type FieldParty } from '../shared/ssk/keyringFields.ts';
import type { Rejection } from '../shared/tx/rejection.ts';
import { composeTransfer } from '../shared/wallet/compose.ts';
import type { TimerPort } from './ports.ts';
import { OpenerKeyring, type SskOpener } from './sskKeyring.ts';
import { SskChannels, type Conversation } from './sskChannels.ts';
import type { ChatRecord } from '../shared/ssk/chatRecords.ts';
import type { ChatStore } from './chatStore.ts';

export type { ChatMessage, Conversation, TransferView } from './sskChannels.ts';

export { sskOpenerOf, type SskOpener } from './sskKeyring.ts';

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

export class SskSession {
  readonly directory: SskDirectory;
  /** Null when the signer cannot open key boxes here. */
  readonly keyring: SskKeyring | null;
  readonly #host: SskHost;
  /** Null without a keyring, or when the host keeps to ledger fields (no rooms). */
  readonly #channels: SskChannels | null;
  readonly #unsubscribe: () => void;

  constructor(host: SskHost) {
    this.#host = host;
    this.directory = new SskDirectory(host.ledger);
    this.keyring = host.opener
      ? new OpenerKeyring(this.directory, host.ledger.networkId, host.me, host.clock, host.opener)
      : null;
    this.#channels =
      this.keyring && host.channels !== false
        ? new SskChannels({
            me: host.me,
            networkId: host.ledger.networkId,
            keyring: this.keyring,
            clock: host.clock,
            random: host.random,
            timers: host.timers,
            wrtc: host.wrtc,
            relays: () => host.relays(),
            iceServers: () => host.iceServers(),
            onChange: () => host.onChange(),
            ...(host.onEvent
              ? { onEvent: (partner, event) => host.onEvent?.(partner, event) }
              : {}),
          })
        : null;
    // A share that becomes valid opens (or moves) that partner's channel.
    this.#unsubscribe = host.ledger.onAccepted((tx) => {
      if (tx.type === 'ssk') host.timers.after(0, () => this.refresh());
    });
    this.refresh();
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

  /** Opens (or moves) the channel with every partner, when keys can be opened here. */
  refresh(): void {
    this.#channels?.refresh(this.partners());
  }

  /** The private channel with `partner`, joined to the room of the pair's current key. */
  channel(partner: KeyHex): PrivateChannel {
    return this.#requireChannels().channel(partner);
  }

  sendText(partner: KeyHex, text: string): void {
    this.#requireChannels().sendText(partner, text);
  }

  /** Sends a file in sealed chunks; the sender's progress counts chunks handed to the room. */
  sendFile(partner: KeyHex, name: string, bytes: Uint8Array): string {
    return this.#requireChannels().sendFile(partner, name, bytes);
  }

  conversation(partner: KeyHex): Conversation | null {
    return this.#channels?.conversation(partner) ?? null;
  }

  /** Connected devices of each partner, for status displays. */
  connections(): Record<string, number> {
    return this.#channels?.connections() ?? {};
  }

  /** Keeps the channels' history in `store` from now on (chatKeeper.ts attaches it). */
  keepHistory(store: ChatStore, records: readonly ChatRecord[], problems: readonly string[]): void {
    this.#channels?.keepHistory(store, records, problems);
  }

  /** The kept history could not be opened: every conversation says why. */
  historyNotKept(reason: string): void {
    this.#channels?.historyNotKept(reason);
  }

  #requireChannels(): SskChannels {
    if (!this.#channels) throw new Error('this identity cannot open shared keys here');
    return this.#channels;
  }

  close(): void {
    this.#unsubscribe();
    this.#channels?.close();
  }
}
