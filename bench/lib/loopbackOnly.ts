// Keeps the benchmarks' WebRTC traffic on 127.0.0.1. libwebrtc gathers a host candidate for
// every interface (this machine's LAN addresses too), and ICE would pick the best pair among
// them. Bench processes install this before the peer starts: each connection ignores remote
// candidates that are not 127.0.0.1 (trickled ones and any in the SDP), so every ICE check
// and all data go to the loopback address. Harness only: the product is not changed.

interface PeerConnectionLike {
  addIceCandidate(candidate?: unknown, ...rest: unknown[]): Promise<void>;
  setRemoteDescription(description: unknown): Promise<void>;
}

type PeerConnectionClass = new (config?: unknown) => PeerConnectionLike;

const CANDIDATE_ADDRESS = /^(?:a=)?candidate:\S+ \d+ \S+ \d+ (\S+) /;

export function isLoopbackCandidate(candidate: string): boolean {
  const match = CANDIDATE_ADDRESS.exec(candidate.trim());
  return match?.[1] === '127.0.0.1';
}

function stripCandidates(sdp: string): string {
  return sdp
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('a=candidate:') || isLoopbackCandidate(line))
    .join('\r\n');
}

/** Patches a wrtc module object (its RTCPeerConnection) in place. Idempotent. */
export function installLoopbackOnly(wrtc: object): void {
  const module = wrtc as { RTCPeerConnection: PeerConnectionClass & { __loopbackOnly?: true } };
  const Original = module.RTCPeerConnection;
  if (Original.__loopbackOnly) return;
  function LoopbackPeerConnection(config?: unknown): PeerConnectionLike {
    const pc = new Original(config);
    const addIceCandidate = pc.addIceCandidate.bind(pc);
    const setRemoteDescription = pc.setRemoteDescription.bind(pc);
    pc.addIceCandidate = (candidate?: unknown, ...rest: unknown[]) => {
      const text = (candidate as { candidate?: unknown } | null | undefined)?.candidate;
      if (typeof text === 'string' && text !== '' && !isLoopbackCandidate(text))
        return Promise.resolve();
      return addIceCandidate(candidate, ...rest);
    };
    pc.setRemoteDescription = (description: unknown) => {
      const d = description as { type?: unknown; sdp?: unknown } | null;
      if (d && typeof d.sdp === 'string')
        return setRemoteDescription({ type: d.type, sdp: stripCandidates(d.sdp) });
      return setRemoteDescription(description);
    };
    return pc;
  }
  LoopbackPeerConnection.prototype = (Original as unknown as { prototype: object }).prototype;
  (LoopbackPeerConnection as unknown as { __loopbackOnly: true }).__loopbackOnly = true;
  module.RTCPeerConnection = LoopbackPeerConnection as unknown as PeerConnectionClass;
}
