// Two @roamhq/wrtc peer connections in this process, joined by one ordered data channel on
// 127.0.0.1: the transport floor for the sync and latency scenarios.
import wrtc from '@roamhq/wrtc';
import { splitMessage } from '../../shared/replication/frames.ts';
import { installLoopbackOnly, isLoopbackCandidate } from './loopbackOnly.ts';
import type { Scope } from './scope.ts';

installLoopbackOnly(wrtc);

/** The same send-buffer limits as shared/replication/guardedWrtc.ts. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

export interface Link {
  readonly a: RTCDataChannel;
  readonly b: RTCDataChannel;
  close(): void;
}

function opened(channel: RTCDataChannel): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve) =>
    channel.addEventListener('open', () => resolve(), { once: true }),
  );
}

export async function openLink(scope: Scope): Promise<Link> {
  const pa = new wrtc.RTCPeerConnection({ iceServers: [] });
  const pb = new wrtc.RTCPeerConnection({ iceServers: [] });
  const close = () => {
    pa.close();
    pb.close();
  };
  scope.defer(close);
  pa.onicecandidate = (e) => {
    if (e.candidate && isLoopbackCandidate(e.candidate.candidate))
      void pb.addIceCandidate(e.candidate);
  };
  pb.onicecandidate = (e) => {
    if (e.candidate && isLoopbackCandidate(e.candidate.candidate))
      void pa.addIceCandidate(e.candidate);
  };
  const a = pa.createDataChannel('bench', { ordered: true });
  a.binaryType = 'arraybuffer';
  const remote = new Promise<RTCDataChannel>((resolve) => {
    pb.ondatachannel = (e) => resolve(e.channel);
  });
  const offer = await pa.createOffer();
  await pa.setLocalDescription(offer);
  await pb.setRemoteDescription(offer);
  const answer = await pb.createAnswer();
  await pb.setLocalDescription(answer);
  await pa.setRemoteDescription(answer);
  const b = await remote;
  b.binaryType = 'arraybuffer';
  await Promise.all([opened(a), opened(b)]);
  return { a, b, close };
}

/**
 * Sends `message` from a to b in 16 KiB frames (the peers' framing), keeping at most 1 MiB
 * queued as the peers do, and resolves with the milliseconds until b has received every byte.
 * @roamhq/wrtc never fires `bufferedamountlow` (node-webrtc issue #305), so the queue is
 * refilled by polling bufferedAmount every millisecond instead.
 */
export function sendFramed(link: Link, message: Uint8Array): Promise<number> {
  const frames = splitMessage(message, 1);
  const total = frames.reduce((sum, f) => sum + f.length, 0);
  const start = performance.now();
  return new Promise((resolve) => {
    let received = 0;
    let next = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    link.b.onmessage = (event: MessageEvent) => {
      received += (event.data as ArrayBuffer).byteLength;
      if (received >= total) {
        link.b.onmessage = null;
        clearTimeout(timer);
        resolve(performance.now() - start);
      }
    };
    const pump = () => {
      while (next < frames.length && link.a.bufferedAmount < HIGH_WATER)
        link.a.send(frames[next++] as Uint8Array<ArrayBuffer>);
      if (next < frames.length) timer = setTimeout(pump, link.a.bufferedAmount > LOW_WATER ? 1 : 0);
    };
    pump();
  });
}

/** Median one-way latency (round trip / 2) of `size`-byte messages, over `count` round trips. */
export async function oneHopMs(link: Link, size: number, count: number): Promise<number[]> {
  const payload = new Uint8Array(size);
  link.b.onmessage = (event: MessageEvent) => link.b.send(event.data as ArrayBuffer);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await new Promise<void>((resolve) => {
      link.a.onmessage = () => resolve();
      link.a.send(payload);
    });
    samples.push((performance.now() - start) / 2);
  }
  link.a.onmessage = null;
  link.b.onmessage = null;
  return samples;
}
