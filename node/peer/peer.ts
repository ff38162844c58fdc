// The headless peer: the engine (engine/peer.ts) on Node's ports, with the signaling relay every
// `gpow run` serves. Node's adapters: @roamhq/wrtc for WebRTC, the file log for storage, worker
// threads for signature checks, the OS for time and randomness, the key in this process.
import type { TicketRecord } from '../../shared/net/tickets.ts';
import wrtc from '@roamhq/wrtc';
import type { NetworkId } from '../../shared/ids.ts';
import type { LogStore } from '../../shared/storage/port.ts';
import type { WrtcLike } from '../../shared/replication/guardedWrtc.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { EngineError, type EngineEvent } from '../../engine/events.ts';
import type { DeviceSetup } from '../../engine/devices.ts';
import { keepChats, type ChatKeeping } from '../../engine/chatKeeper.ts';
import { keySigner } from '../../engine/keySigner.ts';
import { PeerEngine, type EngineStatus } from '../../engine/peer.ts';
import type { IceServer } from '../../engine/connection.ts';
import { installSafeWebSocket } from '../net/safeWebSocket.ts';
import { tolerateYWebrtcRaces } from '../net/yWebrtcRaces.ts';
import { startSignalingRelay, type SignalingRelay } from '../net/signalingRelay.ts';
import { nodeRandom } from '../platform/nodeRandom.ts';
import { nodeClock, nodeTimers } from '../platform/nodeTimers.ts';
import { nodeVerify } from '../platform/nodeVerify.ts';
import { join } from 'node:path';
import { openFileLogStore } from '../storage/fileLogStore.ts';

export interface PeerConfig {
  /** Where the log and its metadata live. */
  readonly dataDir: string;
  readonly networkId: NetworkId;
  /** The join secret: the y-webrtc room password. */
  readonly secret: string;
  /** Signaling relays to connect to. */
  readonly relays: readonly string[];
  /** Run our own relay here (the default is 127.0.0.1 on a free port); false for none. */
  readonly relay?: { readonly host?: string; readonly port?: number } | false;
  /** STUN/TURN servers: none by default, so nothing leaves the LAN unless configured. */
  readonly iceServers?: readonly IceServer[];
  /** The key that signs this home's chain: needed to send, and to vote as a witness. */
  readonly secretKey?: Uint8Array;
  /**
   * The identity's own secret where this home holds its words and signs as a device of it
   * (docs/protocol.md §12); null for a device paired without them. Absent: the chain is the
   * identity's own.
   */
  readonly identitySecret?: Uint8Array | null;
  /** This home's chain is a device: how it certifies itself. */
  readonly device?: DeviceSetup;
  /** The tickets this home gave out, as kept from `tickets` events (§13.9). */
  readonly tickets?: readonly TicketRecord[];
  /** Vote automatically when the identity is a witness (default false here). */
  readonly witness?: boolean;
  /** Milliseconds to wait after a change before voting (engine/timing.ts has the default). */
  readonly voteDelayMs?: number;
  /** Transactions between two checkpoints a witness proposes (engine/timing.ts); 0: none. */
  readonly checkpointEvery?: number;
  /** False keeps the peer out of the snapshot room (engine/fastForward.ts): the whole history. */
  readonly snapshots?: boolean;
  /** Keeps serving the whole history beside the current epoch (engine/epochs.ts). */
  readonly archive?: boolean;
  /** Records a prune of the log must drop (engine/pruning.ts has the default). */
  readonly pruneAfter?: number;
  /** False reads the log and acts on it without joining the room (offline commands). */
  readonly connect?: boolean;
  readonly onEvent?: (event: PeerEvent) => void;
  /** What a founder just signed (the genesis), written first: its chain starts known. */
  readonly initial?: readonly VerifiedTx[];
  /** For tests: the store to use instead of the file log in dataDir. */
  readonly store?: LogStore;
  /**
   * Where the replication doc is kept across restarts (engine/replica.ts). A connected peer
   * with the file log keeps it in dataDir/replica; false keeps none (each start then exchanges
   * the whole history with every link once).
   */
  readonly replica?: LogStore | false;
  /**
   * Where the private channels' history is kept, encrypted (engine/chatStore.ts). A connected
   * peer with an identity and the file log keeps it in dataDir/chats; false keeps none.
   */
  readonly chats?: LogStore | false;
}

export type PeerEvent = EngineEvent;
export { EngineError as PeerError };

/** What `gpow status` and the test peers report: the engine's status and the relay's. */
export interface PeerStatus extends EngineStatus {
  readonly relayUrl: string | null;
  /** The address the relay listens on (0.0.0.0 when it serves the LAN). */
  readonly relayHost: string | null;
  readonly transactions: ReturnType<Ledger['counts']> | null;
  readonly stateRoot: string | null;
}

/** A running peer: the engine, and the relay this process serves for it. */
export class Peer extends PeerEngine {
  readonly config: PeerConfig;
  readonly #relay: SignalingRelay | null;
  readonly #keepAlive: ReturnType<typeof setInterval>;
  #chats: ChatKeeping | null = null;

  private constructor(
    config: PeerConfig,
    stores: { store: LogStore; replica?: LogStore },
    relay: SignalingRelay | null,
  ) {
    super(
      {
        clock: nodeClock,
        timers: nodeTimers,
        random: nodeRandom,
        ...stores,
        wrtc: wrtc as unknown as WrtcLike,
        signer: config.secretKey
          ? keySigner(
              config.secretKey,
              config.identitySecret === undefined ? 'self' : config.identitySecret,
            )
          : null,
        verify: nodeVerify(),
      },
      {
        networkId: config.networkId,
        secret: config.secret,
        relays: relay ? [...config.relays, relay.url] : config.relays,
        iceServers: config.iceServers ?? [],
        witness: config.witness ?? false,
        connect: config.connect ?? true,
        ...(config.voteDelayMs !== undefined ? { voteDelayMs: config.voteDelayMs } : {}),
        ...(config.checkpointEvery !== undefined
          ? { checkpointEvery: config.checkpointEvery }
          : {}),
        ...(config.snapshots !== undefined ? { snapshots: config.snapshots } : {}),
        ...(config.archive !== undefined ? { archive: config.archive } : {}),
        ...(config.pruneAfter !== undefined ? { pruneAfter: config.pruneAfter } : {}),
        ...(config.onEvent ? { onEvent: config.onEvent } : {}),
        ...(config.device ? { device: config.device } : {}),
        ...(config.tickets ? { tickets: config.tickets } : {}),
      },
    );
    this.config = config;
    this.#relay = relay;
    // @roamhq/wrtc handles do not keep Node's event loop alive; a running peer must stay up.
    this.#keepAlive = setInterval(() => undefined, 60_000);
    if (config.connect === false) this.#keepAlive.unref();
  }

  static async start(config: PeerConfig): Promise<Peer> {
    const warn = (message: string) => config.onEvent?.({ type: 'warning', message });
    installSafeWebSocket(warn);
    tolerateYWebrtcRaces(warn);
    const store = config.store ?? (await openFileLogStore(config.dataDir, { onWarning: warn }));
    const replica = await openReplica(config, warn).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    const closeStores = async () => {
      await store.close();
      await replica?.close();
    };
    const relay =
      config.relay === false || config.connect === false
        ? null
        : await startSignalingRelay({
            host: config.relay?.host,
            port: config.relay?.port ?? 0,
          }).catch(async (error: unknown) => {
            await closeStores();
            throw error;
          });
    const peer = new Peer(config, replica ? { store, replica } : { store }, relay);
    try {
      const chats = await openChats(config, warn);
      if (chats) peer.#chats = keepChats(peer, chats, warn);
      await peer.open(config.initial ?? []);
    } catch (error) {
      await peer.close();
      throw error;
    }
    return peer;
  }

  /** Settles once the kept chat history is read back (or known unreadable, or not kept). */
  chatHistory(): Promise<void> {
    return this.#chats?.attached ?? Promise.resolve();
  }

  /** Replaces the relays this peer signals through; connections are made again. */
  setRelays(urls: readonly string[]): Promise<void> {
    return this.setConnection(urls);
  }

  /** Goes offline: drops every connection. The peer keeps working and signing locally. */
  goOffline(): Promise<void> {
    return this.setOnline(false);
  }

  goOnline(): Promise<void> {
    return this.setOnline(true);
  }

  override status(): PeerStatus {
    const ledger = this.ledger;
    return {
      ...super.status(),
      relayUrl: this.#relay?.url ?? null,
      relayHost: this.#relay ? ((this.config.relay || undefined)?.host ?? '127.0.0.1') : null,
      transactions: ledger ? ledger.counts() : null,
      stateRoot: ledger ? ledger.stateRoot() : null,
    };
  }

  override async close(): Promise<void> {
    clearInterval(this.#keepAlive);
    await super.close();
    await this.#chats?.close();
    await this.#relay?.close();
  }
}

/**
 * The replication doc's log, for a peer that joins the room: an offline command reads the
 * ledger only, and a peer on a test store keeps none unless given one.
 */
async function openReplica(
  config: PeerConfig,
  warn: (message: string) => void,
): Promise<LogStore | undefined> {
  if (config.connect === false || config.replica === false) return undefined;
  if (config.replica) return config.replica;
  if (config.store) return undefined;
  return await openFileLogStore(join(config.dataDir, 'replica'), { onWarning: warn });
}

/** The chat history's log, for a connected peer with an identity (engine/chatKeeper.ts). */
async function openChats(
  config: PeerConfig,
  warn: (message: string) => void,
): Promise<LogStore | undefined> {
  if (config.connect === false || config.chats === false || !config.secretKey) return undefined;
  if (config.chats) return config.chats;
  if (config.store) return undefined;
  return await openFileLogStore(join(config.dataDir, 'chats'), { onWarning: warn });
}
