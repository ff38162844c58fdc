// Fuzz target: data-channel frames and their reassembly (shared/replication/frames.ts) and the
// guarded channel that sits between WebRTC and y-webrtc (shared/replication/guardedWrtc.ts).
//
// A remote peer controls every byte that arrives on a data channel, and its frames' headers:
// ids, indexes, counts and sizes. The reassembler must never throw, never hand on more than its
// bound, and give back exactly what was split. The guarded channel must never throw into the
// WebRTC implementation that calls it, never leave a rejection behind, deliver to y-webrtc only
// what the screen passed, in order, and close the connection (not go silently deaf) when the
// screen or y-webrtc fails on a message.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FRAME_MAGIC,
  FRAME_PAYLOAD,
  Reassembler,
  splitMessage,
  type ReassemblyResult,
} from '../../shared/replication/frames.ts';
import {
  guardWrtc,
  type DataChannelLike,
  type GuardHooks,
  type PeerLink,
} from '../../shared/replication/guardedWrtc.ts';
import type { ScreenVerdict } from '../../shared/replication/screen.ts';
import { fuzz, runs, settle, until, Watchdog } from './harness.ts';

const watchdog = new Watchdog();
beforeAll(() => watchdog.install());
afterAll(() => watchdog.uninstall());

/** A small bound, so that "too large" is reachable in a few frames. */
const MAX_BYTES = 4 * FRAME_PAYLOAD + 100;

function frame(id: number, index: number, count: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(13 + payload.length);
  const view = new DataView(out.buffer);
  out[0] = FRAME_MAGIC;
  view.setUint32(1, id >>> 0);
  view.setUint32(5, index >>> 0);
  view.setUint32(9, count >>> 0);
  out.set(payload, 13);
  return out;
}

/** Message sizes around the frame boundaries, where off-by-ones live. */
const sizeArb = fc.oneof(
  fc.integer({ min: 0, max: 64 }),
  fc.constantFrom(FRAME_PAYLOAD - 1, FRAME_PAYLOAD, FRAME_PAYLOAD + 1, 2 * FRAME_PAYLOAD),
  fc.integer({ min: 0, max: 5 * FRAME_PAYLOAD }),
);

/** Byte equality without vitest's element-by-element diffing (slow on 80 KB arrays). */
function expectSame(actual: Uint8Array, expected: Uint8Array | undefined): void {
  expect(expected).toBeDefined();
  expect(actual.length).toBe(expected?.length);
  expect(Buffer.from(actual).equals(Buffer.from(expected ?? []))).toBe(true);
}

function expectMessage(result: ReassemblyResult | undefined, message: Uint8Array): void {
  expect(result?.kind).toBe('message');
  if (result?.kind === 'message') expectSame(result.message, message);
}

/** A message of `size` bytes that never starts like a frame (y-webrtc's never do). */
function messageOf(size: number, fill: number): Uint8Array {
  const message = new Uint8Array(size).fill(fill);
  if (size > 0) message[0] = fill % 5; // y-webrtc message types are small numbers
  return message;
}

const uint32 = fc.oneof(
  fc.nat(8),
  fc.constantFrom(0xffffffff, 0x80000000, 0x7fffffff),
  fc.integer({ min: 0, max: 0xffffffff }),
);

/** One incoming data-channel message, as a hostile peer might send it. */
const wireArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(uint32, uint32, uint32, fc.oneof(fc.nat(40), fc.constant(FRAME_PAYLOAD)))
      .map(([id, index, count, length]) => frame(id, index, count, new Uint8Array(length))),
  },
  { weight: 1, arbitrary: fc.constantFrom(Uint8Array.of(FRAME_MAGIC), new Uint8Array(0)) },
);

/** The frames of a real message, some of them left out, repeated or swapped. */
const damagedFramesArb: fc.Arbitrary<Uint8Array[]> = fc
  .tuple(sizeArb, fc.nat(0xffffffff), fc.nat(255))
  .chain(([size, id, fill]) => {
    const frames = splitMessage(messageOf(size, fill), id);
    return fc.oneof(
      fc.constant(frames),
      fc.subarray(frames, { minLength: 1 }),
      fc.shuffledSubarray(frames, { minLength: 1 }),
      fc.tuple(fc.nat(frames.length - 1), fc.nat(frames.length)).map(([i, at]) => {
        const copy = [...frames];
        copy.splice(at, 0, frames[i] as Uint8Array);
        return copy;
      }),
    );
  });

/** A burst of incoming messages: lone hostile ones and runs of (damaged) frames. */
const burstArb: fc.Arbitrary<Uint8Array[]> = fc
  .array(
    fc.oneof(
      { weight: 2, arbitrary: wireArb.map((data) => [data]) },
      { weight: 1, arbitrary: damagedFramesArb },
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((runs) => runs.flat());

describe('fuzz: frame reassembly', () => {
  it('gives back exactly what was split, for any run of messages', async () => {
    await fuzz(
      'frames round trip',
      fc.asyncProperty(
        fc.array(fc.tuple(sizeArb, fc.nat(0xffffffff), fc.nat(255)), { maxLength: 6 }),
        (messages) =>
          watchdog.run('a round trip', () => {
            const reassembler = new Reassembler(MAX_BYTES);
            for (const [size, id, fill] of messages) {
              const message = messageOf(size, fill);
              const frames = splitMessage(message, id);
              if (message.length > FRAME_PAYLOAD)
                expect(frames.length).toBe(Math.ceil(message.length / FRAME_PAYLOAD));
              let result: ReassemblyResult | undefined;
              for (const [i, f] of frames.entries()) {
                result = reassembler.push(f);
                if (i < frames.length - 1) expect(result.kind).toBe('partial');
              }
              if (message.length > MAX_BYTES) {
                expect(result?.kind).toBe('error');
                return; // the channel closes here
              }
              expectMessage(result, message);
            }
          }),
      ),
      501,
      400,
    );
  });

  it('never throws or exceeds its bound on hostile frames, and only ever hands on what it got', async () => {
    await fuzz(
      'frames hostile',
      fc.asyncProperty(burstArb, (pushes) =>
        watchdog.run('hostile frames', () => {
          const reassembler = new Reassembler(MAX_BYTES);
          let payloads: Uint8Array[] = [];
          let first = { id: 0, count: 0 };
          for (const data of pushes) {
            const result = reassembler.push(data);
            const isFrame = data.length >= 13 && data[0] === FRAME_MAGIC;
            if (result.kind === 'error') {
              expect(typeof result.reason).toBe('string');
              return; // the guarded channel closes the connection at the first error
            }
            if (!isFrame) {
              expectMessage(result, data);
              continue;
            }
            // Accepted frames follow the protocol: one message at a time, its frames in order
            // with one id and one count, every payload but the last exactly FRAME_PAYLOAD.
            const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
            const header = {
              id: view.getUint32(1),
              index: view.getUint32(5),
              count: view.getUint32(9),
            };
            if (payloads.length === 0) first = header;
            expect(header.index).toBe(payloads.length);
            expect([header.id, header.count]).toEqual([first.id, first.count]);
            expect(header.count).toBeGreaterThanOrEqual(2);
            if (header.index < header.count - 1) expect(data.length - 13).toBe(FRAME_PAYLOAD);
            else expect(data.length).toBeGreaterThan(13);
            payloads.push(data.subarray(13));
            if (result.kind === 'message') expect(header.count).toBe(payloads.length);
            if (result.kind === 'partial') {
              expect(result.received).toBe(payloads.length);
              expect(result.total).toBeGreaterThan(result.received);
              continue;
            }
            // A whole chunked message: its frames' payloads, in order, within the bound.
            expect(result.message.length).toBeLessThanOrEqual(MAX_BYTES);
            expectSame(result.message, Buffer.concat(payloads));
            payloads = [];
          }
        }),
      ),
      502,
      3_000,
    );
  });
});

// ---- the guarded channel ------------------------------------------------------------------------

/** The base channel: what @roamhq/wrtc or a browser hands the wrapper. */
class BaseChannel implements DataChannelLike {
  binaryType = 'blob';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readyState = 'open';
  readonly label = 'fuzz';
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onbufferedamountlow: (() => void) | null = null;
  readonly sent: Uint8Array[] = [];
  send(data: ArrayBuffer | Uint8Array): void {
    this.sent.push(data instanceof Uint8Array ? data.slice() : new Uint8Array(data.slice(0)));
  }
  close(): void {
    this.readyState = 'closed';
  }
}

type ScreenBehaviour = 'pass' | 'refuse' | 'throw' | 'reject' | 'late';

/** What arrives on the base channel: bytes in one of the forms an implementation may use. */
type Incoming =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array; readonly as: 'buffer' | 'view' | 'dv' }
  | { readonly kind: 'odd'; readonly value: unknown };

/** A burst of incoming messages in the forms implementations use, maybe with a text one. */
const incomingsArb: fc.Arbitrary<Incoming[]> = fc
  .tuple(
    burstArb,
    fc.array(fc.constantFrom('buffer' as const, 'view' as const, 'dv' as const), {
      minLength: 1,
      maxLength: 4,
    }),
    fc.option(
      fc.tuple(
        fc.nat(),
        fc.oneof(fc.string(), fc.constant(null), fc.constant(undefined), fc.integer()),
      ),
      { freq: 8 },
    ),
  )
  .map(([burst, forms, odd]) => {
    const list: Incoming[] = burst.map((bytes, i) => ({
      kind: 'bytes',
      bytes,
      as: forms[i % forms.length] ?? 'buffer',
    }));
    if (odd) list.splice(odd[0] % (list.length + 1), 0, { kind: 'odd', value: odd[1] });
    return list;
  });

function wireValue(incoming: Incoming): unknown {
  if (incoming.kind === 'odd') return incoming.value;
  const { bytes } = incoming;
  // An offset view, as a pooled Buffer would be: the wrapper must respect byteOffset.
  const padded = new Uint8Array(bytes.length + 3);
  padded.set(bytes, 3);
  const view = padded.subarray(3);
  if (incoming.as === 'buffer') return bytes.slice().buffer;
  if (incoming.as === 'view') return view;
  return new DataView(padded.buffer, 3, bytes.length);
}

/** How the screen, then y-webrtc, treat the i-th whole message. */
interface Behaviour {
  readonly screen: ScreenBehaviour;
  /** Whether y-webrtc (the wrapper's onmessage) throws on this message. */
  readonly consumerThrows: boolean;
}

const behaviourArb: fc.Arbitrary<Behaviour> = fc.record({
  screen: fc.oneof(
    { weight: 12, arbitrary: fc.constant<ScreenBehaviour>('pass') },
    { weight: 1, arbitrary: fc.constantFrom<ScreenBehaviour>('refuse', 'throw', 'reject', 'late') },
  ),
  consumerThrows: fc.oneof(
    { weight: 10, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
});

/** A guarded channel over a base channel, with hooks that record what happens. */
class Guarded {
  readonly base = new BaseChannel();
  readonly guarded: DataChannelLike & PeerLink;
  readonly screened: Uint8Array[] = [];
  readonly delivered: Uint8Array[] = [];
  readonly hostile: string[] = [];
  closed = false;

  /** Screen call i behaves as steps[i] says; so does y-webrtc on delivery i. */
  constructor(steps: readonly Behaviour[] = []) {
    const hooks: GuardHooks = {
      screen: async (message: Uint8Array): Promise<ScreenVerdict> => {
        const behaviour = steps[this.screened.length]?.screen ?? 'pass';
        this.screened.push(message.slice());
        switch (behaviour) {
          case 'pass':
            return { ok: true, kind: 'sync-update', entries: [] };
          case 'refuse':
            return { ok: false, reason: 'refused by the fuzz screen' };
          case 'throw':
            throw new Error('the screen failed');
          case 'reject':
            return Promise.reject(new Error('the screen rejected'));
          case 'late':
            await new Promise((resolve) => setTimeout(resolve, 1));
            return { ok: true, kind: 'sync-update', entries: [] };
        }
      },
      onHostile: (_link, reason) => this.hostile.push(reason),
      onClose: () => (this.closed = true),
    };
    const base = this.base;
    class PC {
      createDataChannel(): DataChannelLike {
        return base;
      }
    }
    const wrtc = guardWrtc(
      { RTCPeerConnection: PC, RTCSessionDescription: null, RTCIceCandidate: null },
      hooks,
    );
    const pc = new wrtc.RTCPeerConnection() as PC;
    this.guarded = pc.createDataChannel() as DataChannelLike & PeerLink;
    this.guarded.onmessage = (event) => {
      expect(event.data).toBeInstanceOf(ArrayBuffer);
      const index = this.delivered.length;
      this.delivered.push(new Uint8Array(event.data as ArrayBuffer).slice());
      if (steps[index]?.consumerThrows) throw new Error('y-webrtc could not apply the message');
    };
  }
}

describe('fuzz: the guarded data channel', () => {
  it('delivers what the screen passed, in order, closes on any failure, and never throws', async () => {
    await fuzz(
      'guarded channel',
      fc.asyncProperty(
        incomingsArb,
        fc.array(behaviourArb, { maxLength: 12 }),
        (incomings, steps) =>
          watchdog.run(
            'a guarded channel',
            async () => {
              const h = new Guarded(steps);
              const reference = new Reassembler();
              const expectedScreened: Uint8Array[] = [];
              let referenceError = false;
              for (const incoming of incomings) {
                if (h.closed) break;
                // The base channel calls in from native code: nothing may be thrown back at it.
                expect(() => h.base.onmessage?.({ data: wireValue(incoming) })).not.toThrow();
                if (referenceError) continue;
                if (incoming.kind === 'odd') {
                  referenceError = true;
                  continue;
                }
                const result = reference.push(incoming.bytes);
                if (result.kind === 'error') referenceError = true;
                if (result.kind === 'message') expectedScreened.push(result.message);
              }
              await until(
                () => h.closed || h.screened.length >= expectedScreened.length,
                'the screen',
              );
              if (steps.some((step) => step.screen === 'late'))
                await new Promise((resolve) => setTimeout(resolve, 2));
              await settle();
              // Screened: a prefix of the reassembled messages, in order.
              expect(h.screened.length).toBeLessThanOrEqual(expectedScreened.length);
              h.screened.forEach((m, i) => expectSame(m, expectedScreened[i]));
              // A bad frame or a text message closes the channel at once, before any message
              // of this burst was screened (screening is asynchronous): nothing is delivered.
              if (referenceError) {
                expect(h.closed).toBe(true);
                expect(h.hostile.length).toBeGreaterThan(0);
                expect(h.delivered.length).toBe(0);
                return;
              }
              // Delivered: the screened messages the screen passed, in order, until the first
              // failure; a failure of any kind closes the channel with a reason.
              let deliveredExpected = 0;
              let failed = false;
              for (let i = 0; i < h.screened.length; i++) {
                const behaviour = steps[i]?.screen ?? 'pass';
                if (behaviour === 'pass' || behaviour === 'late') {
                  deliveredExpected++;
                  if (steps[i]?.consumerThrows) {
                    failed = true;
                    break;
                  }
                } else {
                  failed = true;
                  break;
                }
              }
              expect(h.delivered.length).toBe(deliveredExpected);
              if (failed) {
                expect(h.closed).toBe(true);
                expect(h.hostile.length).toBeGreaterThan(0);
              } else {
                expect(h.closed).toBe(false);
                expect(h.screened.length).toBe(expectedScreened.length);
              }
              // Once closed, nothing more is delivered.
              const before = h.delivered.length;
              if (h.closed) {
                h.base.onmessage?.({ data: Uint8Array.of(0, 0, 0).buffer });
                await settle();
                expect(h.delivered.length).toBe(before);
              }
            },
            { retry: false },
          ),
      ),
      503,
      1_500,
    );
  });

  it('sends any message as frames that reassemble to it, without holding more than allowed', async () => {
    await fuzz(
      'guarded send',
      fc.asyncProperty(fc.array(fc.tuple(sizeArb, fc.nat(255)), { maxLength: 5 }), (messages) =>
        watchdog.run('guarded send', () => {
          const h = new Guarded();
          const reassembler = new Reassembler();
          for (const [size, fill] of messages) {
            const message = messageOf(size, fill);
            h.guarded.send(message);
            let got: ReassemblyResult | undefined;
            for (const f of h.base.sent.splice(0)) {
              expect(f.length).toBeLessThanOrEqual(FRAME_PAYLOAD + 13);
              got = reassembler.push(f);
            }
            expectMessage(got, message);
          }
        }),
      ),
      504,
      300,
    );
  });

  const bytes = (...values: number[]): Incoming => ({
    kind: 'bytes',
    bytes: Uint8Array.from(values),
    as: 'buffer',
  });
  it.each<[string, Incoming[], Behaviour[]]>([
    [
      // The link's inbox chain rejected: an unhandled rejection (fatal to a Node peer), and every
      // later message on that link was skipped while the connection stayed open.
      'regression: a screen that rejects on an empty message (seed 503)',
      [bytes(), bytes(0, 0, 0)],
      [{ screen: 'reject', consumerThrows: false }],
    ],
    [
      'regression: a screen that throws',
      [bytes(1, 0)],
      [{ screen: 'throw', consumerThrows: false }],
    ],
    [
      // What y-webrtc does with an awareness update whose state is not JSON, say.
      'regression: y-webrtc throws on a message the screen passed (seed 503)',
      [bytes(1, 0), bytes(0, 0, 0)],
      [{ screen: 'pass', consumerThrows: true }],
    ],
  ])('%s', (name, incomings, behaviours) =>
    watchdog.run(name, async () => {
      const h = new Guarded(behaviours);
      for (const incoming of incomings) h.base.onmessage?.({ data: wireValue(incoming) });
      await until(() => h.closed, 'the channel to close');
      await settle();
      expect(h.hostile).toHaveLength(1);
      expect(h.delivered.length).toBeLessThanOrEqual(1);
    }),
  );

  it(`ran ${runs(400) + runs(3_000) + runs(1_500) + runs(300) + 3} cases`, () => {
    expect(watchdog.cases).toBe(runs(400) + runs(3_000) + runs(1_500) + runs(300) + 3);
  });
});
