// Following a re-founding in the app (docs/protocol.md §13.6), as "gpow network follow" does it
// for a home: the app moves to the announced network id and name, keeping the join secret and
// the relays, and starts there. The old network's log stays where it is (logs are kept by
// network id: gpow-ledger-<id>, in IndexedDB or main's file logs) and is never deleted; the
// old network is remembered, so the app can go back to it. The app never holds a new genesis
// of its own (it cannot re-found), so the genesis and the carried balance arrive from the
// members already there. Once they have, the Network screen compares what this identity held
// with what the new genesis gives it.
import * as v from 'valibot';
import { toHex } from '../../shared/bytes.ts';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import {
  formatInvitation,
  parseInvitation,
  placeError,
  type Invitation,
} from '../../shared/net/invitation.ts';
import { refoundings, type Refounding } from '../../shared/net/refound.ts';
import { carriedBalances } from '../../shared/wallet/refound.ts';
import type { DeviceSetup, NetworkRuntime } from '../runtime/networkRuntime.ts';
import { UserError } from './errors.ts';
import type { KeyValueStorage } from './persisted.ts';

/** Where the app keeps the network it followed a re-founding from. */
export const FOLLOWED_KEY = 'gpow.followed.v1';

/** A re-founding announced on this network, and what this identity would hold there. */
export interface RefoundOffer extends Refounding {
  /** This identity's balance across its chains as this device reads it now (negative: owes). */
  readonly carried: bigint;
}

/** Every re-founding announced on `ledger`, earliest first, with what `me` would hold. */
export function refoundOffers(ledger: Ledger, me: KeyHex): RefoundOffer[] {
  const announced = refoundings(ledger.indexes);
  if (announced.length === 0) return [];
  const mine = ledger.identityOf(me);
  const held = carriedBalances(ledger).find(([key]) => key === mine)?.[1] ?? 0n;
  return announced.map((r) => ({ ...r, carried: held }));
}

/** The app followed a re-founding: from where, to where, and what it held when it moved. */
export interface Followed {
  /** The old network, as it was kept (its own join secret and relays). */
  readonly from: Invitation;
  readonly to: TxId;
  /** This identity's balance on the old network when the app moved (negative: owes). */
  readonly held: bigint;
  readonly at: number;
}

const followedSchema = v.object({
  version: v.literal(1),
  from: v.string(),
  to: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  held: v.pipe(v.string(), v.regex(/^-?(?:0|[1-9][0-9]{0,19})$/)),
  at: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

/** The kept record, parsed from storage as untrusted input; null when absent or damaged. */
export function loadFollowed(storage: KeyValueStorage): Followed | null {
  let json: unknown;
  try {
    json = JSON.parse(storage.getItem(FOLLOWED_KEY) ?? 'null');
  } catch {
    return null;
  }
  const parsed = v.safeParse(followedSchema, json);
  if (!parsed.success) return null;
  const from = parseInvitation(parsed.output.from);
  if (!from.ok) return null;
  const { to, held, at } = parsed.output;
  return { from: from.invitation, to: to as TxId, held: BigInt(held), at };
}

export function saveFollowed(storage: KeyValueStorage, followed: Followed | null): void {
  if (followed === null) {
    storage.removeItem(FOLLOWED_KEY);
    return;
  }
  const { from, to, held, at } = followed;
  storage.setItem(
    FOLLOWED_KEY,
    JSON.stringify({ version: 1, from: formatInvitation(from), to, held: held.toString(), at }),
  );
}

/**
 * The network the app moves to: the announced id and name, with this network's join secret and
 * relays. A name the invitation format refuses (an announcement is untrusted) is left out.
 */
export function followedNetwork(current: Invitation, r: Refounding): Invitation {
  const rest: Invitation = {
    networkId: r.networkId,
    secret: current.secret,
    relays: [...current.relays],
  };
  const named: Invitation = { ...rest, name: r.name };
  return placeError(named) === null ? named : rest;
}

/** What the new network's genesis gives this identity, once it has arrived. */
export interface Arrived {
  /** The genesis says it carries the balances over from the network the app left. */
  readonly carriesFrom: boolean;
  /** This identity's starting balance there (negative: owes). */
  readonly given: bigint;
}

export function arrivedOf(ledger: Ledger, me: KeyHex, from: string): Arrived {
  const body = ledger.genesis.body;
  const mine = ledger.identityOf(me);
  const allocation = body.allocations.find(([key]) => toHex(key) === mine)?.[1];
  const debt = body.refounds?.debts.find(([key]) => toHex(key) === mine)?.[1];
  return {
    carriesFrom: body.refounds !== undefined && toHex(body.refounds.from) === from,
    given: allocation ?? (debt !== undefined ? -debt : 0n),
  };
}

/** What the store gives this module: its state and how it stops and starts the runtime. */
export interface RefoundHost {
  readonly storage: KeyValueStorage;
  readonly now: () => number;
  readonly current: () => {
    readonly network: Invitation | null;
    readonly runtime: NetworkRuntime | null;
    readonly device: DeviceSetup | null;
    readonly key: KeyHex | null;
  };
  readonly stop: () => Promise<void>;
  /** Starts the runtime on `network` (rejects when it cannot), with `network` in the state. */
  readonly start: (network: Invitation) => Promise<void>;
  /** The network in the state (what the screens show), not yet the stored one. */
  readonly setNetwork: (network: Invitation) => void;
  /** The stored network: what the next unlock starts. */
  readonly saveNetwork: (network: Invitation) => void;
  readonly setFollowed: (followed: Followed | null) => void;
}

export interface RefoundActions {
  /** The re-founding the app followed last, while it still matters; null otherwise. */
  readonly followed: Followed | null;
  /**
   * Moves the app to the announced network `networkId`: stops the runtime, switches the stored
   * network (same join secret and relays) and starts there. The old log is kept. When the new
   * network cannot start, the old one is started again and stays the stored network.
   */
  readonly followRefounding: (networkId: string) => Promise<void>;
  /** Goes back to the network the app followed a re-founding from; its log was kept. */
  readonly returnToFollowed: () => Promise<void>;
}

/** Stops, starts on `to`, and saves it; on failure starts `from` again and rethrows. */
async function move(host: RefoundHost, from: Invitation, to: Invitation): Promise<void> {
  await host.stop();
  host.setNetwork(to);
  try {
    await host.start(to);
  } catch (error) {
    await host.stop();
    host.setNetwork(from);
    // The old network's own failure, if any, shows where it always does (networkError).
    await host.start(from).catch(() => undefined);
    throw error;
  }
}

export function refoundActions(host: RefoundHost): RefoundActions {
  return {
    followed: loadFollowed(host.storage),

    async followRefounding(networkId) {
      const { network, runtime, device, key } = host.current();
      const ledger = runtime?.ledger ?? null;
      if (network === null || ledger === null || key === null)
        throw new UserError('error.noNetwork');
      // A device's certificate names the old network: it must be paired again there (§13.6).
      if (device !== null) throw new UserError('refound.error.device');
      const chosen = refoundOffers(ledger, key).find((r) => r.networkId === networkId);
      if (chosen === undefined) throw new UserError('refound.error.unknown');
      if (chosen.networkId === network.networkId) throw new UserError('refound.error.same');
      const to = followedNetwork(network, chosen);
      const check = parseInvitation(formatInvitation(to));
      if (!check.ok) throw new UserError('refound.error.network', { detail: check.error });
      await move(host, network, to);
      const followed = {
        from: network,
        to: chosen.networkId,
        held: chosen.carried,
        at: host.now(),
      };
      // Saved only once the new network runs: a failure leaves the old one stored and current.
      host.saveNetwork(to);
      saveFollowed(host.storage, followed);
      host.setFollowed(followed);
    },

    async returnToFollowed() {
      const { network } = host.current();
      const followed = loadFollowed(host.storage);
      if (network === null || followed === null || followed.to !== network.networkId)
        throw new UserError('refound.error.noReturn');
      await move(host, network, followed.from);
      host.saveNetwork(followed.from);
      saveFollowed(host.storage, null);
      host.setFollowed(null);
    },
  };
}
