// The engine (engine/peer.ts) as the app runs it, in the browser and in the desktop app's
// renderer: the browser's own WebRTC, the IndexedDB log (or the bridge's file log on the
// desktop), WebCrypto for signatures, and the signer the platform gives (the in-page vault, or
// the main process through the bridge). A page cannot run a relay of its own.
import type { ClockPort } from '../../shared/ports.ts';
import type { LogStore } from '../../shared/storage/port.ts';
import type { WrtcLike } from '../../shared/replication/guardedWrtc.ts';
import { PeerEngine, type EngineStatus } from '../../engine/peer.ts';
import { keepChats, type ChatKeeping } from '../../engine/chatKeeper.ts';
import type { EngineEvent } from '../../engine/events.ts';
import type { IceServer } from '../../engine/connection.ts';
import type { DeviceSetup } from '../../engine/devices.ts';
import type { KeyHex, NetworkId } from '../../shared/ids.ts';
import type { TicketRecord } from '../../shared/net/tickets.ts';
import { webRandom } from '../platform/webRandom.ts';
import { webTimers } from '../platform/webTimers.ts';
import { webVerify } from '../platform/webVerify.ts';
import type { TxSigner } from './signer.ts';

export type { IceServer } from '../../engine/connection.ts';
export type { PeerView, RelayView } from '../../engine/connection.ts';
export type { Progress } from '../../engine/events.ts';
export type { DeviceSetup, DeviceView, PairingGrant } from '../../engine/devices.ts';
export type { TicketView } from '../../engine/door.ts';
export { EngineError, messageOf } from '../../engine/events.ts';

export interface RuntimeOptions {
  readonly networkId: NetworkId;
  /** The join secret: the y-webrtc room password. */
  readonly secret: string;
  readonly relays: readonly string[];
  readonly iceServers: readonly IceServer[];
  readonly store: LogStore;
  /** Where the replication doc is kept across reloads (engine/replica.ts); optional. */
  readonly replica?: LogStore;
  /**
   * Where the private channels' history is kept, encrypted (engine/chatStore.ts); optional.
   * The runtime closes it.
   */
  readonly chats?: LogStore;
  /** The platform's WebRTC: the browser's own RTCPeerConnection. */
  readonly wrtc: WrtcLike;
  /** Null when this identity cannot sign here: the runtime then only follows the ledger. */
  readonly signer: TxSigner | null;
  /** This profile's chain is a device of an identity (docs/protocol.md §12): how it joins. */
  readonly device?: DeviceSetup;
  readonly clock: ClockPort;
  /** Milliseconds a witness waits after a change before voting (engine/timing.ts). */
  readonly voteDelayMs?: number;
  /** Transactions between two checkpoints a witness proposes (engine/timing.ts); 0: none. */
  readonly checkpointEvery?: number;
  /** False keeps SSK to ledger fields, with no private channel rooms (tests). */
  readonly sskChannels?: boolean;
  /** Called, at most every CHANGE_INTERVAL_MS, after the ledger or a connection changed. */
  readonly onChange: () => void;
  readonly onNotice?: (notice: RuntimeNotice) => void;
  /** The network rotated its join secret (§13.8): keep it, so a reload joins the new room. */
  readonly onSecret?: (secret: string) => void;
  /** The single-use and time-limited invitations this home gave out, as last kept (§13.9). */
  readonly tickets?: readonly TicketRecord[];
  /** They changed (one made, used or withdrawn): keep them where the join secret is kept. */
  readonly onTickets?: (records: readonly TicketRecord[]) => void;
  /** Someone knocked at the door of one of them. */
  readonly onKnock?: (knock: {
    readonly ticket: string;
    readonly outcome: 'granted' | 'refused';
    readonly who: KeyHex | null;
  }) => void;
}

export type RuntimeNotice =
  | { readonly kind: 'cleaned'; readonly key: string; readonly reason: string }
  | { readonly kind: 'hostile'; readonly link: number; readonly reason: string }
  | { readonly kind: 'warning'; readonly message: string };

export type RuntimeStatus = EngineStatus;

/** What the UI hears of the engine's events: refusals and warnings. */
function noticeOf(event: EngineEvent): RuntimeNotice | null {
  if (event.type === 'cleaned') return { kind: 'cleaned', key: event.key, reason: event.reason };
  if (event.type === 'peer-hostile')
    return { kind: 'hostile', link: event.link, reason: event.reason };
  if (event.type === 'warning') return { kind: 'warning', message: event.message };
  return null;
}

export class NetworkRuntime extends PeerEngine {
  readonly runtimeOptions: RuntimeOptions;
  readonly #chats: ChatKeeping | null;

  constructor(options: RuntimeOptions) {
    super(
      {
        clock: options.clock,
        timers: webTimers,
        random: webRandom,
        store: options.store,
        ...(options.replica ? { replica: options.replica } : {}),
        wrtc: options.wrtc,
        signer: options.signer,
        verify: webVerify(),
      },
      {
        networkId: options.networkId,
        secret: options.secret,
        relays: options.relays,
        iceServers: options.iceServers,
        ...(options.voteDelayMs !== undefined ? { voteDelayMs: options.voteDelayMs } : {}),
        ...(options.checkpointEvery !== undefined
          ? { checkpointEvery: options.checkpointEvery }
          : {}),
        ...(options.sskChannels !== undefined ? { sskChannels: options.sskChannels } : {}),
        ...(options.device !== undefined ? { device: options.device } : {}),
        ...(options.tickets !== undefined ? { tickets: options.tickets } : {}),
        onChange: options.onChange,
        onEvent: (event) => {
          if (event.type === 'join-secret') options.onSecret?.(event.secret);
          if (event.type === 'tickets') options.onTickets?.(event.records);
          if (event.type === 'knock') {
            const { ticket, outcome, who } = event;
            options.onKnock?.({ ticket, outcome, who });
          }
          const notice = noticeOf(event);
          if (notice) options.onNotice?.(notice);
        },
      },
    );
    this.runtimeOptions = options;
    this.#chats = options.chats
      ? keepChats(this, options.chats, (message) =>
          options.onNotice?.({ kind: 'warning', message }),
        )
      : null;
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#chats?.close();
  }
}
