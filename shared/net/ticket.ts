// Ticket links: invitations that work once, or only until a date (docs/protocol.md §13.9). A
// reusable invitation carries the join secret itself, and whoever once held it holds it for
// good: no date or count written next to it could be enforced. A ticket link carries instead a
// ticket, the key to a small "door" room where the inviter's peer waits (door.ts), and the
// inviter's peer hands the join secret over there, sealed to the newcomer, while the ticket is
// valid: once for a single-use ticket, until it expires for any. The design follows Keet's
// blind pairing (holepunchto/blind-pairing): an invite seed, a rendezvous derived from it, and
// an answer only the inviting device can give.
//
//   gpow:join?v=3&net=<id>&t=<ticket>&d=<door key>&exp=<unix seconds>[&once=1]
//             [&relay=<url>]...[&name=<name>]&c=<checksum>
//
// The link is untrusted text like every invitation (invitation.ts holds the shared parsing): a
// strict, total parse, one sentence per refusal, and a checksum over the decoded fields.
import { sha256 } from '@noble/hashes/sha2.js';
import { base64urlnopad } from '@scure/base';
import { utf8 } from '../bytes.ts';
import {
  checksumLength,
  damaged,
  JOIN_PREFIX,
  linkText,
  MAX_INVITATION_BYTES,
  parseInvitation,
  placeError,
  readParameters,
  splitParameters,
  TICKET_VERSION,
  WRONG_SCHEME,
  type Invitation,
} from './invitation.ts';

export interface TicketInvitation {
  readonly networkId: string;
  /** The ticket: 32 random bytes in base64url without padding; it opens the door room. */
  readonly ticket: string;
  /** The door's Ed25519 public key (base64url): the inviter's answers are signed with it. */
  readonly door: string;
  /** When the door closes, ms since the Unix epoch, a whole second. */
  readonly expires: number;
  /** Whether the door lets in one newcomer only. */
  readonly once: boolean;
  readonly relays: string[];
  readonly name?: string;
}

export type JoinLink =
  | { readonly kind: 'secret'; readonly invitation: Invitation }
  | { readonly kind: 'ticket'; readonly ticket: TicketInvitation };

export type JoinLinkParse = { ok: true; link: JoinLink } | { ok: false; error: string };

/** Doors stay open at most this long: a ticket is a short-lived thing by design. */
export const MAX_TICKET_DAYS = 90;
export const MAX_TICKET_MS = MAX_TICKET_DAYS * 24 * 60 * 60 * 1000;
const KEY_TEXT = /^[A-Za-z0-9_-]{43}$/;
/** Unix seconds: no sign, no leading zero, below 2^40 (the year 36812). */
const SECONDS = /^[1-9][0-9]{0,12}$/;
const MAX_SECONDS = 2 ** 40;
const PARAMETERS = new Set(['v', 'net', 't', 'd', 'exp', 'once', 'relay', 'name', 'c']);

/** The 32 bytes of a key in link text (ticket, door key); throws on text isKeyText refuses. */
export function keyBytesOf(text: string): Uint8Array {
  if (!isKeyText(text)) throw new Error('expected 32 bytes in base64url');
  return base64urlnopad.decode(text);
}

/** Whether text is 32 bytes in strict base64url without padding. */
export function isKeyText(text: string): boolean {
  if (!KEY_TEXT.test(text)) return false;
  try {
    return base64urlnopad.decode(text).length === 32;
  } catch {
    return false;
  }
}

function ticketError(t: TicketInvitation): string | null {
  if (!isKeyText(t.ticket)) return 'the ticket must be 32 bytes in base64url (43 characters)';
  if (!isKeyText(t.door)) return 'the door key must be 32 bytes in base64url (43 characters)';
  // The bound first: 13 digits of seconds times 1000 leave the safe integers.
  if (t.expires / 1000 >= MAX_SECONDS) return 'the expiry is too far in the future';
  if (!Number.isSafeInteger(t.expires) || t.expires <= 0 || t.expires % 1000 !== 0) {
    return 'the expiry must be a whole second after 1970';
  }
  return placeError(t);
}

/** A domain-separated hash of the fields in a fixed order, as for version 2 (invitation.ts). */
export function ticketChecksumOf(t: TicketInvitation): string {
  const fields = [t.networkId, t.ticket, t.door, t.expires, t.once, t.relays, t.name ?? null];
  const digest = sha256(utf8(`GPoW/invitation/v3\n${JSON.stringify(fields)}`));
  return base64urlnopad.encode(digest.subarray(0, checksumLength));
}

/** The ticket's link. Throws if a field is invalid or the link would be too long to parse. */
export function formatTicket(t: TicketInvitation): string {
  const problem = ticketError(t);
  if (problem !== null) throw new Error(`Cannot format the invitation: ${problem}.`);
  let link = `gpow:join?v=${TICKET_VERSION}&net=${t.networkId}&t=${t.ticket}&d=${t.door}`;
  link += `&exp=${t.expires / 1000}`;
  if (t.once) link += '&once=1';
  for (const relay of t.relays) link += `&relay=${encodeURIComponent(relay)}`;
  if (t.name !== undefined) link += `&name=${encodeURIComponent(t.name)}`;
  link += `&c=${ticketChecksumOf(t)}`;
  if (utf8(link).length > MAX_INVITATION_BYTES) {
    throw new Error(
      `Cannot format the invitation: it would be longer than ${MAX_INVITATION_BYTES} bytes; list fewer or shorter relays.`,
    );
  }
  return link;
}

const fail = (error: string): JoinLinkParse => ({ ok: false, error });

/**
 * Parses untrusted text as any invitation: a ticket link (version 3) or one that carries the
 * join secret (versions 1 and 2, parseInvitation). Never throws.
 */
export function parseJoinLink(input: unknown): JoinLinkParse {
  const checked = linkText(input);
  if (typeof checked === 'string') return fail(checked);
  const prefix = JOIN_PREFIX.exec(checked.text);
  if (prefix === null) return fail(WRONG_SCHEME);
  const query = checked.text.slice(prefix[0].length);
  const pairs = splitParameters(query);
  const version = pairs.find((p) => p.key === 'v');
  if (version?.raw !== TICKET_VERSION) {
    const parsed = parseInvitation(input);
    return parsed.ok
      ? { ok: true, link: { kind: 'secret', invitation: parsed.invitation } }
      : parsed;
  }
  if (query.includes('#')) return fail('the invitation must not have a fragment (#)');
  if (pairs.filter((p) => p.key === 'v').length > 1) {
    return fail('the parameter "v" appears more than once');
  }
  if (!pairs.some((p) => p.key === 'c')) return fail(damaged('its checksum is missing'));
  const values = readParameters(pairs, PARAMETERS);
  if (typeof values === 'string') return fail(values);
  const one = (key: string): string | undefined => values.get(key)?.[0];
  const missing = (
    [
      ['net', 'its network id (net)'],
      ['t', 'its ticket (t)'],
      ['d', 'its door key (d)'],
      ['exp', 'its expiry (exp)'],
    ] as const
  ).find(([key]) => one(key) === undefined);
  if (missing) return fail(`the invitation is missing ${missing[1]}`);
  const exp = one('exp') ?? '';
  const once = one('once');
  if (once !== undefined && once !== '1') return fail('the parameter "once" may only be 1');
  const name = one('name');
  const ticket: TicketInvitation = {
    networkId: one('net') ?? '',
    ticket: one('t') ?? '',
    door: one('d') ?? '',
    // A malformed expiry becomes NaN: refused by the checksum or, failing that, ticketError.
    expires: SECONDS.test(exp) ? Number(exp) * 1000 : Number.NaN,
    once: once === '1',
    relays: values.get('relay') ?? [],
    ...(name !== undefined ? { name } : {}),
  };
  // Before the fields' own checks, as for version 2: a typo's helpful sentence is "damaged".
  if (one('c') !== ticketChecksumOf(ticket)) return fail(damaged('its checksum does not match'));
  const problem = ticketError(ticket);
  return problem === null ? { ok: true, link: { kind: 'ticket', ticket } } : fail(problem);
}

/** Why a ticket can no longer be used at `now`, as a sentence, or null. */
export function ticketExpiredError(ticket: TicketInvitation, now: number): string | null {
  if (now < ticket.expires) return null;
  // eslint-disable-next-line no-restricted-syntax -- formats a given time; reads no clock
  const when = new Date(ticket.expires).toISOString().replace('T', ' ').slice(0, 16);
  return `this invitation expired on ${when} UTC: ask for a new one`;
}
