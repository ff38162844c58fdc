// The control socket answers every request, whatever arrives: too large, not JSON, not a
// request, or a handler that fails. Before, an oversized request was dropped with the
// connection and its caller waited 30 s for a timeout.
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callControl,
  lineReader,
  MAX_REQUEST_BYTES,
  NoPeerRunning,
  serveControl,
} from '../../node/cli/control.ts';

let dir = '';
let path = '';
let server: Server;
const seen: Array<[string, Record<string, unknown>]> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-control-'));
  path = join(dir, 'control.sock');
  server = await serveControl(path, (method, params) => {
    seen.push([method, params]);
    if (method === 'fail') return Promise.reject(new Error('it failed, and says why'));
    return Promise.resolve({ echo: params, amount: 5n });
  });
});

afterAll(async () => {
  server.close();
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
