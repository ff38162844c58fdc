// LAN discovery over an in-memory mDNS bus: several discovery instances share one fake "LAN",
// so nothing here opens a socket or multicasts. The bus behaves like bonjour-service where
// discovery depends on it: a browser sees services published before and after it started,
// including its own (multicast loops back), and instance names have their dots turned into
// dashes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  startDiscovery,
  type DiscoveredService,
  type Discovery,
  type MdnsBrowser,
  type MdnsBrowseConfig,
  type MdnsLike,
  type MdnsPublishConfig,
  type ServiceListener,
} from '../../node/net/discovery.ts';
import { discoveryTagOf } from '../../shared/net/invitation.ts';

const NET_A = 'aa'.repeat(32);
const NET_B = 'bb'.repeat(32);
const TAG_A = discoveryTagOf(NET_A);

interface FakeService extends DiscoveredService {
  readonly owner: FakeMdns | null;
  readonly type: string;
}

class FakeBrowser implements MdnsBrowser {
  readonly updateListeners: ServiceListener[] = [];
  readonly bus: FakeBus;
  readonly owner: FakeMdns;
  readonly type: string;
  readonly onUp: ServiceListener;
  constructor(bus: FakeBus, owner: FakeMdns, type: string, onUp: ServiceListener) {
    this.bus = bus;
    this.owner = owner;
    this.type = type;
    this.onUp = onUp;
  }
  on(_event: 'srv-update' | 'txt-update', listener: ServiceListener): this {
    this.updateListeners.push(listener);
    return this;
  }
  stop(): void {
    this.bus.browsers.delete(this);
  }
}

class FakeBus {
  services: FakeService[] = [];
  readonly browsers = new Set<FakeBrowser>();

  /** A host on the LAN with these interface addresses. */
  host(addresses: string[]): FakeMdns {
    return new FakeMdns(this, addresses);
  }

  /** A record from some other device, as raw as a browser might report it. */
  announce(service: DiscoveredService): void {
    this.add({ owner: null, type: 'gpow', ...service });
  }

  /** A known service changed (bonjour reports this as srv-update or txt-update, not up). */
  update(service: DiscoveredService): void {
    for (const browser of [...this.browsers]) {
      for (const listener of browser.updateListeners) listener(service);
    }
  }

  add(service: FakeService): void {
    this.services.push(service);
    for (const browser of [...this.browsers]) {
      if (browser.type === service.type) browser.onUp(service);
    }
  }
}

class FakeMdns implements MdnsLike {
  destroyed = false;
  readonly bus: FakeBus;
  readonly addresses: string[];
  constructor(bus: FakeBus, addresses: string[]) {
    this.bus = bus;
    this.addresses = addresses;
  }

  #alive(): void {
    if (this.destroyed) throw new Error('The fake mDNS host was used after destroy().');
  }

  publish(config: MdnsPublishConfig): unknown {
    this.#alive();
    const service: FakeService = {
      owner: this,
      type: config.type,
      name: config.name.split('.').join('-'),
      port: config.port,
      txt: { ...config.txt },
      addresses: [...this.addresses],
      referer: { address: this.addresses[0], family: 'IPv4', port: 5353, size: 200 },
    };
    this.bus.add(service);
    return service;
  }

  find(config: MdnsBrowseConfig, onUp: ServiceListener): MdnsBrowser {
    this.#alive();
    const browser = new FakeBrowser(this.bus, this, config.type, onUp);
    this.bus.browsers.add(browser);
    for (const service of [...this.bus.services]) {
      if (service.type === config.type) onUp(service);
    }
    return browser;
  }

  unpublishAll(callback?: () => void): void {
    this.#alive();
    this.bus.services = this.bus.services.filter((s) => s.owner !== this);
    callback?.();
  }

  destroy(callback?: () => void): void {
    this.destroyed = true;
    for (const browser of [...this.bus.browsers]) if (browser.owner === this) browser.stop();
    callback?.();
  }
}

const running: Discovery[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
  vi.useRealTimers();
});

/** Starts a peer on the bus and collects the relay URLs it is told about. */
function peer(
  bus: FakeBus,
  options: { networkId: string; name: string; port: number; addresses: string[] },
) {
  const found: string[] = [];
  const mdns = bus.host(options.addresses);
  const discovery = startDiscovery({
    networkId: options.networkId,
    relayPort: options.port,
    instanceName: options.name,
    onRelay: (url) => found.push(url),
    mdns,
  });
  running.push(discovery);
  return { found, mdns, discovery };
}

/** A record of another peer of network A, to vary one field at a time. */
const peerRecord = (fields: Partial<Record<keyof DiscoveredService, unknown>> = {}) => ({
  name: 'stranger',
  port: 4100,
  txt: { v: '1', n: TAG_A },
  addresses: ['192.168.1.50'],
  ...fields,
});

describe('startDiscovery', () => {
  it('publishes our relay with the discovery tag, never the network id', () => {
    const bus = new FakeBus();
    peer(bus, { networkId: NET_A, name: 'alice.laptop', port: 4001, addresses: ['192.168.1.10'] });
    expect(bus.services).toHaveLength(1);
    expect(bus.services[0]).toMatchObject({
      type: 'gpow',
      name: 'alice-laptop',
      port: 4001,
      txt: { v: '1', n: TAG_A },
    });
    expect(JSON.stringify(bus.services[0]?.txt)).not.toContain(NET_A.slice(0, 16));
  });

  it('lets two peers of one network find each other, and ignores ourselves', () => {
    const bus = new FakeBus();
    const alice = peer(bus, {
      networkId: NET_A,
      name: 'alice',
      port: 4001,
      addresses: ['192.168.1.10'],
    });
    const bob = peer(bus, {
      networkId: NET_A,
      name: 'bob',
      port: 4002,
      addresses: ['192.168.1.11'],
    });
    // Alice learns of Bob from his announcement, Bob of Alice from his first query.
    expect(alice.found).toEqual(['ws://192.168.1.11:4002']);
    expect(bob.found).toEqual(['ws://192.168.1.10:4001']);
  });

  it('ignores a peer of another network', () => {
    const bus = new FakeBus();
    const alice = peer(bus, {
      networkId: NET_A,
      name: 'alice',
      port: 4001,
      addresses: ['192.168.1.10'],
    });
    const carol = peer(bus, {
      networkId: NET_B,
      name: 'carol',
      port: 4003,
      addresses: ['192.168.1.12'],
    });
    expect(alice.found).toEqual([]);
    expect(carol.found).toEqual([]);
  });

  it('ignores our own service even when its name comes back with dashes and other case', () => {
    const bus = new FakeBus();
    const alice = peer(bus, {
      networkId: NET_A,
      name: 'Alice.Laptop',
      port: 4001,
      addresses: ['192.168.1.10'],
    });
    bus.announce(peerRecord({ name: 'alice-laptop', port: 4001, addresses: ['192.168.1.10'] }));
    expect(alice.found).toEqual([]);
  });

  it('reports each relay URL once', () => {
    const bus = new FakeBus();
    const alice = peer(bus, {
      networkId: NET_A,
      name: 'alice',
      port: 4001,
      addresses: ['192.168.1.10'],
    });
    bus.announce(peerRecord());
    bus.announce(peerRecord()); // re-announced
    bus.announce(peerRecord({ name: 'same-relay-other-name' }));
    bus.update(peerRecord());
    expect(alice.found).toEqual(['ws://192.168.1.50:4100']);
  });

  it('reports a relay that moved to another port', () => {
    const bus = new FakeBus();
    const alice = peer(bus, {
      networkId: NET_A,
      name: 'alice',
      port: 4001,
      addresses: ['192.168.1.10'],
    });
    bus.announce(peerRecord());
    bus.update(peerRecord({ port: 4200 }));
    expect(alice.found).toEqual(['ws://192.168.1.50:4100', 'ws://192.168.1.50:4200']);
  });

  it('prefers IPv4 addresses and falls back to the packet source address', () => {
    const bus = new FakeBus();
    const alice = peer(bus, {
      networkId: NET_A,
      name: 'alice',
      port: 4001,
      addresses: ['192.168.1.10'],
    });
    bus.announce(
      peerRecord({
        name: 'two-interfaces',
        addresses: ['fe80::1', '192.168.1.60', '10.0.0.60'],
        referer: { address: '192.168.1.99' },
      }),
    );
    bus.announce(
      peerRecord({
        name: 'v6-records-v4-source',
        addresses: ['fe80::2'],
        referer: { address: '192.168.1.61' },
      }),
    );
    bus.announce(
      peerRecord({ name: 'v6-source', addresses: [], referer: { address: 'fd00::62' } }),
    );
    expect(alice.found).toEqual([
      'ws://192.168.1.60:4100',
      'ws://10.0.0.60:4100',
      'ws://192.168.1.61:4100',
      'ws://[fd00::62]:4100',
    ]);
  });

  it('ignores malformed records and unusable addresses', () => {
    const bus = new FakeBus();
    const alice = peer(bus, {
      networkId: NET_A,
      name: 'alice',
      port: 4001,
      addresses: ['192.168.1.10'],
    });
    const malformed: DiscoveredService[] = [
      { port: 4100, txt: { v: '1', n: TAG_A }, addresses: ['192.168.1.70'] }, // no name
      peerRecord({ txt: undefined }),
      peerRecord({ txt: 'v=1' }),
      peerRecord({ txt: { n: TAG_A } }), // no version
      peerRecord({ txt: { v: '2', n: TAG_A } }), // a version we do not speak
      peerRecord({ txt: { v: '1', n: discoveryTagOf(NET_B) } }),
      peerRecord({ txt: { v: '1', n: NET_A } }), // the id itself is not the tag
      peerRecord({ port: 0 }),
      peerRecord({ port: 65536 }),
      peerRecord({ port: 4100.5 }),
      peerRecord({ port: '4100' }),
      peerRecord({ addresses: 'not a list', referer: undefined }),
      peerRecord({ addresses: ['999.1.1.1', 'host.local', 42, '0.0.0.0', '224.0.0.251'] }),
      peerRecord({ addresses: [], referer: { address: 'fe80::1%eth0' } }), // zone: no URL
      peerRecord({ addresses: [], referer: { address: 'evil.example:1/x' } }),
      peerRecord({ addresses: [], referer: null }),
    ];
    for (const record of malformed) bus.announce(record);
    expect(alice.found).toEqual([]);
  });

  it('bounds the number of addresses taken from one record', () => {
    const bus = new FakeBus();
    const alice = peer(bus, {
      networkId: NET_A,
      name: 'alice',
      port: 4001,
      addresses: ['192.168.1.10'],
    });
    bus.announce(
      peerRecord({ addresses: Array.from({ length: 50 }, (_, i) => `10.0.1.${i + 1}`) }),
    );
    expect(alice.found).toHaveLength(8);
  });

  it('bounds the number of relays reported in all', () => {
    const bus = new FakeBus();
    const alice = peer(bus, {
      networkId: NET_A,
      name: 'alice',
      port: 4001,
      addresses: ['192.168.1.10'],
    });
    for (let i = 0; i < 100; i++) bus.announce(peerRecord({ name: `flood-${i}`, port: 5000 + i }));
    expect(alice.found).toHaveLength(64);
    expect(new Set(alice.found).size).toBe(64);
  });

  it('stop() unpublishes, stops browsing and closes the mDNS host', async () => {
    const bus = new FakeBus();
    const alice = peer(bus, {
      networkId: NET_A,
      name: 'alice',
      port: 4001,
      addresses: ['192.168.1.10'],
    });
    const bob = peer(bus, {
      networkId: NET_A,
      name: 'bob',
      port: 4002,
      addresses: ['192.168.1.11'],
    });
    await alice.discovery.stop();
    await alice.discovery.stop(); // a second stop is harmless
    expect(bus.services.map((s) => s.name)).toEqual(['bob']);
    expect(alice.mdns.destroyed).toBe(true);

    // A peer arriving later does not hear of Alice, and Alice hears of nobody any more.
    const dave = peer(bus, {
      networkId: NET_A,
      name: 'dave',
      port: 4004,
      addresses: ['192.168.1.14'],
    });
    expect(dave.found).toEqual(['ws://192.168.1.11:4002']);
    expect(alice.found).toEqual(['ws://192.168.1.11:4002']);
    expect(bob.found).toEqual(['ws://192.168.1.10:4001', 'ws://192.168.1.14:4004']);
  });

  it('stop() finishes even when the mDNS layer never calls back', async () => {
    vi.useFakeTimers();
    const bus = new FakeBus();
    const mdns = bus.host(['192.168.1.10']);
    mdns.unpublishAll = () => {};
    mdns.destroy = () => {};
    const discovery = startDiscovery({
      networkId: NET_A,
      relayPort: 4001,
      instanceName: 'alice',
      onRelay: () => {},
      mdns,
    });
    let done = false;
    const stopped = discovery.stop().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(4000);
    await stopped;
    expect(done).toBe(true);
  });

  it('closes the mDNS host and rethrows when it cannot start browsing', () => {
    const bus = new FakeBus();
    const mdns = bus.host(['192.168.1.10']);
    mdns.find = () => {
      throw new Error('socket refused');
    };
    expect(() =>
      startDiscovery({
        networkId: NET_A,
        relayPort: 4001,
        instanceName: 'a',
        onRelay: () => {},
        mdns,
      }),
    ).toThrow('socket refused');
    expect(mdns.destroyed).toBe(true);
  });

  it('stop() reports a failing mDNS step and still closes the host', async () => {
    const bus = new FakeBus();
    const mdns = bus.host(['192.168.1.10']);
    mdns.unpublishAll = () => {
      throw new Error('socket already closed');
    };
    const errors: unknown[] = [];
    const discovery = startDiscovery({
      networkId: NET_A,
      relayPort: 4001,
      instanceName: 'alice',
      onRelay: () => {},
      onError: (error) => errors.push(error),
      mdns,
    });
    await discovery.stop();
    expect(errors).toEqual([new Error('socket already closed')]);
    expect(mdns.destroyed).toBe(true);
  });

  it('reports an error thrown by onRelay instead of letting it escape into mDNS', () => {
    const bus = new FakeBus();
    const errors: unknown[] = [];
    running.push(
      startDiscovery({
        networkId: NET_A,
        relayPort: 4001,
        instanceName: 'alice',
        onRelay: () => {
          throw new Error('peer is shutting down');
        },
        onError: (error) => errors.push(error),
        mdns: bus.host(['192.168.1.10']),
      }),
    );
    expect(() => bus.announce(peerRecord())).not.toThrow();
    expect(errors).toEqual([new Error('peer is shutting down')]);
  });

  it('refuses bad options before touching the mDNS layer', () => {
    const bus = new FakeBus();
    const start =
      (overrides: Partial<{ networkId: string; relayPort: number; instanceName: string }>) => () =>
        startDiscovery({
          networkId: NET_A,
          relayPort: 4001,
          instanceName: 'alice',
          onRelay: () => {},
          mdns: bus.host(['192.168.1.10']),
          ...overrides,
        });
    const badId = 'LAN discovery needs a network id of 64 lowercase hex characters.';
    expect(start({ networkId: NET_A.toUpperCase() })).toThrow(badId);
    expect(start({ networkId: 'aa' })).toThrow(badId);
    expect(start({ relayPort: 0 })).toThrow(
      'LAN discovery needs a relay port from 1 to 65535, not 0.',
    );
    expect(start({ relayPort: 70000 })).toThrow('not 70000');
    expect(start({ relayPort: 1.5 })).toThrow('not 1.5');
    const badName =
      'LAN discovery needs an instance name of 1 to 63 bytes without control characters.';
    expect(start({ instanceName: '' })).toThrow(badName);
    expect(start({ instanceName: 'é'.repeat(32) })).toThrow(badName);
    expect(start({ instanceName: 'a\nb' })).toThrow(badName);
    expect(bus.services).toEqual([]);
    expect(bus.browsers.size).toBe(0);
  });
});
