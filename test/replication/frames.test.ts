import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FRAME_MAGIC,
  FRAME_PAYLOAD,
  isFrame,
  Reassembler,
  splitMessage,
} from '../../shared/replication/frames.ts';

function reassemble(frames: Uint8Array[], maxBytes?: number): Uint8Array[] {
  const r = new Reassembler(maxBytes);
  const out: Uint8Array[] = [];
  for (const frame of frames) {
    const result = r.push(frame);
    if (result.kind === 'error') throw new Error(result.reason);
    if (result.kind === 'message') out.push(result.message);
  }
  return out;
}

describe('data-channel frames', () => {
  it('leaves a message that fits in one frame unchanged, so stock y-webrtc peers read it', () => {
    const small = new Uint8Array(FRAME_PAYLOAD).fill(7);
    expect(splitMessage(small, 1)).toEqual([small]);
    expect(isFrame(small)).toBe(false);
  });

  it('splits and reassembles messages of any size exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 * FRAME_PAYLOAD + 17 }),
        fc.nat(255),
        (size, fill) => {
          const message = new Uint8Array(size).map((_, i) => (i * 31 + fill) & 0xff);
          const frames = splitMessage(message, 9);
          if (size > FRAME_PAYLOAD) {
            expect(frames.length).toBe(Math.ceil(size / FRAME_PAYLOAD));
            expect(
              frames.every((f) => f[0] === FRAME_MAGIC && f.length <= FRAME_PAYLOAD + 13),
            ).toBe(true);
          }
          expect(reassemble(frames)).toEqual([message]);
        },
      ),
      { seed: 11, numRuns: 60 },
    );
  });

  it('reassembles several messages in a row, mixed with plain ones', () => {
    const big = new Uint8Array(3 * FRAME_PAYLOAD).fill(1);
    const small = Uint8Array.of(0, 1, 2);
    const frames = [...splitMessage(big, 1), small, ...splitMessage(big, 2)];
    expect(reassemble(frames)).toEqual([big, small, big]);
  });

  it('reports progress for a partial message', () => {
    const frames = splitMessage(new Uint8Array(3 * FRAME_PAYLOAD), 1);
    const r = new Reassembler();
    expect(r.push(frames[0]!)).toEqual({ kind: 'partial', received: 1, total: 3 });
  });

  it.each<[string, () => Uint8Array[], RegExp]>([
    [
      'a plain message in the middle',
      () => {
        const f = splitMessage(new Uint8Array(3 * FRAME_PAYLOAD), 1);
        return [f[0]!, Uint8Array.of(0, 0), f[1]!];
      },
      /interrupted/,
    ],
    [
      'frames out of order',
      () => {
        const f = splitMessage(new Uint8Array(3 * FRAME_PAYLOAD), 1);
        return [f[0]!, f[2]!];
      },
      /out of order/,
    ],
    [
      'two messages interleaved',
      () => {
        const a = splitMessage(new Uint8Array(3 * FRAME_PAYLOAD), 1);
        const b = splitMessage(new Uint8Array(3 * FRAME_PAYLOAD), 2);
        return [a[0]!, b[0]!];
      },
      /began before/,
    ],
    [
      'a short middle frame',
      () => {
        const f = splitMessage(new Uint8Array(3 * FRAME_PAYLOAD), 1);
        return [f[0]!, f[1]!.subarray(0, 100)];
      },
      /wrong size/,
    ],
    [
      'an absurd frame count',
      () => {
        const f = splitMessage(new Uint8Array(3 * FRAME_PAYLOAD), 1)[0]!.slice();
        new DataView(f.buffer).setUint32(9, 0xffffffff);
        return [f];
      },
      /out of bounds/,
    ],
  ])('refuses %s', (_name, frames, reason) => {
    expect(() => reassemble(frames())).toThrow(reason);
  });

  it('refuses a message larger than the bound', () => {
    const frames = splitMessage(new Uint8Array(4 * FRAME_PAYLOAD), 1);
    expect(() => reassemble(frames, 2 * FRAME_PAYLOAD)).toThrow(/out of bounds|too large/);
  });
});
