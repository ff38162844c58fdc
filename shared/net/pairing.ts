// Pairing links: how a device that holds an identity brings a new device into the same identity
// and network without anyone typing the 24 words (docs/protocol.md §12.2). The link carries the
// network's invitation, the identity, a one-time pairing secret key, the device's name and
// allowance, and the identity's certificate over the pairing key; the new device proves it holds
// the secret in its `device` transaction. Never the words, never the new device's own key.
//
// Like an invitation (shared/net/invitation.ts, the model for this file) it is untrusted text:
// pasted, scanned or opened from another program. Parsing is strict and total, and every refusal
// is one sentence a person can act on. The link ends with a checksum, c=, over the decoded
// fields, so a link changed or cut anywhere is refused as damaged instead of pairing a device
// under a wrong name or allowance, or failing later with a signature error nobody understands;
// being over decoded fields, re-encoding (%3a for %3A, parameters reordered) does not break it.
// It is no signature: the certificate and the pairing proof are what the ledger checks.
import { sha256 } from '@noble/hashes/sha2.js';
import { base64urlnopad } from '@scure/base';
import { utf8 } from '../bytes.ts';
import type { KeyHex } from '../ids.ts';
import { MAX_DEVICE_NAME } from '../tx/device.ts';
import { U64_MAX } from '../tx/schema.ts';
import { formatInvitation, parseInvitation, type Invitation } from './invitation.ts';

export interface PairingLink {
  /** The network invitation (shared/net/invitation.ts Invitation): where the network is and its join secret. */
  readonly invitation: Invitation;
  /** The identity the new device will act for: 64 lowercase hex chars (a KeyHex). */
  readonly account: KeyHex;
  /** The one-time pairing secret key: 32 bytes (an Ed25519 seed). */
  readonly secret: Uint8Array;
  /** The device's name, 1..MAX_DEVICE_NAME characters after trimming. */
  readonly name: string;
  /** The allowance in minor units, 0 <= allowance <= 2^63-1. */
  readonly allowance: bigint;
  /** The identity's certificate signature: 64 bytes. */
  readonly cert: Uint8Array;
}

export type PairingParse = { ok: true; link: PairingLink } | { ok: false; error: string };

export const PAIRING_VERSION = '1';
/** Twice an invitation's bound: the invitation travels inside, percent-encoded once more. */
export const MAX_PAIRING_BYTES = 8192;
/** The device transaction's bound (deviceSchema), so a link that parses can be used. */
export const MAX_ALLOWANCE = U64_MAX >> 1n;
const SECRET_BYTES = 32;
const CERT_BYTES = 64;
/** 96 bits, as for invitations: a damaged link that still matches is out of the question. */
const CHECKSUM_BYTES = 12;
const CHECKSUM = /^[A-Za-z0-9_-]{16}$/;

const ACCOUNT = /^[0-9a-f]{64}$/;
/** One spelling per number: no sign, no leading zeros, at most 19 digits (2^63-1 has 19). */
const ALLOWANCE = /^(?:0|[1-9][0-9]{0,18})$/;
/** Case-insensitive like invitations' schemes; gpow://pair? for OSes that insist on a //. */
const PREFIX = /^gpow:(?:\/\/)?pair\?/i;
const JOIN_PREFIX = /^gpow:(?:\/\/)?join\?/i;
/** Exactly the characters encodeURIComponent leaves alone, or a %XX escape. */
const PERCENT_ENCODED = /^(?:[A-Za-z0-9\-_.!~*'()]|%[0-9A-Fa-f]{2})*$/;
/** Control, invisible format (bidi overrides, zero-width), lone surrogates, line separators:
 * each can make a name display as something else, so none belongs in one. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
const CONTROL = /\p{Cc}/u;
const SPACE_OR_INVISIBLE = /[\s\p{Cf}\p{Cs}]/u;

const PARAMETERS = ['v', 'join', 'a', 'k', 'n', 'l', 's', 'c'] as const;
type Parameter = (typeof PARAMETERS)[number];
const KNOWN = new Set<string>(PARAMETERS);
/** What each parameter is, for the sentence that says it is missing. */
const MEANING: Record<Exclude<Parameter, 'v' | 'c'>, string> = {
  join: 'the network invitation (join)',
  a: 'the identity (a)',
  k: 'the pairing secret (k)',
  n: 'the device name (n)',
  l: 'the allowance (l)',
  s: 'the certificate (s)',
};

const DAMAGED = 'the pairing link is damaged or cut short: copy it again from the other device';
const WRONG_SCHEME =
  'this is not a pairing link; a pairing link starts with gpow:pair? (make one on the other device)';
const JOIN_LINK = 'this is a network invitation, not a pairing link: use gpow join';
/** A field the link's maker got wrong: only a new link helps. */
const invalid = (problem: string): string =>
  `${problem}: make a new pairing link on the other device`;

/** The fields as they are written in a link, which the checksum and the field checks read. */
interface Written {
  readonly invitation: Invitation;
  readonly a: string;
  readonly k: string;
  readonly n: string;
  readonly l: string;
  readonly s: string;
}

/** Why a device name is unacceptable, or null. */
function nameError(name: string): string | null {
  // UTF-16 units, as deviceSchema counts (valibot's maxLength): a longer name could not be used.
  if (name.trim().length === 0 || name.length > MAX_DEVICE_NAME) {
    return `the device name must be 1 to ${MAX_DEVICE_NAME} characters`;
  }
  if (INVISIBLE.test(name)) return 'the device name contains control or invisible characters';
  if (name.trim() !== name) return 'the device name must not start or end with a space';
  return null;
}

/** The bytes of a strict base64url text of `length` bytes, or null. */
function bytesOf(text: string, length: number): Uint8Array | null {
  // The decoder is strict (alphabet, no padding, zero trailing bits): one text per byte string.
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length !== Math.ceil((length * 4) / 3)) return null;
  try {
    const bytes = base64urlnopad.decode(text);
    return bytes.length === length ? bytes : null;
  } catch {
    return null;
  }
}

/** The link's fields from their written form, or why one is unacceptable. */
function fieldsOf(w: Written): PairingLink | string {
  if (!ACCOUNT.test(w.a)) return 'the identity (a) must be 64 lowercase hex characters';
  const secret = bytesOf(w.k, SECRET_BYTES);
  if (secret === null) return `the pairing secret (k) must be ${SECRET_BYTES} bytes in base64url`;
  const problem = nameError(w.n);
  if (problem !== null) return problem;
  if (!ALLOWANCE.test(w.l) || BigInt(w.l) > MAX_ALLOWANCE) {
    return `the allowance (l) must be a whole number from 0 to ${MAX_ALLOWANCE}, digits only`;
  }
  const cert = bytesOf(w.s, CERT_BYTES);
  if (cert === null) return `the certificate (s) must be ${CERT_BYTES} bytes in base64url`;
  const account = w.a as KeyHex;
  return { invitation: w.invitation, account, secret, name: w.n, allowance: BigInt(w.l), cert };
}

/**
 * The checksum: a domain-separated hash of the written fields in a fixed order. JSON.stringify
 * of strings is exactly specified and the array keeps the fields apart, so each link has one.
 */
function checksumOf(w: Written): string {
  const inv = w.invitation;
  const fields = [
    [inv.networkId, inv.secret, inv.relays, inv.name ?? null],
    w.a,
    w.k,
    w.n,
    w.l,
    w.s,
  ];
  const digest = sha256(utf8(`GPoW/pairing-link/v1\n${JSON.stringify(fields)}`));
  return base64urlnopad.encode(digest.subarray(0, CHECKSUM_BYTES));
}

/** The link's text. Throws if a field is invalid or the link would be too long to parse. */
export function formatPairingLink(link: PairingLink): string {
  const join = formatInvitation(link.invitation);
  const w: Written = {
    invitation: link.invitation,
    a: link.account,
    k: link.secret.length === SECRET_BYTES ? base64urlnopad.encode(link.secret) : '',
    n: link.name,
    l: typeof link.allowance === 'bigint' && link.allowance >= 0n ? link.allowance.toString() : '',
    s: link.cert.length === CERT_BYTES ? base64urlnopad.encode(link.cert) : '',
  };
  const fields = fieldsOf(w);
  if (typeof fields === 'string') throw new Error(`Cannot format the pairing link: ${fields}.`);
  const text =
    `gpow:pair?v=${PAIRING_VERSION}&join=${encodeURIComponent(join)}&a=${w.a}&k=${w.k}` +
    `&n=${encodeURIComponent(w.n)}&l=${w.l}&s=${w.s}&c=${checksumOf(w)}`;
  if (utf8(text).length > MAX_PAIRING_BYTES) {
    throw new Error(
      `Cannot format the pairing link: it would be longer than ${MAX_PAIRING_BYTES} bytes; list fewer or shorter relays.`,
    );
  }
  return text;
}

const fail = (error: string): PairingParse => ({ ok: false, error });

/** A parameter name fit to quote in an error: short and plain, or not quoted at all. */
const quoteKey = (key: string): string =>
  /^[A-Za-z0-9_.-]{1,32}$/.test(key) ? `"${key}"` : '(with an unreadable name)';

/** Parses untrusted text (or anything else) as a pairing link. Never throws. */
export function parsePairingLink(input: unknown): PairingParse {
  if (typeof input !== 'string') return fail('a pairing link must be text');
  // Cheap bound first (UTF-16 units never outnumber UTF-8 bytes), then the exact one.
  if (input.length > MAX_PAIRING_BYTES || utf8(input).length > MAX_PAIRING_BYTES) {
    return fail(`the pairing link is longer than ${MAX_PAIRING_BYTES} bytes: copy it again`);
  }
  // Copying and pasting often brings a trailing newline or leading spaces; nothing else is fixed.
  const text = input.trim();
  if (JOIN_PREFIX.test(text)) return fail(JOIN_LINK);
  const prefix = PREFIX.exec(text);
  if (prefix === null) return fail(WRONG_SCHEME);
  if (CONTROL.test(text) || SPACE_OR_INVISIBLE.test(text)) {
    return fail('the pairing link contains spaces, control or invisible characters: copy it again');
  }
  const query = text.slice(prefix[0].length);
  if (query.includes('#')) return fail(DAMAGED);
  const values = valuesOf(query.split('&'));
  return typeof values === 'string' ? fail(values) : linkOf(values);
}

/** Each parameter's percent-decoded value, or why the parameters are refused. */
function valuesOf(parts: readonly string[]): Map<Parameter, string> | string {
  const pairs = parts.map((part) => {
    const eq = part.indexOf('=');
    return eq === -1
      ? { key: part, raw: null }
      : { key: part.slice(0, eq), raw: part.slice(eq + 1) };
  });
  // The version first: a newer link may use parameters this version does not know.
  const versions = pairs.filter((p) => p.key === 'v');
  if (versions.length === 0) {
    return 'the pairing link is missing its version (v): copy it again from the other device';
  }
  if (versions.length > 1) return invalid('the parameter "v" appears more than once');
  if (versions[0]?.raw !== PAIRING_VERSION) {
    return `this pairing link is of a version this app does not understand (it knows version ${PAIRING_VERSION}): update the app, or make a new link on the other device`;
  }
  // The checksum comes last, so a link cut short anywhere has none, or a cut one.
  if (!pairs.some((p) => p.key === 'c')) return DAMAGED;
  const values = new Map<Parameter, string>();
  for (const { key, raw } of pairs) {
    // A doubled or trailing &, or a parameter without a value: cut or mangled on the way.
    if (key === '' || raw === null) return DAMAGED;
    if (!KNOWN.has(key)) {
      return invalid(`the pairing link has an unknown parameter ${quoteKey(key)}`);
    }
    if (values.has(key as Parameter)) {
      return invalid(`the parameter "${key}" appears more than once`);
    }
    const value = decoded(raw);
    if (value === null) return DAMAGED;
    values.set(key as Parameter, value);
  }
  return values;
}

/** A percent-encoded value, decoded, or null if it is not properly encoded. */
function decoded(raw: string): string | null {
  if (!PERCENT_ENCODED.test(raw)) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** The link from its parameters: all present, the invitation valid, the checksum right. */
function linkOf(values: ReadonlyMap<Parameter, string>): PairingParse {
  for (const key of ['join', 'a', 'k', 'n', 'l', 's'] as const) {
    if (!values.has(key)) return fail(invalid(`the pairing link is missing ${MEANING[key]}`));
  }
  const inner = parseInvitation(values.get('join'));
  if (!inner.ok) {
    return fail(`the network invitation in this pairing link is refused: ${inner.error}`);
  }
  const get = (key: Parameter): string => values.get(key) ?? '';
  const w: Written = {
    invitation: inner.invitation,
    a: get('a'),
    k: get('k'),
    n: get('n'),
    l: get('l'),
    s: get('s'),
  };
  // Before the fields' own checks: whatever a typo did to a field, the sentence that helps is
  // that the link is damaged.
  const checksum = get('c');
  if (!CHECKSUM.test(checksum) || checksum !== checksumOf(w)) return fail(DAMAGED);
  const link = fieldsOf(w);
  return typeof link === 'string' ? fail(invalid(link)) : { ok: true, link };
}
