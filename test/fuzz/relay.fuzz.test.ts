// Fuzz target: the signaling relay (node/net/signalingRelay.ts), as any client that reaches its
// port can talk to it: JSON text of every shape (wrong types, deep nesting, odd keys), non-JSON
// text, invalid UTF-8, binary frames, messages over the size bound, and floods of subscribe,
// publish and ping. Three clients of a real relay on 127.0.0.1 send sequences of these, and what
// each client receives is compared with a model built from how each message was generated:
// pings are answered, a publish reaches exactly the subscribers of its topic and only when its
// sender subscribed, topics per connection stay bounded, and nothing else is ever sent. The
// relay must never throw (it runs inside every peer) nor stall on any input.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  MAX_RELAY_JSON_DEPTH,
  startSignalingRelay,
  type SignalingRelay,
} from '../../node/net/signalingRelay.ts';
import { checkActive, deepJsonText, fuzz, runs, until, Watchdog } from './harness.ts';

const MAX_TOPICS = 4;
const MAX_BYTES = 64 * 1024;
const CLIENTS = 3;

type Effect =
  | { readonly kind: 'none' }
  | { readonly kind: 'close'; readonly code: number }
  | { readonly kind: 'subscribe' | 'unsubscribe'; readonly topics: readonly string[] }
  | { readonly kind: 'publish'; readonly topic: string; readonly data: string }
  | { readonly kind: 'ping' };

interface Message {
  /** A text frame (a string), or raw bytes sent as a text or a binary frame. */
  readonly payload: string | { readonly bytes: Uint8Array; readonly binary: boolean };
  /** What the relay must do with it, known from how it was made. */
  readonly effect: Effect;
}

const NONE: Effect = { kind: 'none' };
const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');
const isTopic = (topic: string) => topic.length >= 1 && topic.length <= 256;

const topicArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f') },
  { weight: 2, arbitrary: fc.string({ maxLength: 12, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(256), 'x'.repeat(257), '__proto__') },
  { weight: 1, arbitrary: fc.string({ minLength: 250, maxLength: 300 }) },
);

const wrongTopics = fc.constantFrom<unknown>(null, 'a', 5, {}, [1], [null], [['a']], true);

/** The depth of a parsed JSON value: a scalar is 0, each array or object adds one. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((max, child) => Math.max(max, depthOf(child)), 0);
}

/** Publish data as text, with its nesting depth: ordinary JSON, or nested far too deep. */
const dataArb: fc.Arbitrary<{ text: string; depth: number }> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => {
      const text = JSON.stringify(value);
      return { text, depth: depthOf(JSON.parse(text)) };
    }),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.oneof(
          fc.integer({ min: 1, max: 40 }),
          fc.integer({ min: MAX_RELAY_JSON_DEPTH - 2, max: MAX_RELAY_JSON_DEPTH + 2 }),
          fc.integer({ min: 40, max: 30_000 }),
        ),
        fc.constantFrom<'array' | 'object'>('array', 'object'),
      )
      .map(([depth, kind]) => ({ text: deepJsonText(depth, kind), depth })),
  },
);

const withExtra = (record: Record<string, unknown>, extra: unknown) =>
  extra === undefined ? record : { ...record, extra };

const extraArb = fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined, freq: 3 });

/** Any message over the size bound is closed on (1009), whatever it says. */
const sized = (message: Message): Message =>
  typeof message.payload === 'string' && utf8Length(message.payload) > MAX_BYTES
    ? { ...message, effect: { kind: 'close', code: 1009 } }
    : message;

const structured: fc.Arbitrary<Message> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom('subscribe' as const, 'unsubscribe' as const),
        fc.array(topicArb, { maxLength: 70 }),
        extraArb,
      )
      .map(([type, topics, extra]) => {
        const valid = topics.length <= 64 && topics.every(isTopic);
        return {
          payload: JSON.stringify(withExtra({ type, topics }, extra)),
          effect: valid ? { kind: type, topics } : NONE,
        };
      }),
  },
  {
    weight: 4,
    arbitrary: fc.tuple(topicArb, dataArb).map(([topic, data]) => ({
      payload: `{"type":"publish","topic":${JSON.stringify(topic)},"data":${data.text}}`,
      // The message is one level deeper than its data.
      effect:
        isTopic(topic) && data.depth + 1 <= MAX_RELAY_JSON_DEPTH
          ? { kind: 'publish' as const, topic, data: data.text }
          : NONE,
    })),
  },
  {
    weight: 2,
    arbitrary: extraArb.map((extra) => ({
      payload: JSON.stringify(withExtra({ type: 'ping' }, extra)),
      effect: { kind: 'ping' as const },
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.record({ type: fc.constantFrom('subscribe', 'unsubscribe'), topics: wrongTopics }),
        fc.record({ type: fc.constant('publish'), topic: wrongTopics }),
        fc.record({ type: fc.constant('publish'), data: fc.jsonValue({ maxDepth: 2 }) }),
        fc.record({
          type: fc.constantFrom('pong', 'PING', 'announce', '', 'publish ', '__proto__'),
        }),
        fc.record({ type: wrongTopics }),
        fc.jsonValue({ maxDepth: 3 }),
      )
      .map((value) => {
        return { payload: JSON.stringify(value), effect: NONE };
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 1, max: 30_000 }),
        fc.constantFrom<'array' | 'object'>('array', 'object'),
      )
      .map(([depth, kind]) => ({ payload: deepJsonText(depth, kind), effect: NONE })),
  },
  {
    weight: 1,
    arbitrary: fc.string({ maxLength: 64 }).map((text) => ({ payload: `#${text}`, effect: NONE })),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({
      payload: { bytes, binary: true },
      effect: NONE,
    })),
  },
  {
    weight: 1,
    // Bytes in a text frame: the relay's WebSocket closes on invalid UTF-8 (1007).
    arbitrary: fc.uint8Array({ maxLength: 32 }).map((bytes) => {
      const framed = Uint8Array.from([0x23, ...bytes]); // '#': never JSON
      let valid = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(framed);
      } catch {
        valid = false;
      }
      return {
        payload: { bytes: framed, binary: false },
        effect: valid ? NONE : { kind: 'close' as const, code: 1007 },
      };
    }),
  },
  {
    weight: 1,
    // Over the size bound, whatever it says: the connection is closed (1009).
    arbitrary: fc.integer({ min: MAX_BYTES - 30, max: 4 * MAX_BYTES }).map((size) => {
      const text = `{"type":"publish","topic":"a","data":"${'x'.repeat(size)}"}`;
      return {
        payload: text,
        effect:
          utf8Length(text) > MAX_BYTES
            ? { kind: 'close' as const, code: 1009 }
            : { kind: 'none' as const },
      };
    }),
  },
);

interface Action {
  readonly client: number;
  readonly message: Message;
  /** The same message this many times in one burst (a flood). */
  readonly repeat: number;
}

const actionArb: fc.Arbitrary<Action> = fc.record({
  client: fc.nat(CLIENTS - 1),
  message: structured.map(sized),
  repeat: fc.oneof(
    { weight: 9, arbitrary: fc.constant(1) },
    { weight: 1, arbitrary: fc.integer({ min: 2, max: 200 }) },
  ),
});

class Client {
  readonly received: string[] = [];
  readonly expected: string[] = [];
  readonly subscribed = new Set<string>();
  closed: number | null = null;
  #wake: (() => void) | null = null;

  readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary) => {
      this.received.push(isBinary ? `<binary ${data.length}>` : data.toString('utf8'));
      this.#wake?.();
    });
    ws.on('close', (code) => {
      this.closed = code;
      this.#wake?.();
    });
    ws.on('error', () => undefined);
  }

  static async open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Client(ws);
  }

  send(message: Message): void {
    const { payload } = message;
    if (typeof payload === 'string') this.ws.send(payload);
    else this.ws.send(payload.bytes, { binary: payload.binary });
  }

  /**
   * Resolves once `condition` holds, checked whenever something arrives; fails after 5 s, or at
   * once when the watchdog sees the process in trouble.
   */
  async wait(condition: () => boolean, what: string): Promise<void> {
    const deadline = setTimeout(() => this.#wake?.(), 5_000);
    const stop = watchdog.onIncident(() => this.#wake?.());
    const start = performance.now();
    try {
      while (!condition()) {
        checkActive(`waiting for ${what}`);
        if (performance.now() - start >= 5_000) throw new Error(`timed out waiting for ${what}`);
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      clearTimeout(deadline);
      stop();
      this.#wake = null;
    }
  }
}

/** The relay's behaviour as the model sees it: who is subscribed to what. */
function apply(effect: Effect, sender: Client, clients: readonly Client[]): void {
  switch (effect.kind) {
    case 'subscribe':
      for (const topic of effect.topics) {
        if (sender.subscribed.size >= MAX_TOPICS && !sender.subscribed.has(topic)) break;
        sender.subscribed.add(topic);
      }
      break;
    case 'unsubscribe':
      for (const topic of effect.topics) sender.subscribed.delete(topic);
      break;
    case 'publish': {
      if (!sender.subscribed.has(effect.topic)) break;
      const receivers = clients.filter((c) => c.closed === null && c.subscribed.has(effect.topic));
      const out = JSON.stringify({
        type: 'publish',
        topic: effect.topic,
        data: JSON.parse(effect.data) as unknown,
        clients: receivers.length,
      });
      for (const receiver of receivers) receiver.expected.push(out);
      break;
    }
    case 'ping':
      sender.expected.push('{"type":"pong"}');
      break;
    case 'none':
    case 'close':
      break;
  }
}

const PONG = '{"type":"pong"}';

let relay: SignalingRelay;
const startRelay = () =>
  startSignalingRelay({ maxTopicsPerConnection: MAX_TOPICS, maxMessageBytes: MAX_BYTES });
const watchdog = new Watchdog();

beforeAll(async () => {
  watchdog.install();
  relay = await startRelay();
});

afterAll(async () => {
  for (const client of pool) client.ws.terminate();
  if (!poolDirty) await relay.close();
  watchdog.uninstall();
});

/** Every open client pings and waits for its pong: after that, it got all it will get. */
async function barrier(clients: readonly Client[], first: Client): Promise<void> {
  for (const client of [first, ...clients.filter((c) => c !== first)]) {
    if (client.closed !== null) continue;
    client.ws.send('{"type":"ping"}');
    client.expected.push(PONG);
    await client.wait(
      () => client.received.length >= client.expected.length || client.closed !== null,
      'the relay to answer a ping',
    );
    expect(client.received).toEqual(client.expected);
  }
}

/** The three clients, kept open from case to case (opening them is most of a case's cost). */
let pool: Client[] = [];
/** Set while a case runs: a case that did not finish leaves the pool in an unknown state. */
let poolDirty = false;

/** Starts a case: closed clients are replaced, and every client unsubscribes from everything. */
async function freshClients(): Promise<Client[]> {
  if (poolDirty) {
    // The last case failed half-way: start over with a new relay and new clients.
    for (const client of pool) client.ws.terminate();
    pool = [];
    // Not awaited: a relay that threw may never finish closing (a crash would have ended it).
    void relay.close();
    relay = await startRelay();
  }
  poolDirty = true;
  const replaced = pool.length < CLIENTS || pool.some((c) => c.closed !== null);
  pool = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => {
      const client = pool[i];
      return client && client.closed === null ? Promise.resolve(client) : Client.open(relay.url);
    }),
  );
  if (replaced) await until(() => relay.connections() === CLIENTS, 'the relay to see the clients');
  for (const client of pool) {
    if (client.subscribed.size > 0) {
      client.ws.send(JSON.stringify({ type: 'unsubscribe', topics: [...client.subscribed] }));
      client.subscribed.clear();
    }
  }
  await barrier(pool, pool[0] as Client);
  for (const client of pool) {
    client.received.length = 0;
    client.expected.length = 0;
  }
  return pool;
}

async function runCase(actions: readonly Action[]): Promise<void> {
  const clients = await freshClients();
  for (const action of actions) {
    const sender = clients[action.client] as Client;
    if (sender.closed !== null) continue;
    const { effect } = action.message;
    for (let i = 0; i < action.repeat; i++) {
      sender.send(action.message);
      if (effect.kind === 'close') break;
      apply(effect, sender, clients);
    }
    if (effect.kind === 'close') {
      await sender.wait(() => sender.closed !== null, 'the relay to close the connection');
      expect(sender.closed).toBe(effect.code);
      sender.subscribed.clear();
      const open = clients.filter((c) => c.closed === null).length;
      await until(() => relay.connections() === open, 'the relay to forget the connection');
    }
    await barrier(clients, sender);
  }
  poolDirty = false;
}

describe('fuzz: signaling relay messages', () => {
  it('answers, forwards and refuses exactly as its model says, and never throws', async () => {
    await fuzz(
      'relay messages',
      fc.asyncProperty(fc.array(actionArb, { minLength: 1, maxLength: 10 }), (actions) =>
        watchdog.run('a relay message sequence', () => runCase(actions), {
          retry: false,
          boundMs: 1_000,
        }),
      ),
      1301,
      250,
    );
  });

  const subscribeA: Action = {
    client: 0,
    repeat: 1,
    message: {
      payload: '{"type":"subscribe","topics":["a"]}',
      effect: { kind: 'subscribe', topics: ['a'] },
    },
  };
  const regressions: Array<[string, Action[]]> = [
    [
      // Every peer's relay died of it: forwarding serialised the data again with JSON.stringify,
      // which overflowed the stack inside the WebSocket's message handler (uncaught RangeError).
      'regression: a publish with data nested 20,000 deep ({"type":"publish","topic":"a","data":[[[…0…]]]}, seed 1301)',
      [
        subscribeA,
        {
          client: 0,
          repeat: 1,
          message: {
            payload: `{"type":"publish","topic":"a","data":${deepJsonText(20_000, 'array')}}`,
            effect: NONE,
          },
        },
      ],
    ],
    [
      // ws emits 'error' on the connection for a protocol violation; the relay had no listener,
      // so the error was thrown as an uncaught exception (found at once, seed 1301).
      'regression: a text frame of invalid UTF-8 (bytes 23 80, seed 1301)',
      [
        subscribeA,
        {
          client: 0,
          repeat: 1,
          message: {
            payload: { bytes: Uint8Array.of(0x23, 0x80), binary: false },
            effect: { kind: 'close', code: 1007 },
          },
        },
      ],
    ],
    [
      // The same missing listener: a message over maxPayload (found with it, seed 1301).
      'regression: a message one byte over the size bound',
      [
        subscribeA,
        {
          client: 1,
          repeat: 1,
          message: sized({ payload: `"${'x'.repeat(MAX_BYTES - 1)}"`, effect: NONE }),
        },
      ],
    ],
  ];
  for (const [name, actions] of regressions) {
    it(name, () => watchdog.run(name, () => runCase(actions), { retry: false, boundMs: 1_000 }));
  }

  it(`ran ${runs(250) + 3} cases, and the event loop never stalled`, () => {
    expect(watchdog.cases).toBe(runs(250) + 3);
    expect(watchdog.maxEventLoopDelayMs()).toBeLessThan(1_000);
  });
});
