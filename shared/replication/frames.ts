// Chunking for WebRTC data channels. A data channel silently closes on a message over 256 KiB,
// and y-webrtc sends a whole document (sync step 2) as one message, so large ledgers never sync
// with y-webrtc as shipped. We split every large message into frames and reassemble them.
//
// Small messages travel unchanged, so a stock y-webrtc peer still understands everything but
// the large ones. A frame starts with 0xC7, which can never start a y-webrtc message (those
// start with a one-byte message type of 0, 1, 3 or 4):
//
//   [0xC7][u32 message id][u32 frame index][u32 frame count][payload]   (big-endian)

export const FRAME_MAGIC = 0xc7;
const HEADER = 13;
/** 16 KiB payloads: the size every WebRTC implementation handles without fragmentation trouble. */
export const FRAME_PAYLOAD = 16 * 1024;
/** A reassembled message may not exceed this; a 100,000-transaction ledger is about 35 MB. */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export function isFrame(data: Uint8Array): boolean {
  return data.length >= HEADER && data[0] === FRAME_MAGIC;
}

/** Splits a message into frames; a message that fits in one frame is returned as is. */
export function splitMessage(message: Uint8Array, id: number): Uint8Array[] {
  if (message.length <= FRAME_PAYLOAD) return [message];
  const count = Math.ceil(message.length / FRAME_PAYLOAD);
  const frames: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const payload = message.subarray(index * FRAME_PAYLOAD, (index + 1) * FRAME_PAYLOAD);
    const frame = new Uint8Array(HEADER + payload.length);
    const view = new DataView(frame.buffer);
    frame[0] = FRAME_MAGIC;
    view.setUint32(1, id >>> 0);
    view.setUint32(5, index);
    view.setUint32(9, count);
    frame.set(payload, HEADER);
    frames.push(frame);
  }
  return frames;
}

export type ReassemblyResult =
  | { readonly kind: 'message'; readonly message: Uint8Array }
  | { readonly kind: 'partial'; readonly received: number; readonly total: number }
  | { readonly kind: 'error'; readonly reason: string };

/**
 * Reassembles frames from one ordered, reliable channel: the frames of a message arrive in
 * order and are not interleaved with other messages. Anything else is a protocol error.
 */
export class Reassembler {
  #id = -1;
  #count = 0;
  #parts: Uint8Array[] = [];
  #bytes = 0;
  readonly #maxBytes: number;

  constructor(maxBytes = MAX_MESSAGE_BYTES) {
    this.#maxBytes = maxBytes;
  }

  push(data: Uint8Array): ReassemblyResult {
    if (!isFrame(data)) {
      if (this.#parts.length > 0)
        return { kind: 'error', reason: 'a plain message interrupted a chunked one' };
      return { kind: 'message', message: data };
    }
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const id = view.getUint32(1);
    const index = view.getUint32(5);
    const count = view.getUint32(9);
    if (index === 0) {
      if (this.#parts.length > 0)
        return { kind: 'error', reason: 'a new chunked message began before the last ended' };
      if (count < 2 || count > Math.ceil(this.#maxBytes / FRAME_PAYLOAD)) {
        return { kind: 'error', reason: `a chunked message of ${count} frames is out of bounds` };
      }
      this.#id = id;
      this.#count = count;
      this.#bytes = 0;
    } else if (id !== this.#id || count !== this.#count || index !== this.#parts.length) {
      return { kind: 'error', reason: 'frames arrived out of order' };
    }
    const payload = data.subarray(HEADER);
    if (payload.length === 0 || (index < count - 1 && payload.length !== FRAME_PAYLOAD)) {
      return { kind: 'error', reason: 'a frame has the wrong size' };
    }
    this.#bytes += payload.length;
    if (this.#bytes > this.#maxBytes)
      return { kind: 'error', reason: 'a chunked message is too large' };
    this.#parts.push(payload.slice());
    if (this.#parts.length < count)
      return { kind: 'partial', received: this.#parts.length, total: count };
    const message = new Uint8Array(this.#bytes);
    let offset = 0;
    for (const part of this.#parts) {
      message.set(part, offset);
      offset += part.length;
    }
    this.#parts = [];
    return { kind: 'message', message };
  }
}
