// Wraps a WebRTC implementation (the browser's, or @roamhq/wrtc in Node) so that every data
// channel y-webrtc opens through simple-peer (its `peerOpts.wrtc` seam):
//
// - splits large outgoing messages into frames and feeds them with backpressure, so a whole
//   ledger can be sent without tripping the data channel's message-size limit or its send
//   buffer limit (frames.ts);
// - reassembles incoming frames, and screens each whole message before handing it on, in
//   arrival order; a bad message closes that peer's connection (screen.ts).
//
// It needs nothing from the environment beyond the WebRTC objects passed in.
import { Reassembler, splitMessage } from './frames.ts';
import type { ScreenVerdict } from './screen.ts';

/** The subset of RTCDataChannel that simple-peer uses. */
export interface DataChannelLike {
  binaryType: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  readonly readyState: string;
  readonly label: string;
  onmessage: ((event: { data: unknown }) => void) | null;
  onopen: (() => void) | null;
  onclose: (() => void) | null;
  onerror: ((event: unknown) => void) | null;
  onbufferedamountlow: (() => void) | null;
  send(data: ArrayBuffer | Uint8Array): void;
  close(): void;
}

export interface WrtcLike {
  readonly RTCPeerConnection: new (config?: unknown) => object;
  readonly RTCSessionDescription: unknown;
  readonly RTCIceCandidate: unknown;
}

export interface PeerLink {
  /** A local number for this connection, for logs and peer lists. */
  readonly id: number;
  readonly stats: { bytesIn: number; bytesOut: number; messagesIn: number };
  /** Closes the connection (y-webrtc then forgets the peer). */
  close(reason: string): void;
}

export interface GuardHooks {
  screen(message: Uint8Array, link: PeerLink): Promise<ScreenVerdict>;
  /** A message was screened and handed to y-webrtc. */
  onDelivered?(verdict: Extract<ScreenVerdict, { ok: true }>, link: PeerLink): void;
  onHostile?(link: PeerLink, reason: string): void;
  /** Progress of a large incoming message. */
  onReceiving?(link: PeerLink, received: number, total: number): void;
  onOpen?(link: PeerLink): void;
  onClose?(link: PeerLink): void;
  /**
   * A timer port (setTimeout in practice; returns a cancel function). Some implementations,
   * @roamhq/wrtc among them, never fire `bufferedamountlow`; with this the send queue is also
   * refilled by polling while frames wait, instead of only when the next message is sent.
   */
  poll?(callback: () => void, ms: number): () => void;
}

/** Keep at most this much queued in the underlying channel; refill below the low mark. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
/** How often a waiting send queue checks the channel's buffer when no event says it drained. */
const POLL_MS = 2;
/** Messages received but not yet screened may not exceed this many bytes. */
const MAX_INBOX_BYTES = 512 * 1024 * 1024;

let nextLinkId = 1;

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

function toBytes(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

class GuardedChannel implements DataChannelLike, PeerLink {
  readonly id = nextLinkId++;
  readonly stats = { bytesIn: 0, bytesOut: 0, messagesIn: 0 };
  binaryType = 'arraybuffer';
  bufferedAmountLowThreshold = 0;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onbufferedamountlow: (() => void) | null = null;

  readonly #base: DataChannelLike;
  readonly #hooks: GuardHooks;
  readonly #reassembler = new Reassembler();
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #nextMessageId = 1;
  #inbox: Promise<void> = Promise.resolve();
  #inboxBytes = 0;
  #closed = false;
  #closeNotified = false;
  #cancelPoll: (() => void) | null = null;

  constructor(base: DataChannelLike, hooks: GuardHooks) {
    this.#base = base;
    this.#hooks = hooks;
    base.binaryType = 'arraybuffer';
    base.bufferedAmountLowThreshold = LOW_WATER;
    base.onopen = () => {
      this.#hooks.onOpen?.(this);
      this.#pump();
      this.onopen?.();
    };
    base.onclose = () => {
      this.#shutdown();
      this.#notifyClose();
    };
    base.onerror = (event) => this.onerror?.(event);
    base.onbufferedamountlow = () => this.#pump();
    base.onmessage = (event) => this.#receive(event.data);
  }

  get label(): string {
    return this.#base.label;
  }

  get readyState(): string {
    return this.#base.readyState;
  }

  /** simple-peer's own backpressure sees our queue too, so it never floods us. */
  get bufferedAmount(): number {
    return this.#base.bufferedAmount + this.#queuedBytes;
  }

  send(data: ArrayBuffer | Uint8Array): void {
    if (this.#closed) return;
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    for (const frame of splitMessage(bytes, this.#nextMessageId++)) {
      this.#queue.push(frame);
      this.#queuedBytes += frame.length;
    }
    this.#pump();
  }

  close(reason?: string): void {
    if (reason !== undefined && !this.#closed) this.#hooks.onHostile?.(this, reason);
    this.#shutdown();
    this.#base.close();
    // Not every implementation fires `close` for a channel closed locally; simple-peer and
    // y-webrtc must learn either way, or the dead connection blocks any reconnection.
    this.#notifyClose();
  }

  #notifyClose(): void {
    if (this.#closeNotified) return;
    this.#closeNotified = true;
    this.onclose?.();
  }

  #shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#cancelPoll?.();
    this.#cancelPoll = null;
    this.#hooks.onClose?.(this);
  }

  #pump(): void {
    while (
      this.#queue.length > 0 &&
      this.#base.readyState === 'open' &&
      this.#base.bufferedAmount < HIGH_WATER
    ) {
      const frame = this.#queue.shift() as Uint8Array;
      this.#queuedBytes -= frame.length;
      this.stats.bytesOut += frame.length;
      if (!this.#sendFrame(frame)) return;
    }
    if (this.#queue.length > 0 && this.#base.readyState === 'open') this.#schedulePoll();
    if (this.bufferedAmount <= this.bufferedAmountLowThreshold) this.onbufferedamountlow?.();
  }

  /**
   * Sends one frame; false when the channel refused it. A channel can close under a send that
   * its readyState still allowed (@roamhq/wrtc throws InvalidStateError when the other side left
   * during a sync answered in pieces, found by bench s11): that is the link closing, never a
   * reason for the peer to stop.
   */
  #sendFrame(frame: Uint8Array): boolean {
    try {
      this.#base.send(frame);
      return true;
    } catch {
      this.#shutdown();
      this.#notifyClose();
      return false;
    }
  }

  #schedulePoll(): void {
    if (this.#cancelPoll || !this.#hooks.poll) return;
    this.#cancelPoll = this.#hooks.poll(() => {
      this.#cancelPoll = null;
      if (!this.#closed) this.#pump();
    }, POLL_MS);
  }

  #receive(data: unknown): void {
    if (this.#closed) return;
    const bytes = toBytes(data);
    if (!bytes) return this.close('a text message on a binary channel');
    this.stats.bytesIn += bytes.length;
    const result = this.#reassembler.push(bytes);
    if (result.kind === 'error') return this.close(result.reason);
    if (result.kind === 'partial')
      return this.#hooks.onReceiving?.(this, result.received, result.total);
    const message = result.message.slice();
    this.#inboxBytes += message.length;
    if (this.#inboxBytes > MAX_INBOX_BYTES) return this.close('sent more than can be checked');
    // Screen in arrival order; y-webrtc sees a message only after it passed. The chain must
    // never reject: a rejected link would skip every later message (a deaf connection) and
    // leave an unhandled rejection behind, which ends a Node peer.
    this.#inbox = this.#inbox.then(() => this.#screenAndDeliver(message));
  }

  async #screenAndDeliver(message: Uint8Array): Promise<void> {
    let verdict: ScreenVerdict;
    try {
      verdict = await this.#hooks.screen(message, this);
    } catch (error) {
      verdict = { ok: false, reason: `the message could not be screened (${describe(error)})` };
    } finally {
      this.#inboxBytes -= message.length;
    }
    if (this.#closed) return;
    if (!verdict.ok) return this.close(verdict.reason);
    this.stats.messagesIn++;
    try {
      this.#hooks.onDelivered?.(verdict, this);
      // y-webrtc applies the message right here (simple-peer pushes it synchronously); it throws
      // on what it cannot read, such as an awareness update that is not JSON.
      this.onmessage?.({ data: message.buffer });
    } catch (error) {
      this.close(`the message could not be applied (${describe(error)})`);
    }
  }
}

/** A WebRTC implementation whose data channels are chunked and screened. */
export function guardWrtc(base: WrtcLike, hooks: GuardHooks): WrtcLike {
  const wrapChannel = (channel: DataChannelLike) => new GuardedChannel(channel, hooks);
  function GuardedPeerConnection(config?: unknown): object {
    const pc = new base.RTCPeerConnection(config);
    return new Proxy(pc, {
      get(target, prop) {
        if (prop === 'createDataChannel') {
          return (label: string, init?: unknown) => {
            const create = Reflect.get(target, prop) as (l: string, i?: unknown) => DataChannelLike;
            return wrapChannel(create.call(target, label, init));
          };
        }
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function'
          ? (value as (...args: unknown[]) => unknown).bind(target)
          : value;
      },
      set(target, prop, value: unknown) {
        if (prop === 'ondatachannel' && typeof value === 'function') {
          const handler = value as (event: { channel: DataChannelLike }) => void;
          return Reflect.set(target, prop, (event: { channel: DataChannelLike }) =>
            handler({ channel: wrapChannel(event.channel) }),
          );
        }
        return Reflect.set(target, prop, value);
      },
    });
  }
  return {
    RTCPeerConnection: GuardedPeerConnection as unknown as WrtcLike['RTCPeerConnection'],
    RTCSessionDescription: base.RTCSessionDescription,
    RTCIceCandidate: base.RTCIceCandidate,
  };
}
