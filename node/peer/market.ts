// The market (engine/market/market.ts) on a headless peer, on Node's ports: worker threads for
// the work, reveals.json in the data directory for the secrets. `gpow run` and the test peers
// start it; the CLI's market commands call its actions through the control socket.
import { describeMarketEvent, Market } from '../../engine/market/market.ts';
import { nodeRandom } from '../platform/nodeRandom.ts';
import { nodeReveals } from '../platform/nodeReveals.ts';
import { nodeClock, nodeTimers } from '../platform/nodeTimers.ts';
import { nodeWork } from '../platform/nodeWork.ts';
import type { Peer } from './peer.ts';

export interface NodeMarketOptions {
  /** Services to provide automatically (the offers themselves are on the ledger). */
  readonly provide?: readonly string[];
  /** Perform validator duties for pow and compute instances. */
  readonly validate?: boolean;
  readonly powWorkers?: number;
  /** What the market did, one line each. */
  readonly onEvent?: (message: string) => void;
  /** How often to look for work when nothing arrives (deadlines pass on their own). */
  readonly intervalMs?: number;
}

export function nodeMarket(peer: Peer, options: NodeMarketOptions = {}): Market {
  const say = options.onEvent;
  return new Market(
    peer,
    {
      clock: nodeClock,
      random: nodeRandom,
      timers: nodeTimers,
      work: nodeWork(options.powWorkers ? { powWorkers: options.powWorkers } : {}),
      reveals: nodeReveals(peer.config.dataDir),
    },
    {
      automation: { provide: options.provide ?? [], validate: options.validate ?? false },
      intervalMs: options.intervalMs ?? 500,
      ...(say
        ? {
            onEvent: (event) => say(describeMarketEvent(event)),
            onWarning: (message) => say(message),
          }
        : {}),
    },
  );
}
