// Fuzz target: y-webrtc's signaling, as a hostile relay or room member drives it (the 'message'
// handler of y-webrtc's SignalingConn, node_modules/y-webrtc/src/y-webrtc.js with our patch).
//
// A relay is anyone's server (an invitation names it) and forwards what anyone who knows the
// room name publishes. The target runs the real code path of a Node peer in-process: lib0's
// WebSocket client over the project's SafeWebSocket (node/net/safeWebSocket.ts), on a fake
// socket this test feeds text and binary frames; y-webrtc's rooms (one encrypted with a join
// secret, as every GPoW room is, and one plain); simple-peer over a fake RTCPeerConnection
// wrapped by guardWrtc, as the peer wraps @roamhq/wrtc. Frames: non-JSON text, JSON of every
// shape, publishes to our rooms of sealed (AES-GCM with the room key) announce and signal
// messages of every shape, sealed with the wrong key, damaged ciphertext, garbage base64,
// plain payloads and oversized ones. Nothing may throw out of the socket's handler or leave a
// rejection, no frame may take long, connections opened by announcements stay within maxConns,
// the doc is never touched, and everything the client sends back is a well-formed relay
// message whose payload, in the encrypted room, is ciphertext.
import { roomKey } from '../helpers/ywebrtcSeal.ts';
import * as buffer from 'lib0/buffer';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';
import { safeWebSocketClass } from '../../node/net/safeWebSocket.ts';
import { guardWrtc } from '../../shared/replication/guardedWrtc.ts';
import { fakeWrtc, FakePeerConnection } from './fixtures.ts';
import { fuzz, runs, settle, until, Watchdog } from './harness.ts';

const watchdog = new Watchdog();
const SECRET = 'the join secret';
const ENCRYPTED_ROOM = 'gpow-fuzz-signaling-encrypted';
const PLAIN_ROOM = 'gpow-fuzz-signaling-plain';
const RELAY = 'ws://relay.fuzz.invalid:4444';
const MAX_CONNS = 4;

// ---- a fake socket under lib0's client (the fake WebRTC under simple-peer is in fixtures.ts) ---

/** The relay end: frames go in through deliver(), what the client sends is kept in `sent`. */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static readonly all: FakeSocket[] = [];
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readonly url: string;
  readyState = 0;
  binaryType = 'blob';
  readonly sent: string[] = [];
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: ((error: unknown) => void) | null = null;
  #onmessage: ((event: { data: unknown }) => void) | null = null;

  constructor(url: string) {
    this.url = url;
    FakeSocket.all.push(this);
  }

  // An accessor, as on a real WebSocket: SafeWebSocket overrides it to guard the handler.
  get onmessage(): ((event: { data: unknown }) => void) | null {
    return this.#onmessage;
  }
  set onmessage(handler: ((event: { data: unknown }) => void) | null) {
    this.#onmessage = handler;
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: the socket is not open');
    this.sent.push(data);
  }
  close(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.();
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  /** A frame from the relay, dispatched as an event would be. */
  deliver(data: unknown): void {
    this.#onmessage?.({ data });
  }
}

const wrtc = guardWrtc(fakeWrtc, {
  screen: () => Promise.resolve({ ok: true, kind: 'sync-step1', entries: [] }),
});

// ---- the rooms ----------------------------------------------------------------------------------

type Report = { ok: boolean; reason: string; relay: string; room?: string };

let encrypted: WebrtcProvider;
let plain: WebrtcProvider;
let key: CryptoKey;
let wrongKey: CryptoKey;
let socket: FakeSocket;
const reports: Report[] = [];
/** What the cases reached, so that a target that stopped reaching anything fails. */
const reached = {
  ok: new Map<string, number>(),
  refused: new Map<string, number>(),
  answers: 0,
  offers: 0,
};
const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
const dropped: string[] = [];
const docs = { encrypted: new Y.Doc(), plain: new Y.Doc() };
const originalWebSocket = globalThis.WebSocket;

beforeAll(async () => {
  watchdog.install();
  globalThis.WebSocket = safeWebSocketClass(FakeSocket as unknown as typeof WebSocket, (message) =>
    dropped.push(message),
  );
  docs.encrypted.getMap('txs').set('k', Uint8Array.of(1));
  const options = {
    signaling: [RELAY],
    maxConns: MAX_CONNS,
    filterBcConns: false,
    broadcastChannel: false,
    peerOpts: { wrtc },
  };
  encrypted = new WebrtcProvider(ENCRYPTED_ROOM, docs.encrypted, { ...options, password: SECRET });
  plain = new WebrtcProvider(PLAIN_ROOM, docs.plain, options);
  await Promise.all([encrypted.key, plain.key]);
  for (const provider of [encrypted, plain])
    provider.on('signaling', (report: Report) =>
      reports.push({ ...report, room: provider.roomName }),
    );
  key = await roomKey(SECRET, ENCRYPTED_ROOM);
  wrongKey = await roomKey('another secret', ENCRYPTED_ROOM);
  expect(FakeSocket.all).toHaveLength(1); // both rooms share the relay's one connection
  socket = FakeSocket.all[0] as FakeSocket;
  socket.open();
  await until(() => socket.sent.length >= 3, 'the client to subscribe and announce');
});

afterAll(async () => {
  for (const provider of [encrypted, plain]) {
    provider.disconnect();
    provider.destroy();
    await provider.key;
  }
  globalThis.WebSocket = originalWebSocket;
  watchdog.uninstall();
});

// ---- sealing, as y-webrtc's crypto.js does -------------------------------------------------------

async function seal(value: unknown, with_: CryptoKey): Promise<Uint8Array> {
  const plainText = encoding.createEncoder();
  encoding.writeAny(plainText, value as never);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const cipher = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    with_,
    encoding.toUint8Array(plainText),
  );
  const out = encoding.createEncoder();
  encoding.writeVarString(out, 'AES-GCM');
  encoding.writeVarUint8Array(out, iv);
  encoding.writeVarUint8Array(out, new Uint8Array(cipher));
  return encoding.toUint8Array(out);
}

async function open(sealed: Uint8Array): Promise<unknown> {
  const decoder = decoding.createDecoder(sealed);
  expect(decoding.readVarString(decoder)).toBe('AES-GCM');
  const iv = decoding.readVarUint8Array(decoder).slice();
  const cipher = decoding.readVarUint8Array(decoder).slice();
  const plainText = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, cipher);
  return decoding.readAny(decoding.createDecoder(new Uint8Array(plainText)));
}

// ---- what a hostile relay sends --------------------------------------------------------------------

/** Peer ids: a few that recur (so connections are found again), odd ones, and our own. */
const peerIdArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6') },
  { weight: 2, arbitrary: fc.constant('SELF') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(128), 'x'.repeat(129), '__proto__') },
);

const sdpArb = fc.oneof(
  fc.constant('v=0\r\no=- 3 1 IN IP4 10.0.0.1\r\n'),
  fc.string({ maxLength: 20 }),
  fc.constant(''),
);

const signalArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({
    type: fc.constantFrom('offer', 'answer', 'pranswer', 'rollback', 'bogus'),
    sdp: sdpArb,
  }),
  fc.record({
    candidate: fc.oneof(
      fc.record({
        candidate: fc.string({ maxLength: 20 }),
        sdpMid: fc.constant('0'),
        sdpMLineIndex: fc.constant(0),
      }),
      fc.record({ candidate: fc.string({ maxLength: 20 }) }),
      fc.string({ maxLength: 10 }),
    ),
  }),
  fc.constant({ renegotiate: true }),
  fc.record({
    transceiverRequest: fc.record({
      kind: fc.constantFrom('audio', 'video', 'bogus'),
      init: fc.jsonValue({ maxDepth: 1 }),
    }),
  }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 20 }),
);

const goodPeerId = fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6');
const goodSdp = fc.constant('v=0\r\no=- 3 1 IN IP4 10.0.0.1\r\n');

/** A signaling message of y-webrtc's shape, or near it. */
const signalingArb: fc.Arbitrary<unknown> = fc.oneof(
  // Well-formed: announcements, offers and answers to us, candidates.
  { weight: 3, arbitrary: fc.record({ type: fc.constant('announce'), from: goodPeerId }) },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('signal'),
      from: goodPeerId,
      to: fc.constant('SELF'),
      token: fc.double({ min: 0, max: 2e12, noNaN: true }),
      signal: fc.oneof(
        fc.record({ type: fc.constantFrom('offer', 'answer'), sdp: goodSdp }),
        fc.record({
          candidate: fc.record({
            candidate: fc.constant('candidate:1 1 udp 1 10.0.0.1 9 typ host'),
            sdpMid: fc.constant('0'),
            sdpMLineIndex: fc.constant(0),
          }),
        }),
      ),
    }),
  },
  // Near it, and anything at all.
  {
    weight: 4,
    arbitrary: fc.record(
      {
        type: fc.constantFrom('announce', 'signal', 'bogus'),
        from: fc.oneof(peerIdArb, fc.jsonValue({ maxDepth: 1 })),
        to: fc.oneof(fc.constant('SELF'), peerIdArb, fc.integer()),
        token: fc.oneof(fc.double({ noNaN: false }), fc.string({ maxLength: 4 })),
        signal: signalArb,
      },
      { requiredKeys: ['type', 'from'] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      null,
      undefined,
      0n,
      2n ** 70n,
      Uint8Array.of(1, 2),
      [],
      true,
    ),
  },
);

/** JSON text of anything the generators make (bigints as strings: JSON has none). */
const json = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';

/** Replaces 'SELF' with the room's own peer id (known only once the room is open). */
function withSelf(value: unknown, self: string): unknown {
  if (value === 'SELF') return self;
  if (Array.isArray(value)) return value.map((v) => withSelf(v, self));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSelf(v, self)]));
  return value;
}

/** The data of a publish to the encrypted room. */
type Sealed =
  | { readonly kind: 'sealed'; readonly value: unknown }
  | { readonly kind: 'wrong-key'; readonly value: unknown }
  | { readonly kind: 'damaged'; readonly value: unknown; readonly at: number; readonly bit: number }
  | { readonly kind: 'cut'; readonly value: unknown; readonly at: number }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'plain'; readonly value: unknown };

const sealedArb: fc.Arbitrary<Sealed> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('sealed' as const), value: signalingArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('wrong-key' as const), value: signalingArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('damaged' as const),
      value: signalingArb,
      at: fc.nat(),
      bit: fc.nat(7),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('cut' as const), value: signalingArb, at: fc.nat() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('text' as const),
      text: fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.base64String({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 60 }).map((b) => buffer.toBase64(b)),
        fc.constantFrom('', 'AA', '////', '=', 'A'.repeat(256 * 1024 + 1)),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('plain' as const),
      value: fc.jsonValue({ maxDepth: 2 }),
    }),
  },
);

/** One frame from the relay. */
type Frame =
  | { readonly kind: 'raw'; readonly data: string | ArrayBuffer }
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'encrypted-room'; readonly data: Sealed }
  | { readonly kind: 'plain-room'; readonly value: unknown };

const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      data: fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom('{', '[1,', '{"type":"publish"', 'null', '42', '"publish"', '\u0000'),
        fc.uint8Array({ maxLength: 16 }).map((b) => b.slice().buffer),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('json' as const),
      value: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.record({
          type: fc.constantFrom('publish', 'pong', 'subscribe'),
          topic: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
          data: fc.jsonValue({ maxDepth: 1 }),
        }),
      ),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('encrypted-room' as const), data: sealedArb }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('plain-room' as const), value: signalingArb }),
  },
);

/** The text of a frame, sealing what it carries with the room key. */
async function textOf(frame: Frame): Promise<string | ArrayBuffer> {
  const selfOf = (provider: WebrtcProvider) => provider.room?.peerId ?? 'none';
  switch (frame.kind) {
    case 'raw':
      return frame.data;
    case 'json':
      return json(frame.value);
    case 'plain-room':
      return json({
        type: 'publish',
        topic: PLAIN_ROOM,
        data: withSelf(frame.value, selfOf(plain)),
      });
    case 'encrypted-room': {
      const d = frame.data;
      const self = selfOf(encrypted);
      let data: unknown;
      switch (d.kind) {
        case 'sealed':
          data = buffer.toBase64(await seal(withSelf(d.value, self), key));
          break;
        case 'wrong-key':
          data = buffer.toBase64(await seal(withSelf(d.value, self), wrongKey));
          break;
        case 'damaged': {
          const bytes = await seal(withSelf(d.value, self), key);
          const at = d.at % bytes.length;
          bytes[at] = (bytes[at] ?? 0) ^ (1 << d.bit);
          data = buffer.toBase64(bytes);
          break;
        }
        case 'cut': {
          const bytes = await seal(withSelf(d.value, self), key);
          data = buffer.toBase64(bytes.subarray(0, d.at % bytes.length));
          break;
        }
        case 'text':
          data = d.text;
          break;
        case 'plain':
          data = d.value;
          break;
      }
      return json({ type: 'publish', topic: ENCRYPTED_ROOM, data });
    }
  }
}

// ---- the checks ---------------------------------------------------------------------------------------

const RELAY_TYPES = new Set(['subscribe', 'unsubscribe', 'publish', 'ping']);

/** Everything the client sent: relay messages, and in the encrypted room only ciphertext of ours. */
async function checkSent(sent: readonly string[]): Promise<void> {
  for (const text of sent) {
    const message = JSON.parse(text) as {
      type: string;
      topic?: unknown;
      topics?: unknown;
      data?: unknown;
    };
    expect(RELAY_TYPES.has(message.type)).toBe(true);
    if (message.type !== 'publish') continue;
    if (message.topic === ENCRYPTED_ROOM) {
      expect(typeof message.data).toBe('string');
      const opened = (await open(buffer.fromBase64(message.data as string))) as {
        from?: unknown;
        signal?: { type?: unknown };
      };
      expect(opened.from).toBe(encrypted.room?.peerId);
      if (opened.signal?.type === 'answer') reached.answers++;
      if (opened.signal?.type === 'offer') reached.offers++;
    } else {
      expect(message.topic).toBe(PLAIN_ROOM);
      expect((message.data as { from?: unknown }).from).toBe(plain.room?.peerId);
    }
  }
}

/**
 * Closes every connection the last case opened. A message of the last case may still be
 * decrypting (a well-formed one of our own id is not reported, so the case could not wait for
 * it) and open one meanwhile: whatever appears is closed too.
 */
async function dropConnections(): Promise<void> {
  const destroyed = new WeakSet<object>();
  await until(() => {
    for (const provider of [encrypted, plain]) {
      for (const conn of provider.room?.webrtcConns.values() ?? []) {
        if (destroyed.has(conn)) continue;
        destroyed.add(conn);
        conn.destroy();
      }
    }
    return [encrypted, plain].every((p) => (p.room?.webrtcConns.size ?? 0) === 0);
  }, 'the connections to close');
}

const stateOf = (doc: Y.Doc) => Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64');

async function runCase(frames: readonly Frame[]): Promise<void> {
  await dropConnections();
  await settle();
  reports.length = 0;
  const before = { encrypted: stateOf(docs.encrypted), plain: stateOf(docs.plain) };
  const texts = await Promise.all(frames.map(textOf));
  let encryptedPublishes = 0;
  for (const [i, text] of texts.entries()) {
    // A real WebSocket would report a throw from here as an uncaught exception.
    expect(() => socket.deliver(text)).not.toThrow();
    const frame = frames[i] as Frame;
    if (frame.kind === 'encrypted-room') encryptedPublishes++;
    for (const provider of [encrypted, plain])
      expect(provider.room?.webrtcConns.size ?? 0).toBeLessThanOrEqual(MAX_CONNS);
  }
  // Each publish to the encrypted room is reported once, unless it is a well-formed one from
  // our own id (the relay echoing us): wait for the others (decryption is asynchronous).
  const fromSelf = frames.filter(
    (f) =>
      f.kind === 'encrypted-room' &&
      f.data.kind === 'sealed' &&
      (f.data.value as { from?: unknown } | null)?.from === 'SELF',
  ).length;
  await until(
    () => reports.filter((r) => r.room === ENCRYPTED_ROOM).length >= encryptedPublishes - fromSelf,
    'the signaling reports',
  );
  // Announcements and offers from new peers together open at most maxConns connections (the
  // patch bounds offers too since 7babf2a; see the regression below).
  for (const provider of [encrypted, plain])
    expect(provider.room?.webrtcConns.size ?? 0).toBeLessThanOrEqual(MAX_CONNS);
  // Let simple-peer's offers and answers go out (sealing them takes a while; what is sent
  // later still gets checked, with the next case).
  await new Promise((resolve) => setTimeout(resolve, 2));
  await settle();
  for (const report of reports) {
    expect(report.relay).toBe(RELAY);
    expect(typeof report.reason).toBe('string');
    count(report.ok ? reached.ok : reached.refused, report.reason);
  }
  await checkSent(socket.sent.splice(0));
  expect({ encrypted: stateOf(docs.encrypted), plain: stateOf(docs.plain) }).toEqual(before);
}

describe('fuzz: y-webrtc signaling from a hostile relay', () => {
  it('never throws, never leaves a rejection, never touches the doc, and sends only ciphertext', async () => {
    await fuzz(
      'y-webrtc signaling',
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 8 }), (frames) =>
        watchdog.run('signaling frames', () => runCase(frames), { retry: false }),
      ),
      1201,
      500,
    );
  });

  it('regression: a message sealed with another secret (the lead patched y-webrtc in e4204a9)', async () => {
    // Unpatched, decryptJson's OperationError was an unhandled rejection: every honest peer in
    // the room died of one peer whose invitation had a typo in its secret.
    await watchdog.run(
      'a wrong-key message',
      () =>
        runCase([
          {
            kind: 'encrypted-room',
            data: { kind: 'wrong-key', value: { type: 'announce', from: 'p1' } },
          },
        ]),
      { retry: false },
    );
    expect(reports.at(-1)).toMatchObject({ ok: false, reason: 'undecryptable' });
  });

  // FINDING: any member of the room could make a peer open any number of RTCPeerConnections
  // (each a native connection with its threads in @roamhq/wrtc) by sending offers from made-up
  // peer ids: y-webrtc's 'signal' branch created a WebrtcConn for every new sender without the
  // maxConns check that 'announce' has. Six offers left six connections with maxConns 4; runCase
  // now holds the count to MAX_CONNS.
  it('regression: offers from more peers than maxConns (fixed in the patch, 7babf2a)', async () => {
    const offers: Frame[] = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((from) => ({
      kind: 'encrypted-room',
      data: {
        kind: 'sealed',
        value: {
          type: 'signal',
          from,
          to: 'SELF',
          token: 1,
          signal: { type: 'offer', sdp: 'v=0\r\n' },
        },
      },
    }));
    await watchdog.run('an offer flood', () => runCase(offers), { retry: false });
  });

  it(`ran ${runs(500) + 2} cases; relay frames that were not JSON were dropped, not thrown`, () => {
    expect(watchdog.cases).toBe(runs(500) + 2);
    expect(dropped.length).toBeGreaterThan(0);
    // The cases got everywhere: connections made both ways, and every kind of refusal.
    expect(FakePeerConnection.created).toBeGreaterThan(10);
    expect(reached.offers).toBeGreaterThan(0);
    expect(reached.answers).toBeGreaterThan(0);
    expect([...reached.ok.keys()].sort()).toEqual(['announce', 'signal']);
    expect([...reached.refused.keys()].sort()).toEqual(
      expect.arrayContaining(['malformed', 'not-encrypted', 'too-large', 'undecryptable']),
    );
  });
});
