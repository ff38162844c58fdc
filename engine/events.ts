// What the engine is configured with, and what it tells the platform.
import type { TicketRecord } from '../shared/net/tickets.ts';
import type { DeviceSetup } from './devices.ts';
import type { KeyHex, NetworkId, TxId } from '../shared/ids.ts';
import type { ChannelEvent } from '../shared/ssk/channel.ts';
import type { UnsignedTx } from '../shared/tx/envelope.ts';
import type { Rejection } from '../shared/tx/rejection.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import type { BudgetStatus } from '../shared/wallet/budget.ts';
import type { IceServer, PeerView, RelayView } from './connection.ts';
import type { CheckpointStatus } from './checkpointStatus.ts';

export interface EngineOptions {
  readonly networkId: NetworkId;
  /** The join secret: the y-webrtc room password. */
  readonly secret: string;
  /** Signaling relays to join the room through. */
  readonly relays: readonly string[];
  /** STUN/TURN servers: none by default, so nothing leaves the LAN unless configured. */
  readonly iceServers?: readonly IceServer[];
  /** Vote when the identity is one of the network's witnesses (default true). */
  readonly witness?: boolean;
  /** Milliseconds a witness waits after a change before voting (engine/timing.ts). */
  readonly voteDelayMs?: number;
  /** Transactions between two checkpoints a witness proposes (engine/timing.ts); 0: none. */
  readonly checkpointEvery?: number;
  /**
   * False keeps this peer out of the snapshot room: as a newcomer it takes the whole history,
   * and it offers no state (engine/fastForward.ts).
   */
  readonly snapshots?: boolean;
  /**
   * Keeps the whole history replicating: the network's room (epoch 0) stays open beside the
   * current epoch, for members that join without a snapshot (engine/epochs.ts). Such a peer
   * takes no snapshot itself.
   */
  readonly archive?: boolean;
  /**
   * False keeps the whole log. By default a peer drops from its log what a certified checkpoint
   * covers, keeping the user's own records and history, so a start reads the state and the tail
   * only (engine/pruning.ts). An archive never prunes.
   */
  readonly prune?: boolean;
  /** Records a prune must drop before it rewrites the log (PRUNE_MIN_RECORDS by default). */
  readonly pruneAfter?: number;
  /** False keeps SSK to ledger fields: no private channel rooms are joined (tests). */
  readonly sskChannels?: boolean;
  /** False to read the log and act on it without joining the room (offline commands). */
  readonly connect?: boolean;
  /** Every event, as it happens. */
  readonly onEvent?: (event: EngineEvent) => void;
  /** Something changed (ledger, connections, progress), at most every CHANGE_INTERVAL_MS. */
  readonly onChange?: () => void;
  /** This home's chain is a device of an identity: how it certifies itself (engine/devices.ts). */
  readonly device?: DeviceSetup;
  /** The tickets this home gave out (§13.9), as the platform kept them from `tickets` events. */
  readonly tickets?: readonly TicketRecord[];
}

export interface Progress {
  readonly done: number;
  readonly total: number;
}

export type EngineEvent =
  | { readonly type: 'ready'; readonly transactions: number }
  | { readonly type: 'genesis'; readonly networkId: NetworkId }
  /** A newcomer started from the state of certified checkpoint `n` (engine/fastForward.ts). */
  | { readonly type: 'fast-forward'; readonly n: number }
  /** The peer moved to the replication room of certified checkpoint n (engine/epochs.ts). */
  | { readonly type: 'epoch'; readonly n: number }
  /** The log dropped what certified checkpoint n covers, keeping `kept` records (pruning.ts). */
  | { readonly type: 'pruned'; readonly n: number; readonly dropped: number; readonly kept: number }
  | { readonly type: 'peer-hostile'; readonly link: number; readonly reason: string }
  | { readonly type: 'peers'; readonly count: number }
  | { readonly type: 'sync-progress'; readonly done: number; readonly total: number }
  | {
      readonly type: 'receiving';
      readonly link: number;
      /** Frames of the message arriving (an answer comes in pieces of about 2 MiB). */
      readonly received: number;
      readonly total: number;
    }
  | {
      /** The whole sync's progress, in entries held of those the answering member holds. */
      readonly type: 'sync-received';
      readonly done: number;
      readonly total: number;
    }
  | { readonly type: 'cleaned'; readonly key: string; readonly reason: string }
  | { readonly type: 'restored'; readonly id: TxId }
  | { readonly type: 'warning'; readonly message: string }
  /** A rotated join secret this peer now uses (§13.8): the platform keeps it. */
  | { readonly type: 'join-secret'; readonly secret: string; readonly generation: number }
  /** The tickets changed (one made, used or withdrawn): the platform keeps them (§13.9). */
  | { readonly type: 'tickets'; readonly records: readonly TicketRecord[] }
  /** Someone knocked at the door of a ticket this peer gave out. */
  | {
      readonly type: 'knock';
      readonly ticket: string;
      readonly outcome: 'granted' | 'refused';
      readonly who: KeyHex | null;
    }
  | { readonly type: 'channel'; readonly partner: KeyHex; readonly event: ChannelEvent };

/** A sentence for the person, and the rule that refused, when one did. */
export class EngineError extends Error {
  override name = 'EngineError';
  readonly rejection?: Rejection;
  constructor(message: string, rejection?: Rejection) {
    super(message);
    if (rejection) this.rejection = rejection;
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Composes one of our transactions from the ledger; null when there is nothing to do. */
export type Compose<T extends { ok: true; tx: UnsignedTx } = { ok: true; tx: UnsignedTx }> = (
  ledger: Ledger,
  me: KeyHex,
) => T | { ok: false; rejection: Rejection } | null;

export interface EngineStatus {
  readonly networkId: NetworkId;
  readonly address: KeyHex | null;
  readonly online: boolean;
  readonly relays: readonly RelayView[];
  /** Open connections to other peers of the room. */
  readonly peers: number;
  /** Every connection of the room, open or being made. */
  readonly connections: readonly PeerView[];
  /** The open connections' traffic. */
  readonly links: ReadonlyArray<{
    id: number;
    bytesIn: number;
    bytesOut: number;
    messagesIn: number;
  }>;
  /** A full copy of some peer's ledger arrived since joining the room. */
  readonly synced: boolean;
  /** Set while the saved log is read back. */
  readonly loading: Progress | null;
  /** Set while a large message from a peer is arriving. */
  readonly receiving: Progress | null;
  /** Set while a large batch of entries is checked into the ledger. */
  readonly checking: Progress | null;
  readonly counts: ReturnType<Ledger['counts']> | null;
  /** The latest certified checkpoint and those pending (§14); null before the genesis. */
  readonly checkpoints: CheckpointStatus | null;
  /** The certified checkpoint this peer started from, when it did: no history before it here. */
  readonly base: number | null;
  /** The writing budget and who is near its end (§15); null without a genesis or a budget. */
  readonly budget: BudgetStatus | null;
  /**
   * The replication epochs this peer is in (§14.11), lowest first: the number of the certified
   * checkpoint each follows (0: the network's room, before any).
   */
  readonly epochs: readonly number[];
  /** Sentences for what keeps this peer from working normally (see problems()). */
  readonly problems: readonly string[];
}
