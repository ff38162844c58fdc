// The desktop app's own networking, run by main on the renderer's request: a signaling relay
// (node/net/signalingRelay.ts) on 127.0.0.1, or on every interface when the user serves the LAN,
// and then mDNS discovery (node/net/discovery.ts) of the network's other peers on the LAN. Each
// relay found there is reached through a loopback forwarder (loopbackForwarder.ts), so the
// URLs handed to the page are all ws://127.0.0.1:<port>, which its CSP already allows.
import { randomBytes } from 'node:crypto';
import type {
  LanRelay,
  NetworkServicesInput,
  NetworkServicesReport,
} from '../shared/bridge/contract.ts';
import type { Discovery, DiscoveryOptions } from '../node/net/discovery.ts';
import type { RelayOptions, SignalingRelay } from '../node/net/signalingRelay.ts';
import {
  forwardTargetOf,
  type ForwardTarget,
  type LoopbackForwarder,
} from './loopbackForwarder.ts';

/** Relays found on the LAN that get a forwarder; discovery itself reports at most 64. */
export const MAX_LAN_RELAYS = 16;

export interface NetworkServicesDeps {
  startRelay(options: RelayOptions): Promise<SignalingRelay>;
  startDiscovery(options: DiscoveryOptions): Discovery;
  startForwarder(target: ForwardTarget): Promise<LoopbackForwarder>;
  /** Our mDNS instance name; random by default, so that no two peers share one. */
  instanceName?: () => string;
  log?: (message: string) => void;
}

export interface NetworkServices {
  start(input: NetworkServicesInput): Promise<NetworkServicesReport>;
  report(): NetworkServicesReport;
  stop(): Promise<void>;
}

interface Running {
  readonly relay: SignalingRelay;
  readonly lan: boolean;
  networkId: string | null;
  discovery: Discovery | null;
  readonly forwarders: Map<string, LoopbackForwarder>;
  /** LAN relays whose forwarder is starting: counted, so a repeat starts no second one. */
  readonly pending: Set<string>;
  /** The LAN relays, in the order they were found. */
  readonly lanRelays: LanRelay[];
  problem: string | undefined;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export function createNetworkServices(deps: NetworkServicesDeps): NetworkServices {
  const log = deps.log ?? ((message: string) => console.log(message));
  const instanceName = deps.instanceName ?? (() => `gpow-${randomBytes(6).toString('hex')}`);
  let running: Running | null = null;
  /** start and stop run one at a time, in call order. */
  let queue: Promise<unknown> = Promise.resolve();

  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  };

  const report = (): NetworkServicesReport => {
    if (running === null) return { running: false, relay: null, lan: false, lanRelays: [] };
    const base = {
      running: true,
      relay: running.relay.url,
      lan: running.lan,
      lanRelays: running.lanRelays.map((relay) => ({ ...relay })),
    };
    return running.problem === undefined ? base : { ...base, problem: running.problem };
  };

  const stopDiscovery = async (state: Running): Promise<void> => {
    const discovery = state.discovery;
    state.discovery = null;
    state.networkId = null;
    state.problem = undefined;
    state.lanRelays.length = 0;
    const forwarders = [...state.forwarders.values()];
    state.forwarders.clear();
    state.pending.clear();
    await discovery?.stop();
    await Promise.all(forwarders.map((forwarder) => forwarder.close()));
  };

  const stopAll = async (): Promise<void> => {
    const state = running;
    if (state === null) return;
    running = null;
    await stopDiscovery(state);
    await state.relay.close();
    log('GPoW stopped its signaling relay.');
  };

  const onLanRelay = (state: Running, url: string): void => {
    if (state.forwarders.has(url) || state.pending.has(url)) return;
    if (state.forwarders.size + state.pending.size >= MAX_LAN_RELAYS) return;
    const target = forwardTargetOf(url);
    if (target === null) return;
    const discovery = state.discovery;
    const generation = state.pending;
    generation.add(url);
    deps.startForwarder(target).then(
      (forwarder) => {
        generation.delete(url);
        // Discovery stopped or restarted meanwhile: not wanted now.
        if (running !== state || state.discovery !== discovery) {
          void forwarder.close();
          return;
        }
        state.forwarders.set(url, forwarder);
        state.lanRelays.push({ url: forwarder.url, via: url });
        log(`GPoW found a relay on the LAN at ${url}; the page reaches it at ${forwarder.url}.`);
      },
      (error: unknown) => {
        generation.delete(url);
        state.problem = `could not reach the LAN relay ${url}: ${messageOf(error)}`;
      },
    );
  };

  const startDiscovery = (state: Running, networkId: string): void => {
    state.networkId = networkId;
    state.problem = undefined;
    try {
      state.discovery = deps.startDiscovery({
        networkId,
        relayPort: state.relay.port,
        instanceName: instanceName(),
        onRelay: (url) => onLanRelay(state, url),
        onError: (error) => {
          state.problem = `LAN discovery: ${messageOf(error)}`;
          log(`GPoW's LAN discovery reported a problem: ${messageOf(error)}`);
        },
      });
    } catch (error) {
      state.discovery = null;
      state.problem = `LAN discovery could not start: ${messageOf(error)}`;
      log(state.problem);
    }
  };

  return {
    start: (input) =>
      serially(async () => {
        // Serving the LAN or not is the relay's bind address: changing it restarts the relay.
        if (running !== null && running.lan !== input.lan) await stopAll();
        if (running === null) {
          const relay = await deps.startRelay({ host: input.lan ? '0.0.0.0' : '127.0.0.1' });
          running = {
            relay,
            lan: input.lan,
            networkId: null,
            discovery: null,
            forwarders: new Map(),
            pending: new Set(),
            lanRelays: [],
            problem: undefined,
          };
          log(
            `GPoW's signaling relay listens on ${input.lan ? 'every interface' : '127.0.0.1'}, ` +
              `port ${relay.port}.`,
          );
        }
        const state = running;
        const wanted = input.lan ? input.networkId : null;
        if (state.networkId !== wanted) {
          await stopDiscovery(state);
          if (wanted !== null) startDiscovery(state, wanted);
        }
        return report();
      }),

    report,

    stop: () => serially(stopAll),
  };
}
