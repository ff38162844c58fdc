// A WebRTC implementation that counts the bytes its data channels receive, in every room a peer
// joins (the network's epochs and the snapshot room alike), closed links included: what a
// peer's status shows is only its open links'. For tests of what a join costs.
import type { DataChannelLike, WrtcLike } from '../../shared/replication/guardedWrtc.ts';

export interface CountingWrtc extends WrtcLike {
  bytesIn(): number;
}

function byteLength(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return typeof data === 'string' ? data.length : 0;
}

export function countingWrtc(base: WrtcLike): CountingWrtc {
  let bytes = 0;
  const count = (channel: DataChannelLike): DataChannelLike =>
    new Proxy(channel, {
      set(target, prop, value: unknown) {
        if (prop === 'onmessage' && typeof value === 'function') {
          const handler = value as (event: { data: unknown }) => void;
          return Reflect.set(target, prop, (event: { data: unknown }) => {
            bytes += byteLength(event.data);
            handler(event);
          });
        }
        return Reflect.set(target, prop, value);
      },
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
  function CountingPeerConnection(config?: unknown): object {
    const pc = new base.RTCPeerConnection(config);
    return new Proxy(pc, {
      get(target, prop) {
        if (prop === 'createDataChannel')
          return (label: string, init?: unknown) => {
            const create = Reflect.get(target, prop) as (l: string, i?: unknown) => DataChannelLike;
            return count(create.call(target, label, init));
          };
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
      set(target, prop, value: unknown) {
        if (prop === 'ondatachannel' && typeof value === 'function') {
          const handler = value as (event: { channel: DataChannelLike }) => void;
          return Reflect.set(target, prop, (event: { channel: DataChannelLike }) =>
            handler({ channel: count(event.channel) }),
          );
        }
        return Reflect.set(target, prop, value);
      },
    });
  }
  return {
    RTCPeerConnection: CountingPeerConnection as unknown as WrtcLike['RTCPeerConnection'],
    RTCSessionDescription: base.RTCSessionDescription,
    RTCIceCandidate: base.RTCIceCandidate,
    bytesIn: () => bytes,
  };
}
