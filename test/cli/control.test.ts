// The control socket answers every request, whatever arrives: too large, not JSON, not a
// request, or a handler that fails. Before, an oversized request was dropped with the
// connection and its caller waited 30 s for a timeout.
//
// The running peer's side parses every request against the contract (shared/control/
// contract.ts): a bad request for any method is refused with a sentence naming the method and
// the parameter, repeating no value, and nothing runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callControl,
  controlClient,
  lineReader,
  MAX_REQUEST_BYTES,
  NoPeerRunning,
  serveControl,
} from '../../node/cli/control.ts';
import { control } from '../../node/cli/peerControl.ts';
import {
  CONTROL_METHODS,
  parseControlRequest,
  type ControlMethod,
} from '../../shared/control/contract.ts';
import { fakePeer, NO_GENESIS } from './fakePeer.ts';

let dir = '';
let path = '';
let server: Server;
/** A socket answered by the running peer's own handler (peerControl.ts), on a fake peer. */
let peerPath = '';
let peerServer: Server;
const peer = fakePeer();
const seen: Array<[string, Record<string, unknown>]> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-control-'));
  path = join(dir, 'control.sock');
  server = await serveControl(path, (method, params) => {
    seen.push([method, params]);
    if (method === 'fail') return Promise.reject(new Error('it failed, and says why'));
    return Promise.resolve({ echo: params, amount: 5n });
  });
  peerPath = join(dir, 'peer.sock');
  peerServer = await serveControl(peerPath, (method, params) => control(peer.ctx, method, params));
});

afterAll(async () => {
  server.close();
  peerServer.close();
  await rm(dir, { recursive: true, force: true });
});

/** Sends raw bytes and collects `lines` answer lines (or what came before the socket closed). */
function exchange(payload: string | Buffer, lines: number): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ${lines} answers within 5 s; got ${JSON.stringify(text)}`));
    }, 5_000);
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const got = text.split('\n').filter((l) => l.length > 0);
      if (got.length >= lines) {
        clearTimeout(timer);
        socket.destroy();
        resolve(got.map((l) => JSON.parse(l) as unknown));
      }
    });
    socket.on('error', reject);
  });
}

describe('the control socket', () => {
  it('answers a request, carrying bigints as decimal strings', async () => {
    await expect(callControl(path, 'hello', { to: 'x' })).resolves.toEqual({
      echo: { to: 'x' },
      amount: '5',
    });
  });

  it("passes the handler's error sentence back to the caller", async () => {
    await expect(callControl(path, 'fail')).rejects.toThrow('it failed, and says why');
  });

  it('answers an oversized request with an error at once, and reads the next one', async () => {
    const memo = 'x'.repeat(70_000);
    const started = Date.now();
    await expect(callControl(path, 'send', { memo })).rejects.toThrow(
      `the request is larger than ${MAX_REQUEST_BYTES / 1024} KiB`,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen.some(([method]) => method === 'send')).toBe(false);
    // On one connection: the oversized line, then a normal one; both are answered.
    const big = `${JSON.stringify({ id: 1, method: 'send', params: { memo } })}\n`;
    const small = `${JSON.stringify({ id: 2, method: 'after', params: {} })}\n`;
    const answers = await exchange(Buffer.from(big + small), 2);
    expect(answers).toEqual([
      { id: null, error: { message: 'the request is larger than 64 KiB' } },
      { id: 2, result: { echo: {}, amount: '5' } },
    ]);
  });

  it('answers what is not JSON, or not a request, with a sentence', async () => {
    const answers = await exchange(
      ['not json', '[1,2]', '{"id":7,"method":42}', '{"id":8,"method":"m","params":[]}', ''].join(
        '\n',
      ),
      4,
    );
    expect(answers).toEqual([
      { id: null, error: { message: 'the request is not valid JSON' } },
      {
        id: null,
        error: { message: 'the request is not a control request (an id, a method and params)' },
      },
      {
        id: 7,
        error: { message: 'the request is not a control request (an id, a method and params)' },
      },
      {
        id: 8,
        error: { message: 'the request is not a control request (an id, a method and params)' },
      },
    ]);
  });

  it('survives a caller that hangs up before its answer', async () => {
    await new Promise<void>((resolve) => {
      const socket = createConnection(path, () => {
        socket.end(`${JSON.stringify({ id: 1, method: 'hello' })}\n`);
        socket.destroy();
        resolve();
      });
    });
    await expect(callControl(path, 'still-here')).resolves.toMatchObject({ amount: '5' });
  });

  it('says when no peer is running', async () => {
    await expect(callControl(join(dir, 'none.sock'), 'status')).rejects.toBeInstanceOf(
      NoPeerRunning,
    );
  });
});

/** A value that must never come back in a refusal. */
const SECRET = 'SECRET-correct horse battery staple';
const HEX = 'ab'.repeat(32);

/**
 * For every method, one bad request and the parameter its refusal names. The mapped type makes
 * a new method fail to compile until it has one.
 */
const BAD: {
  readonly [M in ControlMethod]: readonly [params: Record<string, unknown>, names: string];
} = {
  status: [{ verbose: SECRET }, 'verbose'],
  send: [{ to: 'gpow1x', amount: '5', privateMemo: { text: SECRET } }, 'privateMemo'],
  balance: [{ address: 7 }, 'address'],
  history: [{ limit: SECRET }, 'limit'],
  'ssk-share': [{ to: 'gpow1x', expiresDays: SECRET }, 'expiresDays'],
  'ssk-revoke': [{}, 'to'],
  'ssk-list': [{ all: true }, 'all'],
  'msg-send': [{ to: 'gpow1x', text: [SECRET] }, 'text'],
  'msg-read': [{ with: 'x'.repeat(201) }, 'with'],
  'file-send': [{ to: 'gpow1x', path: '' }, 'path'],
  'file-list': [{ with: null }, 'with'],
  'file-save': [{ with: 'gpow1x', id: 'f', path: 5 }, 'path'],
  'market-offer': [{ service: 'pow', capacity: SECRET, rate: '1' }, 'capacity'],
  'market-service-register': [{ name: 'n', fields: [[SECRET]] }, 'fields.0.1'],
  'market-services': [{ x: 1 }, 'x'],
  'market-bond': [{ amount: -5 }, 'amount'],
  'market-negotiate': [{ service: 'pow', difficulty: 1.5 }, 'difficulty'],
  'market-request': [{ service: 'pow', provider: SECRET }, 'provider'],
  'market-jobs': [{ mine: true }, 'mine'],
  'market-evaluate': [{ request: HEX, verdict: SECRET }, 'verdict'],
  'market-deliver': [{ request: SECRET, text: 't' }, 'request'],
  'market-decline': [{ request: HEX, reason: 5 }, 'reason'],
  'device-list': [{ all: SECRET }, 'all'],
  'device-pair': [{ name: 'phone', allowance: SECRET }, 'allowance'],
  'device-revoke': [{ device: 'phone', to: 5 }, 'to'],
  'profile-set': [{ name: 'Ana', avatar: SECRET }, 'avatar'],
  'profile-show': [{ address: [SECRET] }, 'address'],
  'member-list': [{ all: SECRET }, 'all'],
  'witness-list': [{ all: SECRET }, 'all'],
  'witness-propose': [{ change: 'swap', address: SECRET }, 'change'],
  'witness-approve': [{ change: [SECRET] }, 'change'],
  'network-refound': [{ name: 'Again', witnesses: SECRET }, 'witnesses'],
  'room-rotate': [{ now: SECRET }, 'now'],
  'invite-create': [{ once: SECRET, expires: 1 }, 'once'],
  'invite-list': [{ all: SECRET }, 'all'],
  'invite-revoke': [{ id: SECRET }, 'id'],
};

describe('the contract, on the running peer', () => {
  it.each(CONTROL_METHODS)(
    'refuses a bad "%s" request with a sentence, and runs nothing',
    async (method) => {
      const [params, names] = BAD[method];
      peer.touched.length = 0;
      const refused = await callControl(peerPath, method, params).then(
        () => null,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      expect(refused).toMatch(
        new RegExp(`^the request "${method}" has a bad parameter "${names}": `),
      );
      expect(refused).not.toContain('SECRET');
      expect(refused).not.toMatch(/Invalid (type|key|length|format)|received/i);
      expect(peer.touched).toEqual([]);
      // The same request with a key of no method's: refused before anything runs, too.
      await expect(
        callControl(peerPath, method, { ...params, [`x${SECRET}`.slice(0, 8)]: SECRET }),
      ).rejects.toThrow(`the request "${method}" has a bad parameter`);
      expect(peer.touched).toEqual([]);
    },
  );

  it('refuses an unknown method by name, and runs nothing', async () => {
    peer.touched.length = 0;
    for (const method of ['nope', '__proto__', 'constructor', 'toString', 'market-nothing']) {
      await expect(callControl(peerPath, method, {})).rejects.toThrow(
        `unknown method "${method}": the running peer answers status, send,`,
      );
    }
    expect(peer.touched).toEqual([]);
  });

  it('refuses what is not an object of parameters, whatever it is', () => {
    for (const method of CONTROL_METHODS) {
      for (const params of [null, [], 'p', 5, true]) {
        const parsed = parseControlRequest(method, params);
        expect(parsed).toEqual({
          ok: false,
          message: expect.stringMatching(
            new RegExp(
              `^the request "${method}" has a bad parameter: the parameters must be an object: "${method}" takes \\{`,
            ),
          ) as unknown,
        });
      }
    }
  });

  it('runs a good request: status at once, the others up to the ledger', async () => {
    peer.touched.length = 0;
    const client = controlClient(peerPath);
    const status = await client.call('status');
    expect(status).toMatchObject({ running: true, since: 0, peers: 0, transactions: null });
    expect(status.notice).toMatch(NO_GENESIS);
    expect(peer.touched).toContain('peer.status');
    peer.touched.length = 0;
    await expect(client.call('balance', {})).rejects.toThrow(NO_GENESIS);
    await expect(client.call('send', { to: 'gpow1x', amount: '5', memo: 'hi' })).rejects.toThrow(
      NO_GENESIS,
    );
    expect(peer.touched).toContain('peer.ledger');
  });

  it('parses what the peer runs: request ids lowercased, nothing but the named keys', () => {
    expect(
      parseControlRequest('market-evaluate', { request: HEX.toUpperCase(), verdict: 'pass' }),
    ).toEqual({
      ok: true,
      request: { method: 'market-evaluate', params: { request: HEX, verdict: 'pass' } },
    });
    expect(parseControlRequest('history', { limit: 10_001 })).toEqual({
      ok: false,
      message: 'the request "history" has a bad parameter "limit": the limit must be at most 10000',
    });
    expect(parseControlRequest('send', { to: 'gpow1x' })).toEqual({
      ok: false,
      message:
        'the request "send" has a bad parameter "amount": this parameter is missing: "send" takes { to, amount, memo?, privateMemo? }',
    });
  });

  it('types the client: parameters and results are checked at compile time', () => {
    const never = false as boolean;
    if (never) {
      const client = controlClient(peerPath);
      // @ts-expect-error: send needs an amount
      void client.call('send', { to: 'gpow1x' });
      // @ts-expect-error: amounts travel as decimal strings
      void client.call('send', { to: 'gpow1x', amount: 5n });
      // @ts-expect-error: no such method
      void client.call('sned', {});
      // @ts-expect-error: no such parameter
      void client.call('balance', { adress: 'gpow1x' });
      void client.call('balance').then((view) => {
        // Bigints arrive as decimal strings.
        const available: string = view.available;
        // @ts-expect-error: not a bigint once through JSON
        const wrong: bigint = view.available;
        return [available, wrong];
      });
    }
    expect(CONTROL_METHODS).toContain('send');
  });
});

describe('lineReader', () => {
  it('splits lines across chunks, and skips an overlong line once, reading on', () => {
    const lines: string[] = [];
    let tooLong = 0;
    const read = lineReader(
      8,
      (l) => lines.push(l),
      () => tooLong++,
    );
    for (const chunk of ['ab', 'c\nd', 'é\n', '0123456789', 'abc', '\nok\n', '12345678\n']) {
      read(Buffer.from(chunk));
    }
    expect(lines).toEqual(['abc', 'dé', 'ok', '12345678']);
    expect(tooLong).toBe(1);
    read(Buffer.from('123456789\n'));
    expect(tooLong).toBe(2);
  });
});
