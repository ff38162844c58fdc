// Single-use and time-limited invitations in the app (docs/protocol.md §13.9): making a ticket
// link through the running engine's door keeper, and redeeming one as a newcomer, with the same
// ports the runtime uses (the page's WebRTC, WebCrypto, its timers and randomness). The store
// (appStore.ts) holds the actions; the engine's `tickets` events are saved by keptTickets.
import type { KeyHex } from '../../shared/ids.ts';
import { MAX_RELAYS, type Invitation } from '../../shared/net/invitation.ts';
import {
  formatTicket,
  parseJoinLink,
  ticketExpiredError,
  type JoinLink,
  type TicketInvitation,
} from '../../shared/net/ticket.ts';
import { MAX_OPEN_TICKETS, type TicketRecord } from '../../shared/net/tickets.ts';
import type { ClockPort, RandomPort } from '../../shared/ports.ts';
import type { WrtcLike } from '../../shared/replication/guardedWrtc.ts';
import { KNOCK_CANCELLED, knockAtDoor } from '../../engine/knock.ts';
import { webTimers } from '../platform/webTimers.ts';
import { webVerifier } from '../platform/webVerify.ts';
import type {
  IceServer,
  NetworkRuntime,
  RuntimeNotice,
  TicketView,
} from '../runtime/networkRuntime.ts';
import { asSentence, UserError } from './errors.ts';
import { joinLinkError } from './joinLinkError.ts';
import { loadTickets, saveTickets, type KeyValueStorage } from './persisted.ts';

export type { TicketView };

const HOUR_MS = 60 * 60 * 1000;
/** How long a ticket link stays valid: the choices the invite panel offers. */
export const TICKET_DURATIONS = {
  hour: HOUR_MS,
  day: 24 * HOUR_MS,
  week: 7 * 24 * HOUR_MS,
} as const;
export type TicketDuration = keyof typeof TICKET_DURATIONS;
/** A single-use link still closes: an unused ticket should not wait forever (as the CLI). */
export const ONCE_DEFAULT: TicketDuration = 'week';
export const LIMITED_DEFAULT: TicketDuration = 'day';

export interface TicketRequest {
  readonly once: boolean;
  readonly duration: TicketDuration;
}

/** A ticket link just made. */
export interface MadeTicket {
  readonly id: string;
  readonly link: string;
  readonly once: boolean;
  readonly expires: number;
}

/** How a knock is going, for the Join screen. */
export type KnockStage = 'connecting' | 'knocking' | 'answered';

/**
 * A new ticket from the runtime's door keeper, and its link naming `relays` (those the reusable
 * link names). The door opens at once; the engine's `tickets` event carries the record out.
 */
export function makeTicket(
  runtime: NetworkRuntime,
  network: Invitation,
  relays: readonly string[],
  request: TicketRequest,
  now: number,
): MadeTicket {
  // A used single-use door stays open until it expires (a newcomer may ask again): it counts.
  const open = runtime.doors
    .list()
    .filter((row) => row.state === 'open' || row.state === 'used').length;
  if (open >= MAX_OPEN_TICKETS)
    throw new UserError('tickets.error.full', { max: MAX_OPEN_TICKETS });
  const expires = now + TICKET_DURATIONS[request.duration];
  const { record, fields } = runtime.doors.create({ once: request.once, expires });
  const link = formatTicket({
    networkId: network.networkId,
    relays: relays.slice(0, MAX_RELAYS),
    ...(network.name !== undefined ? { name: network.name } : {}),
    ...fields,
  });
  return { id: record.id, link, once: record.once, expires: record.expires };
}

/** Withdraws a ticket the runtime lists; an unknown id is a sentence, not a crash. */
export function withdrawTicket(runtime: NetworkRuntime, id: string): TicketView {
  if (!runtime.doors.list().some((row) => row.id === id))
    throw new UserError('tickets.error.unknown');
  runtime.doors.revoke(id);
  const row = runtime.doors.list().find((r) => r.id === id);
  if (row === undefined) throw new UserError('tickets.error.unknown');
  return row;
}

/** Whether any ticket is still open: the panel then reminds the user to keep the app open. */
export const anyOpen = (rows: readonly TicketView[]): boolean =>
  rows.some((row) => row.state === 'open');

export interface RedeemOptions {
  readonly ticket: TicketInvitation;
  readonly clock: ClockPort;
  readonly random: RandomPort;
  readonly wrtc: WrtcLike | null;
  readonly iceServers: readonly IceServer[];
  /** The identity joining: the inviter's list names it. */
  readonly who: KeyHex | null;
  readonly onProgress?: (stage: KnockStage) => void;
  readonly timeoutMs?: number;
  /** Settles when the person stops waiting. */
  readonly cancelled?: Promise<unknown>;
}

/**
 * Knocks at the ticket's door and comes back with the invitation to join with (the join secret
 * the inviter's app handed over), or throws the sentence that says why not. An expired ticket is
 * refused before anything goes out.
 */
export async function redeemTicket(options: RedeemOptions): Promise<Invitation> {
  const { ticket } = options;
  const expired = ticketExpiredError(ticket, options.clock.now());
  if (expired !== null) throw new UserError('join.ticket.error', { detail: asSentence(expired) });
  if (options.wrtc === null) throw new UserError('error.noWebrtc');
  const result = await knockAtDoor({
    ticket,
    clock: options.clock,
    timers: webTimers,
    random: options.random,
    wrtc: options.wrtc,
    verifier: webVerifier,
    iceServers: options.iceServers,
    ...(options.who !== null ? { who: options.who } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
    ...(options.cancelled !== undefined ? { cancelled: options.cancelled } : {}),
  });
  if (!result.ok && result.error === KNOCK_CANCELLED) throw new UserError('join.ticket.cancelled');
  if (!result.ok) throw new UserError('join.ticket.error', { detail: asSentence(result.error) });
  return {
    networkId: ticket.networkId,
    secret: result.secret,
    relays: [...ticket.relays],
    ...(ticket.name !== undefined ? { name: ticket.name } : {}),
  };
}

/** The store's ticket actions (AppState has them). */
export interface TicketActions {
  /**
   * A pasted or deep-linked gpow:join link, either kind, checked before anything is shown or
   * saved: a damaged link, and a ticket link past its expiry, are refused with a sentence.
   */
  readonly checkJoinLink: (text: string) => JoinLink;
  /**
   * Joins with a ticket link (§13.9): knocks at the inviter's door for the join secret, then joins
   * as with a reusable invitation. Nothing is saved unless the inviter lets this identity in.
   */
  readonly joinWithTicket: (
    ticket: TicketInvitation,
    onProgress?: (stage: KnockStage) => void,
    cancelled?: Promise<unknown>,
  ) => Promise<void>;
  /** A single-use or time-limited invitation link; this app must stay open for it to work. */
  readonly createTicket: (request: TicketRequest) => MadeTicket;
  /** The single-use and time-limited invitations given out here, newest first. */
  readonly listTickets: () => TicketView[];
  /** Withdraws one: nobody else is let in with it. */
  readonly withdrawTicket: (id: string) => TicketView;
}

/** What the ticket actions need of the store and the platform. */
export interface TicketHost {
  readonly clock: ClockPort;
  readonly random: RandomPort;
  readonly wrtc: WrtcLike | null;
  readonly current: () => {
    readonly runtime: NetworkRuntime | null;
    readonly network: Invitation | null;
    /** The relays the reusable invitation names: a ticket link names the same. */
    readonly relays: readonly string[];
    readonly iceServers: readonly IceServer[];
    readonly key: KeyHex | null;
  };
  /** The invitations changed: screens list them again. */
  readonly changed: () => void;
  readonly joinNetwork: (invitation: Invitation) => Promise<void>;
}

export function ticketActions(host: TicketHost): TicketActions {
  const running = () => {
    const { runtime, network } = host.current();
    if (runtime === null || network === null) throw new UserError('error.noNetwork');
    return { runtime, network };
  };
  return {
    checkJoinLink(text) {
      const parsed = parseJoinLink(text);
      if (!parsed.ok) throw joinLinkError(parsed.error);
      if (parsed.link.kind === 'ticket') {
        const expired = ticketExpiredError(parsed.link.ticket, host.clock.now());
        if (expired !== null)
          throw new UserError('join.ticket.error', { detail: asSentence(expired) });
      }
      return parsed.link;
    },

    async joinWithTicket(ticket, onProgress, cancelled) {
      const { network, iceServers, key } = host.current();
      if (network !== null && network.networkId !== ticket.networkId) {
        throw new UserError('error.alreadyInNetwork');
      }
      const invitation = await redeemTicket({
        ticket,
        clock: host.clock,
        random: host.random,
        wrtc: host.wrtc,
        iceServers,
        who: key,
        ...(onProgress !== undefined ? { onProgress } : {}),
        ...(cancelled !== undefined ? { cancelled } : {}),
      });
      await host.joinNetwork(invitation);
    },

    createTicket(request) {
      const { runtime, network } = running();
      const relays = host.current().relays;
      const made = makeTicket(runtime, network, relays, request, host.clock.now());
      host.changed();
      return made;
    },

    listTickets() {
      const rows = host.current().runtime?.doors.list() ?? [];
      return rows.sort((a, b) => b.created - a.created);
    },

    withdrawTicket(id) {
      const row = withdrawTicket(running().runtime, id);
      host.changed();
      return row;
    },
  };
}

/**
 * The runtime options that keep a network's tickets: the saved ones to start with, and every
 * change saved while `current()` (the runtime is still the store's). A damaged saved record is
 * left out and said, by count only: the records hold secrets.
 */
export function keptTickets(options: {
  readonly storage: KeyValueStorage;
  readonly networkId: string;
  readonly current: () => boolean;
  readonly changed: () => void;
  readonly warn: (notice: RuntimeNotice) => void;
}): {
  readonly tickets: readonly TicketRecord[];
  readonly onTickets: (records: readonly TicketRecord[]) => void;
  readonly onKnock: () => void;
  /** Says what was left out, once the runtime is the store's. */
  readonly report: () => void;
} {
  const { storage, networkId } = options;
  const { records, dropped } = loadTickets(storage, networkId);
  return {
    tickets: records,
    onTickets: (kept) => {
      if (!options.current()) return;
      saveTickets(storage, networkId, kept);
      options.changed();
    },
    onKnock: () => {
      if (options.current()) options.changed();
    },
    report: () => {
      if (dropped === 0) return;
      options.warn({
        kind: 'warning',
        message: `${dropped} saved single-use or time-limited invitations were damaged and left out: they no longer let anyone in.`,
      });
    },
  };
}
