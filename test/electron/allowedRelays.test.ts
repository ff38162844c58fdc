import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAllowedRelays, relayCspSource } from '../../electron/allowedRelays.ts';
import { createAppProtocolHandler } from '../../electron/appProtocol.ts';
import { CONTENT_SECURITY_POLICY } from '../../electron/security.ts';

vi.mock('electron', () => ({}));

const connectSrc = (policy: string): string[] =>
  policy
    .split(';')
    .map((part) => part.trim().split(/\s+/u))
    .find(([name]) => name === 'connect-src')
    ?.slice(1) ?? [];

describe('relayCspSource', () => {
  it.each([
    ['wss://relay.example.org:443', 'wss://relay.example.org:443'],
    ['wss://relay.example.org:8443/signal', 'wss://relay.example.org:8443'],
    ['ws://192.168.1.20:4444', 'ws://192.168.1.20:4444'],
    ['ws://localhost:4444', 'ws://localhost:4444'],
    ['wss://127.0.0.1:4444', 'wss://127.0.0.1:4444'],
    // Only scheme, host and port reach the policy: a path's characters never do.
    ["wss://relay.example.org:443/'unsafe-inline'", 'wss://relay.example.org:443'],
  ])('%s becomes %s', (url, source) => {
    expect(relayCspSource(url)).toBe(source);
  });

  it.each([
    'ws://127.0.0.1:4444', // always allowed already
    'wss://[2001:db8::1]:443', // a CSP host source cannot be an IPv6 literal
    'https://relay.example.org:443',
    'wss://relay.example.org', // no explicit port
    'wss://user@relay.example.org:443',
  ])('%s adds nothing', (url) => {
    expect(relayCspSource(url)).toBeNull();
  });
});

describe('allowed relays', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpow-relays-'));
    path = join(dir, 'allowed-relays.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('start with the loopback-only policy', async () => {
    const relays = createAllowedRelays({ path });
    await relays.load();
    expect(relays.relays()).toEqual([]);
    expect(relays.contentSecurityPolicy()).toBe(CONTENT_SECURITY_POLICY);
  });

  it('put configured relays into the next policy, ask for a reload, and keep them', async () => {
    const relays = createAllowedRelays({ path });
    await relays.load();
    expect(relays.contentSecurityPolicy()).toBe(CONTENT_SECURITY_POLICY); // the page has this
    const list = ['wss://relay.example.org:443', 'ws://127.0.0.1:4444', 'ws://10.0.0.7:4444'];
    await expect(relays.set(list)).resolves.toEqual({ reloadRequired: true });
    expect(connectSrc(relays.contentSecurityPolicy())).toEqual([
      "'self'",
      'ws://127.0.0.1:*',
      'wss://relay.example.org:443',
      'ws://10.0.0.7:4444',
    ]);
    // The page now has that policy: the same list again, or a loopback one, changes nothing.
    await expect(relays.set([...list])).resolves.toEqual({ reloadRequired: false });
    await expect(relays.set([...list, 'ws://127.0.0.1:5555'])).resolves.toEqual({
      reloadRequired: false,
    });

    const again = createAllowedRelays({ path });
    await again.load();
    expect(again.relays()).toEqual([...list, 'ws://127.0.0.1:5555']);
    expect(again.contentSecurityPolicy()).toBe(relays.contentSecurityPolicy());
  });

  it('refuse bad relays and change nothing', async () => {
    const relays = createAllowedRelays({ path });
    await relays.set(['wss://relay.example.org:443']);
    const before = await readFile(path, 'utf8');
    await expect(
      relays.set(['wss://ok.example.org:443', 'http://evil.example:80']),
    ).rejects.toThrow(/relay 2 must start with ws:\/\/ or wss:\/\//u);
    await expect(relays.set(['wss://evil.example:443/?x=1'])).rejects.toThrow(/query/u);
    await expect(
      relays.set(Array.from({ length: 33 }, (_, i) => `wss://r${i}.example.org:443`)),
    ).rejects.toThrow(/at most 32/u);
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(relays.relays()).toEqual(['wss://relay.example.org:443']);
  });

  it('ignore a saved file that is not a list of good relays', async () => {
    const warn = vi.fn();
    for (const text of [
      'not json',
      '{"version":2,"relays":[]}',
      '{"version":1,"relays":"wss://a.example:443"}',
      '{"version":1,"relays":["javascript:alert(1)"]}',
      '{"version":1,"relays":[1]}',
    ]) {
      await writeFile(path, text);
      const relays = createAllowedRelays({ path, onWarning: warn });
      await relays.load();
      expect(relays.relays()).toEqual([]);
      expect(relays.contentSecurityPolicy()).toBe(CONTENT_SECURITY_POLICY);
    }
    expect(warn).toHaveBeenCalledTimes(5);
  });

  it('reach the pages the app serves', async () => {
    const relays = createAllowedRelays({ path });
    await relays.set(['wss://relay.example.org:443']);
    const handler = createAppProtocolHandler({
      rootDir: '/app',
      readFile: () => Promise.resolve(new TextEncoder().encode('<!doctype html>')),
      contentSecurityPolicy: () => relays.contentSecurityPolicy(),
    });
    const page = await handler(new Request('app://gpow/index.html'));
    expect(connectSrc(page.headers.get('content-security-policy') ?? '')).toEqual([
      "'self'",
      'ws://127.0.0.1:*',
      'wss://relay.example.org:443',
    ]);
  });
});
