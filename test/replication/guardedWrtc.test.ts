// The guarded WebRTC wrapper over an in-memory channel pair that models buffering.
import { describe, expect, it, vi } from 'vitest';
import { FRAME_PAYLOAD } from '../../shared/replication/frames.ts';
import {
  guardWrtc,
  type DataChannelLike,
  type GuardHooks,
  type PeerLink,
  type WrtcLike,
} from '../../shared/replication/guardedWrtc.ts';
import type { ScreenVerdict } from '../../shared/replication/screen.ts';

class FakeChannel implements DataChannelLike {
  binaryType = 'blob';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readyState = 'connecting';
  readonly label = 'fake';
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onbufferedamountlow: (() => void) | null = null;
  other!: FakeChannel;
  maxBuffered = 0;
  sent: Uint8Array[] = [];
  /** Closing does not fire `close` locally, as some implementations behave. */
  silentLocalClose = false;
  /** Never fires `bufferedamountlow`, as @roamhq/wrtc behaves. */
  silentLow = false;

  send(data: ArrayBuffer | Uint8Array): void {
    if (this.readyState !== 'open') throw new Error('not open');
    const bytes = data instanceof Uint8Array ? data.slice() : new Uint8Array(data.slice(0));
    this.sent.push(bytes);
    this.bufferedAmount += bytes.length;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
    setTimeout(() => {
      this.bufferedAmount -= bytes.length;
      this.other.onmessage?.({ data: bytes.buffer });
      if (this.bufferedAmount <= this.bufferedAmountLowThreshold && !this.silentLow)
        this.onbufferedamountlow?.();
    }, 0);
  }
  open(): void {
    this.readyState = 'open';
    this.onopen?.();
  }
  close(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    if (!this.silentLocalClose) this.onclose?.();
    this.other.readyState = 'closed';
    this.other.onclose?.();
  }
}

function pair(hooksA: Partial<GuardHooks>, hooksB: Partial<GuardHooks>, silentLow = false) {
  const a = new FakeChannel();
  const b = new FakeChannel();
  a.silentLow = silentLow;
  b.silentLow = silentLow;
  a.other = b;
  b.other = a;
  const accept: GuardHooks['screen'] = () =>
    Promise.resolve({ ok: true, kind: 'sync-update', entries: [] });
  class FakePC {
    ondatachannel: ((event: { channel: DataChannelLike }) => void) | null = null;
    createDataChannel(): DataChannelLike {
      return a;
    }
  }
  const base: WrtcLike = {
    RTCPeerConnection: FakePC,
    RTCSessionDescription: null,
    RTCIceCandidate: null,
  };
  const pcA = new (guardWrtc(base, { screen: accept, ...hooksA }).RTCPeerConnection)() as FakePC;
  const pcB = new (guardWrtc(base, { screen: accept, ...hooksB }).RTCPeerConnection)() as FakePC;
  const guardedA = pcA.createDataChannel();
  let guardedB!: DataChannelLike;
  pcB.ondatachannel = (event) => (guardedB = event.channel);
  (pcB as unknown as { ondatachannel: (e: { channel: DataChannelLike }) => void }).ondatachannel({
    channel: b,
  });
  const received: Uint8Array[] = [];
  guardedB.onmessage = (event) => received.push(new Uint8Array(event.data as ArrayBuffer));
  a.open();
  b.open();
  return { a, b, guardedA, guardedB, received };
}

const settle = () => new Promise((r) => setTimeout(r, 20));
async function drain(received: Uint8Array[], count: number): Promise<void> {
  for (let i = 0; i < 500 && received.length < count; i++) await settle();
}

describe('guarded WebRTC data channels', () => {
  it('passes small messages through unframed', async () => {
    const { a, guardedA, received } = pair({}, {});
    guardedA.send(Uint8Array.of(0, 2, 1, 9));
    await drain(received, 1);
    expect(a.sent).toEqual([Uint8Array.of(0, 2, 1, 9)]);
    expect(received).toEqual([Uint8Array.of(0, 2, 1, 9)]);
    expect(guardedA.binaryType).toBe('arraybuffer');
  });

  it('closes, without throwing, when the channel refuses a send it said was open', () => {
    const onClose = vi.fn();
    const { a, guardedA } = pair({ onClose }, {});
    let closed = false;
    guardedA.onclose = () => (closed = true);
    // The other side left mid-answer: the native channel refuses, its readyState not yet updated.
    a.send = () => {
      throw new Error("RTCDataChannel.readyState is not 'open'");
    };
    expect(() => guardedA.send(new Uint8Array(3 * FRAME_PAYLOAD))).not.toThrow();
    expect(closed).toBe(true);
    expect(onClose).toHaveBeenCalledOnce();
    expect(() => guardedA.send(Uint8Array.of(1))).not.toThrow();
  });

  it('sends a large message in frames with bounded buffering, and delivers it once, whole', async () => {
    const onReceiving = vi.fn();
    const { a, guardedA, received } = pair({}, { onReceiving });
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i & 0xff);
    guardedA.send(big);
    // Our queue counts in bufferedAmount, so simple-peer's own backpressure sees it.
    expect(guardedA.bufferedAmount).toBeGreaterThan(1024 * 1024);
    await drain(received, 1);
    expect(received).toHaveLength(1);
    expect(received[0]).toEqual(big);
    expect(a.sent.length).toBe(Math.ceil(big.length / FRAME_PAYLOAD));
    expect(a.maxBuffered).toBeLessThanOrEqual(1024 * 1024 + FRAME_PAYLOAD + 13);
    expect(onReceiving).toHaveBeenCalled();
  });

  it('keeps sending a large message through a channel that never signals a drained buffer', async () => {
    const poll = (callback: () => void, ms: number) => {
      const timer = setTimeout(callback, ms);
      return () => clearTimeout(timer);
    };
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
    const polled = pair({ poll }, {}, true);
    polled.guardedA.send(big);
    await drain(polled.received, 1);
    expect(polled.received).toEqual([big]);
    // Without the poll, the queue waits for an event that never comes.
    const stuck = pair({}, {}, true);
    stuck.guardedA.send(big);
    for (let i = 0; i < 10; i++) await settle();
    expect(stuck.received).toEqual([]);
    stuck.guardedA.close();
  });

  it('delivers messages in arrival order even when screening takes different times', async () => {
    let n = 0;
    const screen = () =>
      new Promise<ScreenVerdict>((r) =>
        setTimeout(() => r({ ok: true, kind: 'sync-update', entries: [] }), n++ % 2 ? 1 : 15),
      );
    const { guardedA, received } = pair({}, { screen });
    for (let i = 0; i < 6; i++) guardedA.send(Uint8Array.of(0, i));
    await drain(received, 6);
    expect(received.map((m) => m[1])).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('closes the connection at the first message that fails screening, and delivers nothing after', async () => {
    const onHostile = vi.fn<(link: PeerLink, reason: string) => void>();
    const screen = (m: Uint8Array) =>
      Promise.resolve<ScreenVerdict>(
        m[1] === 66
          ? { ok: false, reason: 'bad entry' }
          : { ok: true, kind: 'sync-update', entries: [] },
      );
    const { a, b, guardedA, guardedB, received } = pair({}, { screen, onHostile });
    const closed = vi.fn();
    guardedB.onclose = closed;
    b.silentLocalClose = true; // the close must be reported even if the platform stays quiet
    guardedA.send(Uint8Array.of(0, 1));
    guardedA.send(Uint8Array.of(0, 66));
    guardedA.send(Uint8Array.of(0, 2));
    await drain(received, 1);
    for (let i = 0; i < 5; i++) await settle();
    expect(received.map((m) => m[1])).toEqual([1]);
    expect(onHostile).toHaveBeenCalledTimes(1);
    expect(onHostile.mock.calls[0]![1]).toBe('bad entry');
    expect(closed).toHaveBeenCalledTimes(1);
    expect(a.readyState).toBe('closed');
  });

  it('treats a text message or broken framing as hostile', async () => {
    const onHostile = vi.fn();
    const { b, received } = pair({}, { onHostile });
    b.onmessage?.({ data: 'hello' });
    await settle();
    expect(onHostile).toHaveBeenCalledWith(expect.anything(), 'a text message on a binary channel');
    expect(received).toHaveLength(0);
  });
});
