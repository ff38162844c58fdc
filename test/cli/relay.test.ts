// `gpow relay` as a person runs it: in a fresh home with no network and no identity it prints
// a ws:// address that two clients (what a browser page's y-webrtc does) can signal through,
// stops on Ctrl-C or SIGTERM with exit code 0, and refuses a bad or busy port with a sentence.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { cliHarness, MODULE_CACHE } from '../net/cliHarness.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gpow.js');
const { gpow, stopAll } = cliHarness();
let home = '';
const started: ChildProcess[] = [];

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'gpow-relay-'));
});

afterAll(async () => {
  for (const child of started) child.kill('SIGKILL');
  await stopAll();
  if (home) await rm(home, { recursive: true, force: true });
});

/** Starts `gpow relay` and waits (at most 30 s) for the line with its address. */
function startRelay(extra: string[]): Promise<{ child: ChildProcess; url: string; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      ...MODULE_CACHE,
      BIN,
      '--home',
      home,
      'relay',
      ...extra,
    ]);
    started.push(child);
    let out = '';
    const limit = setTimeout(() => reject(new Error(`no address in 30 s: ${out}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /Relay running at (ws:\/\/\S+)/.exec(out)?.[1];
      if (url !== undefined && out.includes('Ctrl+C')) {
        clearTimeout(limit);
        resolve({ child, url, out });
      }
    });
    child.once('exit', (code) => reject(new Error(`gpow relay exited with ${code}: ${out}`)));
  });
}

function client(url: string): Promise<{ ws: WebSocket; messages: unknown[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: unknown[] = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
    ws.on('open', () => resolve({ ws, messages }));
    ws.on('error', reject);
  });
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
}

/** Sends `signal` and resolves with the exit code, or rejects after 15 s. */
function stopWith(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const limit = setTimeout(() => reject(new Error(`no exit 15 s after ${signal}`)), 15_000);
    child.once('exit', (code) => {
      clearTimeout(limit);
      resolve(code);
    });
    child.kill(signal);
  });
}

describe('gpow relay', () => {
  it('runs with no network or identity, relays between two clients, and stops on SIGTERM', async () => {
    const { child, url, out } = await startRelay(['--port', '0']);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
    expect(out).toContain('Settings > Relays');
    const a = await client(url);
    const b = await client(url);
    a.ws.send(JSON.stringify({ type: 'subscribe', topics: ['room'] }));
    b.ws.send(JSON.stringify({ type: 'subscribe', topics: ['room'] }));
    await new Promise((r) => setTimeout(r, 100));
    a.ws.send(JSON.stringify({ type: 'publish', topic: 'room', data: { offer: 1 } }));
    await until(() => b.messages.length > 0);
    expect(b.messages).toEqual([
      { type: 'publish', topic: 'room', data: { offer: 1 }, clients: 2 },
    ]);
    const closed = new Promise((resolve) => a.ws.once('close', resolve));
    expect(await stopWith(child, 'SIGTERM')).toBe(0);
    await closed;
  });

  it('stops on Ctrl-C, and --json gives the address', async () => {
    const child = spawn(process.execPath, [
      ...MODULE_CACHE,
      BIN,
      '--home',
      home,
      'relay',
      '--port',
      '0',
      '--json',
    ]);
    started.push(child);
    const line = await new Promise<string>((resolve) =>
      child.stdout.once('data', (d: Buffer) => resolve(d.toString())),
    );
    const printed = JSON.parse(line) as { running: boolean; relayUrl: string };
    expect(printed.running).toBe(true);
    expect(printed.relayUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(await stopWith(child, 'SIGINT')).toBe(0);
  });

  it('refuses a port that is not one, a port in use and a host that is no address, each with a sentence', async () => {
    for (const bad of ['65536', 'abc', '4.5', '']) {
      const result = await gpow(['--home', home, 'relay', '--port', bad]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('--port must be a whole number from 0 to 65535');
    }
    const host = await gpow(['--home', home, 'relay', '--host', 'example.org']);
    expect(host.code).toBe(1);
    expect(host.stderr).toContain('--host must be an IP address such as 127.0.0.1 or 0.0.0.0');
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as { port: number };
    try {
      const result = await gpow(['--home', home, 'relay', '--port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it('is in the help, and "gpow run" in a fresh home points to it', async () => {
    const help = await gpow(['--help']);
    expect(help.stdout).toMatch(/^ {2}relay \[--port P\]/m);
    const run = await gpow(['--home', join(home, 'fresh'), 'run']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no network here yet');
    expect(run.stderr).toContain('run "gpow relay"');
  });
});
