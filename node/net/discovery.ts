// LAN discovery: peers of one network on the same LAN find each other's signaling relays over
// mDNS (DNS-SD), so a network works on a LAN with no relay listed in its invitation.
//
// Each peer publishes a '_gpow._tcp' service on its relay's port. The TXT record carries the
// network's discovery tag (a hash of the network id), never the id itself, so the LAN learns
// only that some GPoW network is here. Everything a browser reports came off the network from
// anyone, so every field is checked before it becomes a relay URL, and the number of URLs
// reported is bounded.
//
// The mDNS layer is injectable (MdnsLike): tests drive discovery through an in-memory bus and
// never multicast.
import Bonjour from 'bonjour-service';
import {
  discoveryTagOf,
  isIpv4,
  isIpv6,
  isNetworkId,
  relayUrlError,
} from '../../shared/net/invitation.ts';

export const SERVICE_TYPE = 'gpow';
export const DISCOVERY_VERSION = '1';
/** A host with several interfaces announces several addresses; more than this is not a host. */
export const MAX_ADDRESSES_PER_SERVICE = 8;
/** Bounds what a hostile device on the LAN can make us remember and hand to the peer. */
export const MAX_REPORTED_RELAYS = 64;
/** stop() waits this long for each mDNS step (goodbye packets, socket close), then moves on. */
const STOP_STEP_TIMEOUT_MS = 2000;

/** A service as an mDNS browser reports it. It came off the network, so nothing is trusted. */
export interface DiscoveredService {
  readonly name?: unknown;
  readonly port?: unknown;
  readonly txt?: unknown;
  readonly addresses?: unknown;
  readonly referer?: unknown;
}

export type ServiceListener = (service: DiscoveredService) => void;

export interface MdnsPublishConfig {
  name: string;
  type: string;
  protocol: 'tcp';
  port: number;
  txt: Record<string, string>;
}

export interface MdnsBrowseConfig {
  type: string;
  protocol: 'tcp';
}

export interface MdnsBrowser {
  /** A known service changed its port or host ('srv-update') or its TXT record ('txt-update'). */
  on(event: 'srv-update' | 'txt-update', listener: ServiceListener): unknown;
  stop(): void;
}

/** The part of bonjour-service's Bonjour class that discovery uses. */
export interface MdnsLike {
  publish(config: MdnsPublishConfig): unknown;
  find(config: MdnsBrowseConfig, onUp: ServiceListener): MdnsBrowser;
  /** Sends goodbye packets for everything published, then calls back. */
  unpublishAll(callback?: () => void): void;
  destroy(callback?: () => void): void;
}

export interface DiscoveryOptions {
  /** The network whose peers to find: 64 lowercase hex characters. */
  networkId: string;
  /** The port our own signaling relay listens on, announced to the LAN. */
  relayPort: number;
  /** Our mDNS instance name; it must differ from every other peer's on the LAN. */
  instanceName: string;
  /** Called once per distinct relay URL found (ws://address:port). */
  onRelay: (url: string) => void;
  /** The mDNS layer; a new Bonjour by default. Once discovery has started, stop() destroys it. */
  mdns?: MdnsLike;
  /** Socket errors and errors thrown by onRelay; logged as warnings by default. */
  onError?: (error: unknown) => void;
}

export interface Discovery {
  /** Stops browsing, unpublishes our service and closes the mDNS layer. Safe to call twice. */
  stop(): Promise<void>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Unspecified, broadcast and multicast addresses name no relay. */
const isUnicastIpv4 = (address: string): boolean =>
  isIpv4(address) && address !== '0.0.0.0' && Number(address.split('.')[0]) < 224;

/** Bonjour turns dots into dashes in instance names, and DNS names compare without case. */
const comparableName = (name: string): string => name.split('.').join('-').toLowerCase();

function checkOptions(options: DiscoveryOptions): void {
  if (!isNetworkId(options.networkId)) {
    throw new Error('LAN discovery needs a network id of 64 lowercase hex characters.');
  }
  const port = options.relayPort;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`LAN discovery needs a relay port from 1 to 65535, not ${port}.`);
  }
  const name = options.instanceName;
  // A DNS label holds at most 63 bytes.
  if (name.length === 0 || Buffer.byteLength(name) > 63 || /\p{Cc}/u.test(name)) {
    throw new Error(
      'LAN discovery needs an instance name of 1 to 63 bytes without control characters.',
    );
  }
}

function refererHosts(referer: unknown): string[] {
  if (!isRecord(referer) || typeof referer.address !== 'string') return [];
  const address = referer.address;
  if (isUnicastIpv4(address)) return [address];
  // A zone-scoped address (fe80::1%eth0) fails isIpv6: a URL cannot carry the zone.
  if (isIpv6(address)) return [`[${address}]`];
  return [];
}

/** The relay URLs a found service stands for: none unless it is another peer of our network. */
function relayUrlsOf(service: DiscoveredService, tag: string, ownName: string): string[] {
  const { name, port, txt } = service;
  if (typeof name !== 'string' || comparableName(name) === ownName) return [];
  if (!isRecord(txt) || txt.v !== DISCOVERY_VERSION || txt.n !== tag) return [];
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return [];
  // IPv4 from the A records first: a URL with a link-local IPv6 address needs a zone it cannot
  // carry. The packet's source address is the fallback for a record without usable A records.
  const addresses: unknown[] = Array.isArray(service.addresses) ? service.addresses : [];
  const ipv4 = addresses
    .filter((a): a is string => typeof a === 'string' && isUnicastIpv4(a))
    .slice(0, MAX_ADDRESSES_PER_SERVICE);
  const hosts = ipv4.length > 0 ? ipv4 : refererHosts(service.referer);
  return hosts.map((host) => `ws://${host}:${port}`).filter((url) => relayUrlError(url) === null);
}

/** Resolves when the step calls back, or after the timeout: a dead socket must not hang stop(). */
function settle(
  step: (done: () => void) => void,
  reportError: (e: unknown) => void,
): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, STOP_STEP_TIMEOUT_MS);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    try {
      step(done);
    } catch (error) {
      reportError(error);
      done();
    }
  });
}

export function startDiscovery(options: DiscoveryOptions): Discovery {
  checkOptions(options);
  const reportError =
    options.onError ??
    ((error: unknown) => {
      console.warn(`LAN discovery: ${error instanceof Error ? error.message : String(error)}`);
    });
  // Without an error callback Bonjour throws send errors from a socket callback, killing the app.
  const mdns = options.mdns ?? new Bonjour({}, reportError);
  const tag = discoveryTagOf(options.networkId);
  const ownName = comparableName(options.instanceName);
  const reported = new Set<string>();
  let stopped = false;

  const consider: ServiceListener = (service) => {
    if (stopped) return;
    for (const url of relayUrlsOf(service, tag, ownName)) {
      if (reported.has(url) || reported.size >= MAX_REPORTED_RELAYS) continue;
      reported.add(url);
      try {
        options.onRelay(url);
      } catch (error) {
        // The callback runs inside mDNS's socket handler, where a throw would crash the process.
        reportError(error);
      }
    }
  };

  let browser: MdnsBrowser;
  try {
    mdns.publish({
      name: options.instanceName,
      type: SERVICE_TYPE,
      protocol: 'tcp',
      port: options.relayPort,
      txt: { v: DISCOVERY_VERSION, n: tag },
    });
    browser = mdns.find({ type: SERVICE_TYPE, protocol: 'tcp' }, consider);
    browser.on('srv-update', consider);
    browser.on('txt-update', consider);
  } catch (error) {
    stopped = true;
    mdns.destroy();
    throw error;
  }

  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        stopped = true;
        browser.stop();
        // Goodbye packets tell the other peers at once that our relay is gone.
        await settle((done) => mdns.unpublishAll(done), reportError);
        await settle((done) => mdns.destroy(done), reportError);
      })();
      return stopping;
    },
  };
}
