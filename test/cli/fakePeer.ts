// A stand-in for the running peer behind the control socket (node/cli/peerControl.ts), for
// tests of the contract: it records every property of the peer and the market that is touched,
// so a test can tell a request that was refused (nothing touched) from one that ran. It has no
// genesis yet, so every method but `status` ends in the no-genesis sentence, and nothing real
// (a transfer, a file read or written) can happen.
import type { Market } from '../../engine/market/market.ts';
import type { ControlContext } from '../../node/cli/peerControl.ts';
import type { Peer } from '../../node/peer/peer.ts';

export const FAKE_NETWORK_ID = 'ab'.repeat(32);

/** The sentence every method that needs the ledger ends in, on this fake. */
export const NO_GENESIS = /^No genesis yet: this peer has not reached any member of network/;

export interface FakePeer {
  readonly ctx: ControlContext;
  /** Every property read on the peer or the market since the last reset, as "peer.status". */
  readonly touched: string[];
}

export function fakePeer(): FakePeer {
  const touched: string[] = [];
  const status = {
    networkId: FAKE_NETWORK_ID,
    address: null,
    peers: 0,
    synced: false,
    transactions: null,
    stateRoot: null,
    relayUrl: null,
    relayHost: null,
    problems: [],
  };
  const known: Record<string, unknown> = {
    ledger: null,
    address: null,
    status: () => status,
    ready: () => new Promise(() => undefined),
  };
  const spy = (name: string, members: Record<string, unknown>): object =>
    new Proxy(
      {},
      {
        get(_target, property) {
          if (typeof property !== 'string' || property === 'then') return undefined;
          touched.push(`${name}.${property}`);
          if (Object.hasOwn(members, property)) return members[property];
          return () => {
            throw new Error(`the fake ${name} has no ${property}`);
          };
        },
      },
    );
  return {
    touched,
    ctx: {
      peer: spy('peer', known) as Peer,
      agent: spy('market', {}) as Market,
      network: { version: 1, networkId: FAKE_NETWORK_ID, secret: 's'.repeat(16), relays: [] },
      // Started long ago: no wait for a genesis.
      since: 0,
    },
  };
}
