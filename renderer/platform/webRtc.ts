// The browser's own WebRTC, in the shape the replication guard wraps (see
// shared/replication/guardedWrtc.ts); null in a page without WebRTC.
import type { WrtcLike } from '../../shared/replication/guardedWrtc.ts';

export function browserWrtc(): WrtcLike | null {
  if (typeof RTCPeerConnection !== 'function') return null;
  return {
    // The guard calls it with `new` and a configuration, as the DOM type allows.
    RTCPeerConnection: RTCPeerConnection as unknown as WrtcLike['RTCPeerConnection'],
    RTCSessionDescription,
    RTCIceCandidate,
  };
}
