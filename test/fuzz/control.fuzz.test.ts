// Fuzz target: the control socket of a running CLI peer (node/cli/control.ts). Only this user can
// connect (the socket is 0600), but what arrives is still untrusted bytes: any program of the
// user's, or a confused one, can write anything. Through its public functions:
//
// - lineReader, the framing, over any byte stream cut into any chunks: the same lines as a plain
//   split on newlines, every line over the bound reported once and never held whole;
// - serveControl over a real Unix socket: any mix of requests, garbage lines, invalid UTF-8 and
//   oversized lines gets exactly one JSON answer per line, a request reaches the handler with
//   its method and params and nothing else does, a caller that hangs up mid-request harms
//   nothing, and the server keeps answering;
// - the contract (shared/control/contract.ts) on the running peer's handler (peerControl.ts),
//   over the socket: random params for every method, mutated from a good request or made up,
//   are either refused with a sentence that names the method and repeats no value, before
//   anything runs, or run; and every method sees both.
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callControl,
  lineReader,
  MAX_REQUEST_BYTES,
  serveControl,
  toJson,
} from '../../node/cli/control.ts';
import { control } from '../../node/cli/peerControl.ts';
import {
  CONTROL_METHODS,
  parseControlRequest,
  type ControlMethod,
} from '../../shared/control/contract.ts';
import { fakePeer, NO_GENESIS } from '../cli/fakePeer.ts';
import { FUZZ_SCALE, fuzz, hostileJsonText, runs, Watchdog } from './harness.ts';

const watchdog = new Watchdog();
let dir: string;
let server: Server;
let path: string;
const handled: Array<{ method: string; params: unknown }> = [];
/** A socket answered by the running peer's own handler, on a fake peer (test/cli/fakePeer.ts). */
let peerServer: Server;
let peerPath: string;
const peer = fakePeer();

beforeAll(async () => {
  watchdog.install();
  dir = await mkdtemp(join(tmpdir(), 'gpow-control-fuzz-'));
  path = join(dir, 'control.sock');
  server = await serveControl(path, (method, params) => {
    handled.push({ method, params });
    if (method === 'throw') return Promise.reject(new Error(`refused ${JSON.stringify(params)}`));
    if (method === 'slow') return new Promise((resolve) => setTimeout(() => resolve('slow'), 3));
    return Promise.resolve({ echo: method, amount: 12n });
  });
  peerPath = join(dir, 'peer.sock');
  peerServer = await serveControl(peerPath, (method, params) => control(peer.ctx, method, params));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => peerServer.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
  watchdog.uninstall();
});

// ---- the framing ---------------------------------------------------------------------------

/** What a line reader must report for a whole stream, from a plain split on newlines. */
function referenceEvents(stream: Buffer, max: number): string[] {
  const events: string[] = [];
  const pieces: Buffer[] = [];
  let start = 0;
  for (let nl = stream.indexOf(0x0a); nl >= 0; nl = stream.indexOf(0x0a, start)) {
    pieces.push(stream.subarray(start, nl));
    start = nl + 1;
  }
  for (const piece of pieces)
    events.push(piece.length > max ? 'too long' : `line:${piece.toString('utf8')}`);
  // An unfinished last line is reported as soon as it is too long.
  if (stream.length - start > max) events.push('too long');
  return events;
}

const streamArb = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.constant(Uint8Array.of(0x0a)),
      fc.integer({ min: 0, max: 300 }).map((n) => new Uint8Array(n).fill(0x61)),
      fc.string({ maxLength: 20, unit: 'binary' }).map((s) => Buffer.from(`${s}\n`)),
    ),
    { maxLength: 20 },
  )
  .map((parts) => Buffer.concat(parts));

describe('fuzz: the control socket', () => {
  it('frames any byte stream, cut anywhere, into the same lines as a plain split', async () => {
    await fuzz(
      'control framing',
      fc.asyncProperty(
        streamArb,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 1, max: 200 }),
        (stream, cuts, max) =>
          watchdog.run('a control stream', () => {
            const events: string[] = [];
            const read = lineReader(
              max,
              (line) => events.push(`line:${line}`),
              () => events.push('too long'),
            );
            const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort(
              (a, b) => a - b,
            );
            let from = 0;
            for (const to of [...points, stream.length]) {
              read(stream.subarray(from, to));
              from = to;
            }
            expect(events).toEqual(referenceEvents(stream, max));
          }),
      ),
      801,
      3_000,
    );
  });

  // ---- the server --------------------------------------------------------------------------

  /** One line a caller might send, and whether it is a request the handler must see. */
  type Line =
    | {
        readonly kind: 'request';
        readonly id: number;
        readonly method: string;
        readonly params: object | undefined;
      }
    | { readonly kind: 'noise'; readonly bytes: Buffer }
    | { readonly kind: 'blank'; readonly bytes: Buffer }
    | { readonly kind: 'huge'; readonly bytes: Buffer };

  const lineArb: fc.Arbitrary<Line> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('request' as const),
        id: fc.constant(0), // numbered in the case
        method: fc.oneof(
          fc.constantFrom('status', 'send', 'throw', 'slow', '__proto__', 'constructor'),
          fc.string({ minLength: 1, maxLength: 64 }),
        ),
        params: fc.option(
          fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })),
          {
            nil: undefined,
          },
        ),
      }),
    },
    {
      weight: 4,
      arbitrary: fc
        .oneof(
          // Never a request by accident: only the lines of kind 'request' may reach the handler.
          hostileJsonText.filter((t) => t.length < MAX_REQUEST_BYTES && !t.includes('"method"')),
          fc.string({ maxLength: 80 }).filter((t) => !t.includes('"method"')),
          fc.constantFrom(
            '{"method":""}',
            '{"method":5}',
            '{"method":"x","params":[]}',
            '{"method":"x","params":null}',
            '{"method":"x","params":"p"}',
            `{"method":"${'m'.repeat(65)}"}`,
            '{"id":1.5,"method":"x"}',
            '{"id":{},"method":"x"}',
            '{"id":"s"}',
            'null',
            '[]',
            '"method"',
          ),
          fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
        )
        .map((text) => ({
          kind: 'noise' as const,
          bytes: Buffer.from(text.replaceAll('\n', ' ')),
        })),
    },
    {
      weight: 1,
      // Invalid UTF-8: decoded with replacement characters, then refused as not JSON.
      arbitrary: fc.uint8Array({ minLength: 1, maxLength: 16 }).map((b) => ({
        kind: 'noise' as const,
        bytes: Buffer.from([0xff, ...b.filter((x) => x !== 0x0a)]),
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', ' ', '\t', '\r', '\u00a0').map((text) => ({
        kind: 'blank' as const,
        bytes: Buffer.from(text),
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: MAX_REQUEST_BYTES + 1, max: 3 * MAX_REQUEST_BYTES })
        .map((n) => ({ kind: 'huge' as const, bytes: Buffer.alloc(n, 0x7b) })),
    },
  );

  function bytesOf(line: Line): Buffer {
    if (line.kind !== 'request') return line.bytes;
    const request: Record<string, unknown> = { id: line.id, method: line.method };
    if (line.params !== undefined) request.params = line.params;
    return Buffer.from(JSON.stringify(request));
  }

  /** Opens a connection that collects the answer lines. */
  async function connect(): Promise<{ socket: Socket; answers: unknown[]; closed: () => boolean }> {
    const socket = createConnection(path);
    const answers: unknown[] = [];
    let closed = false;
    socket.on(
      'data',
      lineReader(
        64 * 1024 * 1024,
        (line) => answers.push(JSON.parse(line)),
        () => answers.push('an answer over the bound'),
      ),
    );
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return { socket, answers, closed: () => closed };
  }

  it('answers every line once, runs only requests, and survives callers that hang up', async () => {
    await fuzz(
      'control server',
      fc.asyncProperty(
        fc.array(lineArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.boolean(),
        (generated, cuts, hangUp) =>
          watchdog.run(
            'a control connection',
            async () => {
              // Requests numbered in order, so that each answer can be matched to its request
              // (two requests with one id got two answers with it, as they should).
              const lines = generated.map((line, i) =>
                line.kind === 'request' ? { ...line, id: i } : line,
              );
              handled.length = 0;
              const { socket, answers, closed } = await connect();
              const stream = Buffer.concat(
                lines.flatMap((line) => [bytesOf(line), Buffer.of(0x0a)]),
              );
              const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort(
                (a, b) => a - b,
              );
              let from = 0;
              for (const to of [...points, stream.length]) {
                socket.write(stream.subarray(from, to));
                from = to;
              }
              const expected = lines.filter(
                (line) =>
                  line.kind !== 'blank' &&
                  !(line.kind === 'noise' && line.bytes.toString('utf8').trim() === ''),
              ).length;
              const requests = lines.filter((line) => line.kind === 'request');
              if (hangUp) {
                socket.destroy();
                // Whatever was under way finishes against a closed socket; then a new caller
                // is answered as usual.
                await new Promise((resolve) => setTimeout(resolve, 5));
                const probe = await connect();
                probe.socket.write('{"id":"probe","method":"status"}\n');
                await waitFor(() => probe.answers.length >= 1, 'the probe');
                expect(probe.answers[0]).toMatchObject({
                  id: 'probe',
                  result: { echo: 'status', amount: '12' },
                });
                probe.socket.destroy();
                return;
              }
              await waitFor(() => answers.length >= expected || closed(), 'the answers');
              await new Promise((resolve) => setImmediate(resolve));
              socket.destroy();
              expect(answers).toHaveLength(expected);
              // Every request reached the handler with its method and params, and nothing else did.
              const calls = (entries: ReadonlyArray<{ method: string; params: unknown }>) =>
                entries.map((e) => JSON.stringify([e.method, e.params])).sort();
              expect(calls(handled)).toEqual(
                calls(requests.map((r) => ({ method: r.method, params: r.params ?? {} }))),
              );
              for (const request of requests) {
                const answer = answers.find(
                  (a) =>
                    (a as { id?: unknown }).id === request.id &&
                    ('result' in (a as object) || 'error' in (a as object)),
                );
                expect(answer).toBeDefined();
                if (request.method === 'throw') expect(answer).toHaveProperty('error.message');
                else expect(answer).toHaveProperty('result');
              }
              for (const answer of answers) {
                expect(answer).toBeTypeOf('object');
                const a = answer as {
                  id?: unknown;
                  result?: unknown;
                  error?: { message?: unknown };
                };
                expect('result' in a || typeof a.error?.message === 'string').toBe(true);
              }
              const huge = lines.filter((line) => line.kind === 'huge').length;
              expect(
                answers.filter((a) =>
                  /larger than/.test(
                    String((a as { error?: { message?: string } }).error?.message),
                  ),
                ),
              ).toHaveLength(huge);
            },
            { retry: false },
          ),
      ),
      802,
      400,
    );
  });

  it('regression: one request, then the caller hangs up (seed 802, on the control socket before 6bf8ca0)', async () => {
    // The answer was written to a closed socket with no 'error' listener: EPIPE, an uncaught
    // exception, and the running peer was gone. Fixed in 6bf8ca0; the first case of this target
    // found it there.
    await watchdog.run(
      'a caller that hangs up',
      async () => {
        const { socket } = await connect();
        socket.write('{"id":0,"method":"status"}\n');
        socket.destroy();
        await new Promise((resolve) => setTimeout(resolve, 10));
        const probe = await connect();
        probe.socket.write('{"id":"probe","method":"status"}\n');
        await waitFor(() => probe.answers.length >= 1, 'the probe');
        probe.socket.destroy();
      },
      { retry: false },
    );
  });

  // ---- the contract ------------------------------------------------------------------------

  const HEX = 'cd'.repeat(32);
  /** One good request per method; the mapped type makes a new method fail to compile without. */
  const GOOD: { readonly [M in ControlMethod]: Record<string, unknown> } = {
    status: {},
    send: { to: 'gpow1someone', amount: '5', memo: 'lunch' },
    balance: { address: 'gpow1someone' },
    history: { limit: 20 },
    'ssk-share': { to: 'gpow1someone', purpose: 'messages', expiresDays: 30 },
    'ssk-revoke': { to: 'gpow1someone' },
    'ssk-list': {},
    'msg-send': { to: 'gpow1someone', text: 'hello' },
    'msg-read': { with: 'gpow1someone' },
    'file-send': { to: 'gpow1someone', path: '/nonexistent/gpow-fuzz' },
    'file-list': { with: 'gpow1someone' },
    'file-save': { with: 'gpow1someone', id: 'f1', path: '/nonexistent/gpow-fuzz' },
    'market-offer': { service: 'pow', capacity: '0', rate: '2' },
    'market-service-register': {
      name: 'n',
      unit: 'u',
      evaluation: 'review',
      fields: [['title', 'text', false, true]],
    },
    'market-services': {},
    'market-bond': { amount: '10' },
    'market-negotiate': { service: 'pow', difficulty: 8, data: 'x', exclude: [HEX] },
    'market-request': { service: 'compute', fn: 'sha256', input: 'ab', within: [1, 2, 3, 4] },
    'market-jobs': {},
    'market-evaluate': { request: HEX, verdict: 'approve' },
    'market-deliver': { request: HEX, text: 'done' },
    'market-decline': { request: HEX, reason: 'busy' },
    'device-list': {},
    'device-pair': { name: 'phone', allowance: '100' },
    'device-revoke': { device: 'phone', to: 'original' },
    'profile-set': { name: 'Ana', note: 'desk 4', avatar: 'iVBORw0KGgo=', showBalance: true },
    'profile-show': { address: 'gpow1someone' },
    'member-list': {},
    'witness-list': {},
    'witness-propose': { change: 'replace', address: 'gpow1new', old: 'gpow1old' },
    'witness-approve': { change: '0123456789ab' },
    'network-refound': { name: 'Again', witnesses: ['gpow1someone'] },
    'room-rotate': {},
    'invite-create': { once: true, expires: 1_900_000_000_000 },
    'invite-list': {},
    'invite-revoke': { id: '0123abcd' },
  };
  const KEYS = [...new Set(Object.values(GOOD).flatMap((p) => Object.keys(p)))];
  /** Marks values that a refusal must never repeat. */
  const SECRET = 'SECRET-';

  const valueArb: fc.Arbitrary<unknown> = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.string({ maxLength: 12 }).map((s) => `${SECRET}${s}`),
    fc.array(
      fc.string({ maxLength: 6 }).map((s) => `${SECRET}${s}`),
      { maxLength: 3 },
    ),
    fc.bigInt({ min: -5n, max: 10n ** 20n }).map(String),
    fc.constantFrom(HEX, HEX.toUpperCase(), 'gpow1someone', '', 'pow', 'approve', 1.5, -1, 2 ** 53),
    fc.integer({ min: -10, max: 100_000 }),
  );

  /** A request: a good one, mutated or not, or any params for any method name. */
  const requestArb = fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .record({
          method: fc.constantFrom(...CONTROL_METHODS),
          // Left as it is, one key dropped, or one key set (a known one, or any).
          mutation: fc.oneof(
            { weight: 2, arbitrary: fc.constant(null) },
            { weight: 1, arbitrary: fc.record({ drop: fc.nat() }) },
            {
              weight: 2,
              arbitrary: fc.record({
                key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })),
                value: valueArb,
              }),
            },
          ),
        })
        .map(({ method, mutation }) => {
          const params: Record<string, unknown> = { ...GOOD[method] };
          const keys = Object.keys(params);
          if (mutation && 'drop' in mutation && keys.length > 0)
            delete params[keys[mutation.drop % keys.length]!];
          if (mutation && 'key' in mutation) params[mutation.key] = mutation.value;
          return { method: method, params: params };
        }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        method: fc.oneof(
          fc.constantFrom(...CONTROL_METHODS, '__proto__', 'constructor', 'hasOwnProperty'),
          fc.string({ minLength: 1, maxLength: 64 }),
        ),
        params: fc.dictionary(
          fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })),
          valueArb,
          {
            maxKeys: 5,
          },
        ),
      }),
    },
  );

  const seen = new Map<string, { refused: number; ran: number }>();

  it('refuses a bad request for any method with a sentence before anything runs, or runs it', async () => {
    await fuzz(
      'control contract',
      fc.asyncProperty(requestArb, ({ method, params }) =>
        watchdog.run('a control request', async () => {
          peer.touched.length = 0;
          const answer = await callControl(peerPath, method, params).then(
            (result: unknown) => ({ result }),
            (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
          );
          // What the peer parsed: the params as JSON carried them.
          const parsed = parseControlRequest(method, JSON.parse(toJson(params)) as unknown);
          const tally = seen.get(method) ?? { refused: 0, ran: 0 };
          seen.set(method, tally);
          if (!parsed.ok) {
            tally.refused++;
            expect(answer).toEqual({ error: parsed.message });
            expect(parsed.message).toMatch(
              new RegExp(
                `^(unknown method "|the request "${method.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" has a bad parameter)`,
              ),
            );
            expect(parsed.message).not.toContain(SECRET);
            expect(parsed.message).not.toMatch(/received/i);
            expect(peer.touched).toEqual([]);
            return;
          }
          tally.ran++;
          expect(peer.touched).not.toEqual([]);
          if (method === 'status') expect(answer).toHaveProperty('result.running', true);
          else expect(answer).toEqual({ error: expect.stringMatching(NO_GENESIS) as unknown });
        }),
      ),
      803,
      // Enough that every method both runs and is refused (checked below).
      800,
    );
    if (FUZZ_SCALE >= 1) {
      for (const method of CONTROL_METHODS) {
        expect(seen.get(method)?.refused, `${method} refused`).toBeGreaterThan(0);
        expect(seen.get(method)?.ran, `${method} ran`).toBeGreaterThan(0);
      }
    }
  });

  it(`ran ${runs(3_000) + runs(400) + runs(800) + 1} cases`, () => {
    expect(watchdog.cases).toBe(runs(3_000) + runs(400) + runs(800) + 1);
  });
});

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > 5_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
