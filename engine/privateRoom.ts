// A small y-webrtc room of our own, apart from the network's: an SSK channel (sskChannels.ts) or
// the door of a ticket link (door.ts). Each has its own doc and password and no presence, and
// leaving it frees everything y-webrtc would otherwise keep running.
import { WebrtcProvider } from 'y-webrtc';
import type * as Y from 'yjs';
import type { WrtcLike } from '../shared/replication/guardedWrtc.ts';
import { silentAwareness } from './connection.ts';

export interface PrivateRoomOptions {
  readonly room: string;
  readonly password: string;
  readonly doc: Y.Doc;
  /** Already guarded with the room's own screen. */
  readonly wrtc: WrtcLike;
  readonly relays: readonly string[];
  readonly iceServers: readonly unknown[];
  readonly onPeers?: () => void;
}

export function joinPrivateRoom(options: PrivateRoomOptions): WebrtcProvider {
  const provider = new WebrtcProvider(options.room, options.doc, {
    awareness: silentAwareness(options.doc),
    signaling: [...options.relays],
    password: options.password,
    filterBcConns: false,
    // Our y-webrtc patch (patches/): no cross-tab channel. One window or process per home
    // holds the only provider, and the channel re-encrypted every update and the whole doc.
    broadcastChannel: false,
    peerOpts: { wrtc: options.wrtc, config: { iceServers: [...options.iceServers] } },
  });
  const onPeers = options.onPeers;
  if (onPeers) provider.on('peers', () => onPeers());
  return provider;
}

/** Leaves the room; null does nothing. */
export function leavePrivateRoom(provider: WebrtcProvider | null): void {
  provider?.disconnect();
  provider?.destroy();
  // y-webrtc leaves the awareness it was given running; it belongs to this room alone.
  provider?.awareness.destroy();
}

/** Peers connected to the room now. */
export function connectedIn(provider: WebrtcProvider | null): number {
  const conns: unknown = provider?.room?.webrtcConns;
  if (!(conns instanceof Map)) return 0;
  return [...(conns as Map<string, { connected: boolean }>).values()].filter((c) => c.connected)
    .length;
}
