// Invitations: how a peer learns where a network is and how to get in. An invitation travels as
// a gpow:join? link (pasted, scanned, or opened from another program), so parsing treats it as
// untrusted text: strict, total, and with error sentences a user can act on.
//
// The network id itself never reaches a relay or the LAN: relays see a room name and mDNS sees
// a discovery tag, each a domain-separated hash of the id (see roomNameOf, discoveryTagOf).
//
// Version 2 links end with a checksum, c=: the first 12 bytes of SHA-256 over a label and the
// decoded fields (checksumOf), in base64url. Without it a link with one character changed in
// its network id or secret, or cut short inside a relay's port, still parsed, and its peer
// waited forever in a room nobody else was in. With it such a link is refused at once with a
// sentence that says what to do. It is over the decoded fields, not the text, so a program that
// re-encodes the link (%3a for %3A, parameters reordered) does not break it; it comes last, so
// a link cut anywhere loses or cuts it. It is no signature: whoever writes a link can compute
// it, and it is not meant to stop them (the join secret is what admits). Version 1 links, which
// older versions of the app wrote, are still accepted without one; everything writes version 2.
import { sha256 } from '@noble/hashes/sha2.js';
import { base64urlnopad } from '@scure/base';
import { concat, fromHex, toHex, utf8 } from '../bytes.ts';
import type { RandomPort } from '../ports.ts';
import { relayUrlError } from './relayUrl.ts';

export { isIpv4, isIpv6, MAX_RELAY_URL_LENGTH, relayUrlError } from './relayUrl.ts';

export interface Invitation {
  /** The network's id: 64 lowercase hex characters. */
  networkId: string;
  /** The join secret: 32 random bytes, base64url without padding (43 characters). */
  secret: string;
  /** 0..16 signaling relays, each ws:// or wss://, host and explicit port, no query. */
  relays: string[];
  /** A human name for the network, 1..64 characters. */
  name?: string;
}

export type InvitationParse = { ok: true; invitation: Invitation } | { ok: false; error: string };

export const INVITATION_VERSION = '2';
/** Links older versions wrote: the same fields, no checksum. */
export const LEGACY_INVITATION_VERSION = '1';
/** A bound on what a stranger can make us parse, hold and show; the same as deep links. */
export const MAX_INVITATION_BYTES = 4096;
export const MAX_RELAYS = 16;
export const MAX_NAME_LENGTH = 64;
export const JOIN_SECRET_BYTES = 32;
/** Single-use and time-limited invitations carry a ticket instead of the secret (ticket.ts). */
export const TICKET_VERSION = '3';
const TICKET_LINK =
  'this is a single-use or time-limited invitation: open it with "gpow join" or the Join screen, which redeem it with the inviter';
/** 96 bits: a damaged link that still matches is out of the question, and it stays short. */
const CHECKSUM_BYTES = 12;
/** The checksum's length in bytes, shared with ticket links. */
export const checksumLength = CHECKSUM_BYTES;
const CHECKSUM = /^[A-Za-z0-9_-]{16}$/;
export const damaged = (why: string): string =>
  `this invitation is damaged or incomplete (${why}): copy it again or ask for a new one`;

const NETWORK_ID = /^[0-9a-f]{64}$/;
/** Accepted case-insensitively (schemes are); gpow://join? for OSes that insist on a //. */
export const JOIN_PREFIX = /^gpow:(?:\/\/)?join\?/i;
export const WRONG_SCHEME = 'not a GPoW invitation (it should start with gpow:join?)';
/** Exactly the characters encodeURIComponent leaves alone, or a %XX escape. */
const PERCENT_ENCODED = /^(?:[A-Za-z0-9\-_.!~*'()]|%[0-9A-Fa-f]{2})*$/;
/** Control characters, invisible format characters (bidi overrides, zero-width), lone surrogates
 * and line separators: none belongs in a link, and each can make text display as something else. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
const CONTROL = /\p{Cc}/u;
const SPACE_OR_INVISIBLE = /[\s\p{Cf}\p{Cs}]/u;

export const isNetworkId = (text: string): boolean => NETWORK_ID.test(text);

function describeRelay(index: number, url: string): string {
  const shown = url.length > 80 ? `${url.slice(0, 80)}…` : url;
  return `relay ${index + 1} (${JSON.stringify(shown)})`;
}

/** Why an invitation's fields are unacceptable, or null. Shared by formatting and parsing. */
function invitationError(inv: Invitation): string | null {
  if (!isJoinSecret(inv.secret)) {
    return `the join secret must be ${JOIN_SECRET_BYTES} bytes in base64url without padding (43 characters)`;
  }
  return placeError(inv);
}

/**
 * Why the fields every kind of invitation shares (where the network is, what it is called) are
 * unacceptable, or null. Ticket links (ticket.ts) check theirs with it too.
 */
export function placeError(inv: Pick<Invitation, 'networkId' | 'relays' | 'name'>): string | null {
  if (!NETWORK_ID.test(inv.networkId)) {
    return 'the network id must be 64 lowercase hex characters';
  }
  if (inv.relays.length > MAX_RELAYS) return `too many relays (at most ${MAX_RELAYS})`;
  const seen = new Set<string>();
  for (const [index, url] of inv.relays.entries()) {
    const problem = relayUrlError(url);
    if (problem !== null) return `${describeRelay(index, url)} ${problem}`;
    if (seen.has(url)) return `${describeRelay(index, url)} is listed twice`;
    seen.add(url);
  }
  if (inv.name !== undefined) {
    const length = [...inv.name].length;
    if (length < 1 || length > MAX_NAME_LENGTH) {
      return `the network name must be 1 to ${MAX_NAME_LENGTH} characters`;
    }
    if (INVISIBLE.test(inv.name)) {
      return 'the network name contains control or invisible characters';
    }
    if (inv.name.trim() !== inv.name) {
      return 'the network name must not start or end with a space';
    }
  }
  return null;
}

function isJoinSecret(secret: string): boolean {
  // The decoder is strict (alphabet, no padding, zero trailing bits), so one text per secret.
  if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return false;
  try {
    return base64urlnopad.decode(secret).length === JOIN_SECRET_BYTES;
  } catch {
    return false;
  }
}

/**
 * The checksum of a version 2 link: a domain-separated hash of the fields in a fixed order.
 * JSON.stringify of strings is exactly specified, and an array keeps the fields apart, so each
 * invitation has one encoding and no two invitations share one.
 */
export function checksumOf(inv: Invitation): string {
  const fields = [inv.networkId, inv.secret, inv.relays, inv.name ?? null];
  const digest = sha256(utf8(`GPoW/invitation/v2\n${JSON.stringify(fields)}`));
  return base64urlnopad.encode(digest.subarray(0, CHECKSUM_BYTES));
}

/** The invitation's link. Throws if a field is invalid or the link would be too long to parse. */
export function formatInvitation(inv: Invitation): string {
  const problem = invitationError(inv);
  if (problem !== null) throw new Error(`Cannot format the invitation: ${problem}.`);
  let link = `gpow:join?v=${INVITATION_VERSION}&net=${inv.networkId}&secret=${inv.secret}`;
  for (const relay of inv.relays) link += `&relay=${encodeURIComponent(relay)}`;
  if (inv.name !== undefined) link += `&name=${encodeURIComponent(inv.name)}`;
  link += `&c=${checksumOf(inv)}`;
  if (utf8(link).length > MAX_INVITATION_BYTES) {
    throw new Error(
      `Cannot format the invitation: it would be longer than ${MAX_INVITATION_BYTES} bytes; list fewer or shorter relays.`,
    );
  }
  return link;
}

const LEGACY_PARAMETERS = new Set(['v', 'net', 'secret', 'relay', 'name']);
const KNOWN_PARAMETERS = new Set([...LEGACY_PARAMETERS, 'c']);

/** A parameter name fit to quote in an error: short and plain, or not quoted at all. */
const quoteKey = (key: string): string =>
  /^[A-Za-z0-9_.-]{1,32}$/.test(key) ? `"${key}"` : '(with an unreadable name)';

const fail = (error: string): InvitationParse => ({ ok: false, error });
const err = (error: string) => ({ error });

/** Parses untrusted text (or anything else) as an invitation. Never throws. */
export function parseInvitation(input: unknown): InvitationParse {
  const checked = linkText(input);
  if (typeof checked === 'string') return fail(checked);
  const { text } = checked;
  const prefix = JOIN_PREFIX.exec(text);
  if (prefix === null) return fail(WRONG_SCHEME);
  const query = text.slice(prefix[0].length);
  if (query.includes('#')) return fail('the invitation must not have a fragment (#)');

  const pairs = splitParameters(query);
  // The version first: a newer invitation may use parameters this version does not know.
  const versions = pairs.filter((p) => p.key === 'v');
  const version = versions[0];
  if (version === undefined) return fail('the invitation is missing its version (v)');
  if (versions.length > 1) return fail('the parameter "v" appears more than once');
  if (version.raw === TICKET_VERSION) return fail(TICKET_LINK);
  const legacy = version.raw === LEGACY_INVITATION_VERSION;
  if (version.raw !== INVITATION_VERSION && !legacy) return fail(unsupportedVersion(version.raw));
  // The checksum comes last, so a link cut short anywhere has none, or a cut one.
  if (!legacy && !pairs.some((p) => p.key === 'c')) return fail(damaged('its checksum is missing'));
  const values = readParameters(pairs, legacy ? LEGACY_PARAMETERS : KNOWN_PARAMETERS);
  if (typeof values === 'string') return fail(values);

  const networkId = values.get('net')?.[0];
  if (networkId === undefined) return fail('the invitation is missing its network id (net)');
  const secret = values.get('secret')?.[0];
  if (secret === undefined) return fail('the invitation is missing its join secret (secret)');
  const name = values.get('name')?.[0];
  const invitation: Invitation = { networkId, secret, relays: values.get('relay') ?? [] };
  if (name !== undefined) invitation.name = name;

  // Before the fields' own checks: whatever a typo did to a field, the sentence that helps is
  // that the link is damaged.
  if (!legacy) {
    const checksum = values.get('c')?.[0] ?? '';
    if (!CHECKSUM.test(checksum) || checksum !== checksumOf(invitation)) {
      return fail(damaged('its checksum does not match'));
    }
  }
  const problem = invitationError(invitation);
  return problem === null ? { ok: true, invitation } : fail(problem);
}

export interface LinkParameter {
  readonly part: string;
  readonly key: string;
  readonly raw: string | null;
}

/** The query's name=value parts, not yet decoded. */
export function splitParameters(query: string): LinkParameter[] {
  return query.split('&').map((part) => {
    const eq = part.indexOf('=');
    return eq === -1
      ? { part, key: part, raw: null }
      : { part, key: part.slice(0, eq), raw: part.slice(eq + 1) };
  });
}

/** The sentence for a version this app does not read. */
function unsupportedVersion(raw: string | null): string {
  const shown = JSON.stringify((raw ?? '').slice(0, 16));
  return `unsupported invitation version ${shown} (this app understands versions ${LEGACY_INVITATION_VERSION}, ${INVITATION_VERSION} and ${TICKET_VERSION})`;
}

/**
 * Every parameter decoded and checked against `known`; only relay may repeat. Returns the
 * values by name, or the sentence that refuses the link.
 */
export function readParameters(
  pairs: readonly LinkParameter[],
  known: ReadonlySet<string>,
): Map<string, string[]> | string {
  const values = new Map<string, string[]>();
  for (const { part, key, raw } of pairs) {
    if (part === '') return 'the invitation has an empty parameter (a doubled or trailing &)';
    if (key === '') return 'the invitation has a parameter without a name';
    if (!known.has(key)) return `unknown parameter ${quoteKey(key)}`;
    const value = decodeValue(key, raw, values);
    if (typeof value !== 'string') return value.error;
    const list = values.get(key) ?? [];
    list.push(value);
    values.set(key, list);
  }
  return values;
}

/** Text to parse as a link: bounded, trimmed, without invisible characters; or why not. */
export function linkText(input: unknown): { text: string } | string {
  if (typeof input !== 'string') return 'an invitation must be text';
  // Cheap bound first (UTF-16 units never outnumber UTF-8 bytes), then the exact one.
  if (input.length > MAX_INVITATION_BYTES || utf8(input).length > MAX_INVITATION_BYTES) {
    return `the invitation is longer than ${MAX_INVITATION_BYTES} bytes`;
  }
  // Copying and pasting often brings a trailing newline or leading spaces; nothing else is fixed.
  const text = input.trim();
  if (CONTROL.test(text)) return 'the invitation contains control characters';
  if (SPACE_OR_INVISIBLE.test(text))
    return 'the invitation contains spaces or invisible characters';
  return { text };
}

/** One parameter's value, percent-decoded and checked, or why it is refused. */
function decodeValue(
  key: string,
  raw: string | null,
  seen: ReadonlyMap<string, string[]>,
): string | { error: string } {
  if (raw === null) return err(`the parameter "${key}" has no value`);
  if ((seen.get(key)?.length ?? 0) > 0 && key !== 'relay') {
    return err(`the parameter "${key}" appears more than once`);
  }
  if (!PERCENT_ENCODED.test(raw)) {
    return err(`the parameter "${key}" is not properly percent-encoded`);
  }
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return err(`the parameter "${key}" is not properly percent-encoded`);
  }
  if (INVISIBLE.test(value)) {
    return err(`the parameter "${key}" contains control or invisible characters`);
  }
  return value;
}

/** The 32 bytes of a join secret's text; throws on text that is not one. */
export function joinSecretBytesOf(secret: string): Uint8Array {
  if (!isJoinSecret(secret)) throw new Error('not a join secret');
  return base64urlnopad.decode(secret);
}

/** The text form of a join secret's 32 bytes (a rotated secret arrives as bytes, §13.8). */
export function joinSecretOf(bytes: Uint8Array): string {
  if (bytes.length !== JOIN_SECRET_BYTES) throw new Error('a join secret is 32 bytes');
  return base64urlnopad.encode(bytes);
}

/** A fresh join secret: 32 bytes from the random port, base64url without padding. */
export function generateJoinSecret(random: RandomPort): string {
  const bytes = random.bytes(JOIN_SECRET_BYTES);
  if (bytes.length !== JOIN_SECRET_BYTES) {
    throw new Error(
      `The random source returned ${bytes.length} bytes instead of ${JOIN_SECRET_BYTES}.`,
    );
  }
  return base64urlnopad.encode(bytes);
}

function labelledHash(label: string, networkId: string): string {
  if (!NETWORK_ID.test(networkId)) {
    throw new Error('A network id must be 64 lowercase hex characters.');
  }
  return toHex(sha256(concat(utf8(label), fromHex(networkId))));
}

/** The y-webrtc room of a network: relays learn this name, never the network id. */
export const roomNameOf = (networkId: string): string =>
  `gpow-${labelledHash('GPoW/room/v1\n', networkId).slice(0, 32)}`;

/** What peers announce on mDNS instead of the network id, so the LAN cannot read it. */
export const discoveryTagOf = (networkId: string): string =>
  labelledHash('GPoW/mdns/v1\n', networkId).slice(0, 16);
