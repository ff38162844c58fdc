// The desktop app's relay and LAN discovery. The service logic runs against fakes; the
// loopback forwarder runs for real, against a real signaling relay, all on 127.0.0.1.
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { Discovery, DiscoveryOptions } from '../../node/net/discovery.ts';
import { startSignalingRelay, type SignalingRelay } from '../../node/net/signalingRelay.ts';
import {
  forwardTargetOf,
  startLoopbackForwarder,
  type LoopbackForwarder,
} from '../../electron/loopbackForwarder.ts';
import { createNetworkServices, MAX_LAN_RELAYS } from '../../electron/networkServices.ts';

vi.mock('electron', () => ({}));

const NETWORK = 'cd'.repeat(32);

function fakes() {
  const relays: { host: string | undefined; closed: boolean }[] = [];
  const discoveries: { options: DiscoveryOptions; stopped: boolean }[] = [];
  const forwarders: { target: string; closed: boolean }[] = [];
  let nextPort = 40_000;
  const deps = {
    startRelay: vi.fn((options: { host?: string }) => {
      const record = { host: options.host, closed: false };
      relays.push(record);
      const port = nextPort++;
      const relay: SignalingRelay = {
        url: `ws://127.0.0.1:${port}`,
        port,
        connections: () => 0,
        close: () => {
          record.closed = true;
          return Promise.resolve();
        },
      };
      return Promise.resolve(relay);
    }),
    startDiscovery: vi.fn((options: DiscoveryOptions): Discovery => {
      const record = { options, stopped: false };
      discoveries.push(record);
      return {
        stop: () => {
          record.stopped = true;
          return Promise.resolve();
        },
      };
    }),
    startForwarder: vi.fn((target: { host: string; port: number }) => {
      const record = { target: `${target.host}:${target.port}`, closed: false };
      forwarders.push(record);
      const port = nextPort++;
      const forwarder: LoopbackForwarder = {
        url: `ws://127.0.0.1:${port}`,
        port,
        connections: () => 0,
        close: () => {
          record.closed = true;
          return Promise.resolve();
        },
      };
      return Promise.resolve(forwarder);
    }),
    instanceName: () => 'gpow-test',
    log: vi.fn(),
  };
  return { deps, relays, discoveries, forwarders };
}

describe('network services', () => {
  it('run the relay on 127.0.0.1 only, unless the LAN is asked for', async () => {
    const { deps, relays, discoveries } = fakes();
    const services = createNetworkServices(deps);
    expect(services.report()).toEqual({ running: false, relay: null, lan: false, lanRelays: [] });
    const report = await services.start({ lan: false, networkId: NETWORK });
    expect(report).toEqual({
      running: true,
      relay: 'ws://127.0.0.1:40000',
      lan: false,
      lanRelays: [],
    });
    expect(relays).toEqual([{ host: '127.0.0.1', closed: false }]);
    expect(discoveries).toEqual([]); // no mDNS without the LAN
    // Asking again changes nothing.
    await expect(services.start({ lan: false, networkId: null })).resolves.toEqual(report);
    expect(relays).toHaveLength(1);
    await services.stop();
    expect(relays[0]?.closed).toBe(true);
    expect(services.report().running).toBe(false);
  });

  it('serve the LAN, find its relays, and hand the page loopback URLs for them', async () => {
    const { deps, relays, discoveries, forwarders } = fakes();
    const services = createNetworkServices(deps);
    await services.start({ lan: true, networkId: NETWORK });
    expect(relays).toEqual([{ host: '0.0.0.0', closed: false }]);
    expect(discoveries).toHaveLength(1);
    const discovery = discoveries[0];
    expect(discovery?.options).toMatchObject({
      networkId: NETWORK,
      relayPort: 40000,
      instanceName: 'gpow-test',
    });
    discovery?.options.onRelay('ws://192.168.1.7:4444');
    discovery?.options.onRelay('ws://[fd00::7]:4444');
    discovery?.options.onRelay('ws://192.168.1.7:4444'); // again: one forwarder only
    await vi.waitFor(() => expect(services.report().lanRelays).toHaveLength(2));
    expect(forwarders.map((f) => f.target)).toEqual(['192.168.1.7:4444', 'fd00::7:4444']);
    const report = services.report();
    expect(report.lanRelays).toEqual([
      { url: 'ws://127.0.0.1:40001', via: 'ws://192.168.1.7:4444' },
      { url: 'ws://127.0.0.1:40002', via: 'ws://[fd00::7]:4444' },
    ]);
    // Every URL the page is given is a loopback one, which its CSP already allows.
    for (const url of [report.relay, ...report.lanRelays.map((r) => r.url)]) {
      expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/u);
    }

    // Another network: discovery restarts and the old forwarders close.
    await services.start({ lan: true, networkId: 'ef'.repeat(32) });
    expect(discoveries[0]?.stopped).toBe(true);
    expect(forwarders.every((f) => f.closed)).toBe(true);
    expect(services.report().lanRelays).toEqual([]);
    expect(discoveries).toHaveLength(2);

    // Leaving the LAN restarts the relay on loopback, without discovery.
    await services.start({ lan: false, networkId: 'ef'.repeat(32) });
    expect(relays.map((r) => [r.host, r.closed])).toEqual([
      ['0.0.0.0', true],
      ['127.0.0.1', false],
    ]);
    expect(discoveries[1]?.stopped).toBe(true);
    await services.stop();
  });

  it('bound the LAN relays it forwards to', async () => {
    const { deps, discoveries, forwarders } = fakes();
    const services = createNetworkServices(deps);
    await services.start({ lan: true, networkId: NETWORK });
    for (let i = 1; i <= MAX_LAN_RELAYS + 10; i++) {
      discoveries[0]?.options.onRelay(`ws://10.0.0.${i}:4444`);
      await Promise.resolve();
    }
    await vi.waitFor(() => expect(services.report().lanRelays).toHaveLength(MAX_LAN_RELAYS));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(services.report().lanRelays.length).toBeLessThanOrEqual(MAX_LAN_RELAYS);
    await services.stop();
    expect(forwarders.every((f) => f.closed)).toBe(true);
  });

  it('report a discovery that cannot start, and keep the relay', async () => {
    const { deps } = fakes();
    deps.startDiscovery.mockImplementationOnce(() => {
      throw new Error('no multicast here');
    });
    const services = createNetworkServices(deps);
    const report = await services.start({ lan: true, networkId: NETWORK });
    expect(report).toMatchObject({
      running: true,
      lan: true,
      problem: 'LAN discovery could not start: no multicast here',
    });
    await services.stop();
  });
});

describe('the loopback forwarder', () => {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((thing) => thing.close()));
  });

  it('parses only ws:// relay URLs with a port', () => {
    expect(forwardTargetOf('ws://192.168.1.7:4444')).toEqual({ host: '192.168.1.7', port: 4444 });
    expect(forwardTargetOf('ws://[fe80::1]:4444')).toEqual({ host: 'fe80::1', port: 4444 });
    expect(forwardTargetOf('wss://relay.example.org:443')).toBeNull();
    expect(forwardTargetOf('ws://192.168.1.7')).toBeNull();
    expect(forwardTargetOf('not a url')).toBeNull();
  });

  it('carries a WebSocket to the relay behind it', async () => {
    // The "LAN relay" here listens on loopback too: no test traffic leaves the machine.
    const relay = await startSignalingRelay({ host: '127.0.0.1' });
    opened.push(relay);
    const target = forwardTargetOf(relay.url);
    if (target === null) throw new Error('bad relay url');
    const forwarder = await startLoopbackForwarder(target);
    opened.push(forwarder);
    expect(forwarder.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/u);

    const socket = new WebSocket(forwarder.url);
    const answer = await new Promise<unknown>((resolve, reject) => {
      socket.once('open', () => socket.send(JSON.stringify({ type: 'ping' })));
      socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString())));
      socket.once('error', reject);
    });
    expect(answer).toEqual({ type: 'pong' });
    expect(relay.connections()).toBe(1);
    expect(forwarder.connections()).toBe(1);
    socket.close();
    await forwarder.close();
    await vi.waitFor(() => expect(relay.connections()).toBe(0));
  });

  it('closes its side when the relay is gone', async () => {
    const relay = await startSignalingRelay({ host: '127.0.0.1' });
    const target = forwardTargetOf(relay.url);
    await relay.close();
    if (target === null) throw new Error('bad relay url');
    const forwarder = await startLoopbackForwarder(target);
    opened.push(forwarder);
    const socket = new WebSocket(forwarder.url);
    await new Promise<void>((resolve) => {
      socket.once('error', () => resolve());
      socket.once('close', () => resolve());
    });
    await vi.waitFor(() => expect(forwarder.connections()).toBe(0));
  });
});
