// The inviter's side of ticket links (docs/protocol.md §13.9): the tickets this home gave out,
// as it keeps them, and the one rule that decides each knock. Pure: the engine's door keeper
// (engine/door.ts) applies it and the platform stores the records (network.json, or the app's
// saved state), which are parsed back from unknown like any file.
import { sha256 } from '@noble/hashes/sha2.js';
import { base64urlnopad } from '@scure/base';
import * as v from 'valibot';
import { toHex } from '../bytes.ts';
import { publicKeyOf } from '../crypto/ed25519.ts';
import type { RandomPort } from '../ports.ts';
import { doorRoomOf, type DoorKey, type Refusal } from './door.ts';
import { isKeyText, MAX_TICKET_MS, type TicketInvitation } from './ticket.ts';

/** Doors open at once, per network: each is a room this peer keeps joined. */
export const MAX_OPEN_TICKETS = 32;
/** A reusable ticket lets in at most this many newcomers before it counts as used. */
export const MAX_TICKET_USES = 256;
/** A closed ticket stays listed this long, so its inviter can see what became of it. */
export const TICKET_KEPT_MS = 7 * 24 * 60 * 60 * 1000;

export interface TicketUse {
  readonly at: number;
  /** The knock's key (hex): the same newcomer asking again is answered again. */
  readonly to: string;
  /** The identity the newcomer named, if any (hex). */
  readonly who?: string;
}

export interface TicketRecord {
  /** A short name for the ticket: the first 12 hex characters of SHA-256 of the door key. */
  readonly id: string;
  readonly ticket: string;
  readonly doorSecret: string;
  readonly created: number;
  readonly expires: number;
  readonly once: boolean;
  readonly uses: readonly TicketUse[];
  readonly revoked?: number;
}

const HEX32 = /^[0-9a-f]{64}$/;
const time = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const keyText = v.pipe(v.string(), v.check(isKeyText, 'expected 32 bytes in base64url'));
const useSchema = v.strictObject({
  at: time,
  to: v.pipe(v.string(), v.regex(HEX32)),
  who: v.optional(v.pipe(v.string(), v.regex(HEX32))),
});
const recordSchema = v.strictObject({
  id: v.pipe(v.string(), v.regex(/^[0-9a-f]{12}$/)),
  ticket: keyText,
  doorSecret: keyText,
  created: time,
  expires: time,
  once: v.boolean(),
  uses: v.pipe(v.array(useSchema), v.maxLength(MAX_TICKET_USES)),
  revoked: v.optional(time),
});

/** Saved ticket records, parsed from unknown; a damaged one is left out and named. */
export function parseTicketRecords(input: unknown): { records: TicketRecord[]; dropped: number } {
  if (!Array.isArray(input)) return { records: [], dropped: input === undefined ? 0 : 1 };
  const records: TicketRecord[] = [];
  let dropped = 0;
  for (const item of input.slice(0, MAX_OPEN_TICKETS * 4)) {
    const parsed = v.safeParse(recordSchema, item);
    if (parsed.success && parsed.output.id === ticketIdOf(parsed.output.doorSecret)) {
      records.push(parsed.output);
    } else dropped++;
  }
  return { records, dropped: dropped + Math.max(0, input.length - MAX_OPEN_TICKETS * 4) };
}

export function doorPublicOf(record: Pick<TicketRecord, 'doorSecret'>): Uint8Array {
  return publicKeyOf(base64urlnopad.decode(record.doorSecret));
}

/** The record's door key pair, for signing answers. */
export function doorKeyOf(record: Pick<TicketRecord, 'doorSecret'>): DoorKey {
  return { secret: base64urlnopad.decode(record.doorSecret), public: doorPublicOf(record) };
}

/** The record's door room (door.ts doorRoomOf over the ticket's bytes). */
export function doorRoomOfRecord(
  record: Pick<TicketRecord, 'ticket'>,
  networkId: string,
): { room: string; password: string } {
  return doorRoomOf(base64urlnopad.decode(record.ticket), networkId);
}

function ticketIdOf(doorSecret: string): string {
  return toHex(sha256(publicKeyOf(base64urlnopad.decode(doorSecret)))).slice(0, 12);
}

/** Whether the ticket's door is open at `now`: not withdrawn and not past its expiry. */
export const isOpen = (record: TicketRecord, now: number): boolean =>
  record.revoked === undefined && now < record.expires;

/**
 * A fresh ticket. `expires` is rounded down to a whole second (the link carries seconds) and
 * must fall within MAX_TICKET_MS of now; throws a sentence otherwise, or when too many doors are
 * open already.
 */
export function createTicket(
  open: readonly TicketRecord[],
  options: { now: number; expires: number; once: boolean; random: RandomPort },
): TicketRecord {
  const { now, once, random } = options;
  const expires = Math.floor(options.expires / 1000) * 1000;
  if (!(expires > now)) throw new Error('An invitation must expire in the future.');
  if (expires - now > MAX_TICKET_MS) {
    throw new Error(`An invitation may stay open at most ${MAX_TICKET_MS / 86_400_000} days.`);
  }
  if (open.filter((r) => isOpen(r, now)).length >= MAX_OPEN_TICKETS) {
    throw new Error(
      `${MAX_OPEN_TICKETS} invitations are open already: withdraw one (gpow invite revoke ID) or wait until one expires.`,
    );
  }
  const doorSecret = base64urlnopad.encode(random.bytes(32));
  return {
    id: ticketIdOf(doorSecret),
    ticket: base64urlnopad.encode(random.bytes(32)),
    doorSecret,
    created: now,
    expires,
    once,
    uses: [],
  };
}

/** The link's fields for a record; the caller adds where the network is. */
export function ticketFields(
  record: TicketRecord,
): Pick<TicketInvitation, 'ticket' | 'door' | 'expires' | 'once'> {
  return {
    ticket: record.ticket,
    door: base64urlnopad.encode(doorPublicOf(record)),
    expires: record.expires,
    once: record.once,
  };
}

/**
 * The rule of the door: a newcomer already let in is answered again (its answer may not have
 * reached it), a withdrawn or expired ticket refuses, a single-use one refuses once used, and a
 * reusable one once it has let in MAX_TICKET_USES newcomers.
 */
export function decideKnock(record: TicketRecord, to: string, now: number): 'grant' | Refusal {
  if (record.uses.some((use) => use.to === to)) return 'grant';
  if (record.revoked !== undefined) return 'revoked';
  if (now >= record.expires) return 'expired';
  if (record.once ? record.uses.length >= 1 : record.uses.length >= MAX_TICKET_USES) return 'used';
  return 'grant';
}

/** The record after letting in `to`; unchanged if `to` was let in before. */
export function recordUse(record: TicketRecord, use: TicketUse): TicketRecord {
  if (record.uses.some((u) => u.to === use.to)) return record;
  return { ...record, uses: [...record.uses, use] };
}

/** Records worth keeping at `now`: open ones, and closed ones for TICKET_KEPT_MS. */
export function keptTickets(records: readonly TicketRecord[], now: number): TicketRecord[] {
  return records.filter((r) => now < Math.min(r.expires, r.revoked ?? Infinity) + TICKET_KEPT_MS);
}

/**
 * The ticket `id` names: its whole id, or the start of exactly one ticket's id (at least 4
 * characters). Otherwise a sentence: a prefix that fits two tickets must not withdraw the
 * first one listed.
 */
export function findTicket(records: readonly TicketRecord[], id: string): TicketRecord | string {
  const wanted = id.toLowerCase();
  const exact = records.find((r) => r.id === wanted);
  if (exact) return exact;
  const shown = JSON.stringify(id.slice(0, 16));
  const matches = wanted.length >= 4 ? records.filter((r) => r.id.startsWith(wanted)) : [];
  if (matches.length === 1) return matches[0] as TicketRecord;
  if (matches.length > 1) {
    return `${shown} is the start of ${matches.length} invitations' ids: give more of it (see gpow invite list).`;
  }
  return `No invitation ${shown} here: see gpow invite list.`;
}
