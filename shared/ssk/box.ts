// The sealed key box of Sustainable Symmetric Keys (whitepaper §1.1): A seals a fresh 32-byte
// key K_S, with its metadata, to B's X25519 key, and the box travels once, inside a signed
// ledger transaction. After that A and B use K_S with no handshake (see message.ts, field.ts).
//
// Algorithm 1 (the only one): X25519 + HKDF-SHA256 + XChaCha20-Poly1305.
//   recipientX = x25519PublicOf(recipient)            the Ed25519 key's Montgomery form
//   eph        = RandomPort 32 bytes                   drawn first; epk = X25519(eph, 9)
//   nonce      = RandomPort 24 bytes                   drawn second
//   shared     = X25519(eph, recipientX)               all zeros is refused
//   aeadKey    = HKDF-SHA256(ikm = shared, salt = epk || recipientX, info = "GPoW/ssk-box/v1", 32)
//   plaintext  = CBOR { k: K_S, m: { epoch, alg, created, expires?, purpose } }
//   ad         = CBOR { d: "GPoW/ssk-box/v1", net, from, to, epoch, epk }
//   box        = CBOR { v: 1, epk, nonce, ct: XChaCha20-Poly1305(aeadKey, nonce, plaintext, ad) }
// Every CBOR value is canonical (shared/codec/cbor.ts).
//
// The associated data pins the box to one network, one (sender, recipient) pair and one epoch,
// so a box cannot be replayed as a key for another pair, network or generation. The box does
// NOT authenticate the sender (anyone can seal to B and write A's key in `from`): that is the
// job of the ledger signature around it. The ephemeral key gives the box forward secrecy
// against a later leak of A's key, though not of B's (B's static key opens it).
import { x25519 } from '@noble/curves/ed25519.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as v from 'valibot';
import { bytesEqual, concat, utf8 } from '../bytes.ts';
import { decodeCanonical, encodeCanonical, type CborValue } from '../codec/cbor.ts';
import { parseVersioned } from './wire.ts';
import { publicKeyOf } from '../crypto/ed25519.ts';
import { x25519PublicOf, x25519SecretOf } from '../identity/keys.ts';
import type { RandomPort } from '../ports.ts';
import { bytesOf, describeIssues, uint } from '../tx/schema.ts';

export const SSK_BOX_VERSION = 1;
/** X25519 + HKDF-SHA256 + XChaCha20-Poly1305. */
export const SSK_ALG_X25519_XCHACHA = 1;
/** The ssk transaction type allows this much per box; the largest possible box is ~450 bytes. */
export const SSK_BOX_MAX_BYTES = 512;
export const SSK_KEY_BYTES = 32;
export const SSK_MAX_EPOCH = 2 ** 32 - 1;
export const SSK_MAX_PURPOSE_CHARS = 64;

const BOX_DOMAIN = 'GPoW/ssk-box/v1';
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const NOT_FOR_US =
  'cannot open: not addressed to this identity, or the box or its context was altered';

export interface SskMeta {
  /** The pair's key generation, 1..2^32-1; a reset seals a new key at a higher epoch. */
  epoch: number;
  alg: 1;
  /** When A made the key (ms since the Unix epoch): informational, never trusted. */
  created: number;
  /** When the key stops being used for new traffic (ms since the Unix epoch). */
  expires?: number;
  /** What the key is for, 1..64 characters, shown to the user. */
  purpose: string;
}

export interface BoxContext {
  /** The network id (32 bytes). */
  network: Uint8Array;
  /** A's Ed25519 public key: who seals. */
  sender: Uint8Array;
  /** The Ed25519 public key the box is for: B, or A itself for A's self-copy. */
  recipient: Uint8Array;
  epoch: number;
}

export type OpenKeyResult =
  { ok: true; key: Uint8Array; meta: SskMeta } | { ok: false; error: string };

/** An SSK epoch: 1..2^32-1. Shared with message.ts and field.ts. */
export const epochSchema = v.pipe(
  v.number('expected an epoch number'),
  v.safeInteger('expected an integer epoch'),
  v.minValue(1, 'epoch must be at least 1'),
  v.maxValue(SSK_MAX_EPOCH, 'epoch must be below 2^32'),
);

/** Lone surrogates cannot be encoded as UTF-8, so they could not survive the trip. */
const LONE_SURROGATE = /\p{Cs}/u;

/** A string of min..max characters (Unicode code points), well-formed. */
export const textOf = (what: string, min: number, max: number) =>
  v.pipe(
    v.string(`${what} must be a string`),
    v.check((s) => !LONE_SURROGATE.test(s), `${what} must be well-formed Unicode`),
    v.check((s) => {
      const n = [...s].length;
      return n >= min && n <= max;
    }, `${what} must be ${min} to ${max} characters`),
  );

const metaSchema = v.strictObject({
  epoch: epochSchema,
  alg: v.literal(SSK_ALG_X25519_XCHACHA, 'unsupported key algorithm'),
  created: uint,
  expires: v.optional(uint),
  purpose: textOf('purpose', 1, SSK_MAX_PURPOSE_CHARS),
});

const contextSchema = v.object({
  network: bytesOf(32),
  sender: bytesOf(32),
  recipient: bytesOf(32),
  epoch: epochSchema,
});

const boxSchema = v.strictObject({
  v: v.literal(SSK_BOX_VERSION),
  epk: bytesOf(32),
  nonce: bytesOf(NONCE_BYTES),
  ct: v.pipe(
    v.instance(Uint8Array, 'expected a byte string'),
    v.check((b) => b.length > TAG_BYTES, 'too short to hold a sealed key'),
  ),
});

const contentsSchema = v.strictObject({ k: bytesOf(SSK_KEY_BYTES), m: v.unknown() });

/** A fresh K_S. */
export function generateKey(random: RandomPort): Uint8Array {
  return drawBytes(random, SSK_KEY_BYTES);
}

function drawBytes(random: RandomPort, length: number): Uint8Array {
  const out = random.bytes(length);
  if (!(out instanceof Uint8Array) || out.length !== length) {
    throw new Error(`the random source returned the wrong number of bytes (wanted ${length})`);
  }
  return out;
}

function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (const b of bytes) acc |= b;
  return acc === 0;
}

function metaToCbor(meta: SskMeta): CborValue {
  return {
    epoch: meta.epoch,
    alg: meta.alg,
    created: meta.created,
    ...(meta.expires !== undefined ? { expires: meta.expires } : {}),
    purpose: meta.purpose,
  };
}

function associatedData(ctx: BoxContext, epk: Uint8Array): Uint8Array {
  return encodeCanonical({
    d: BOX_DOMAIN,
    net: ctx.network,
    from: ctx.sender,
    to: ctx.recipient,
    epoch: ctx.epoch,
    epk,
  });
}

function aeadKeyOf(shared: Uint8Array, epk: Uint8Array, recipientX: Uint8Array): Uint8Array {
  return hkdf(sha256, shared, concat(epk, recipientX), utf8(BOX_DOMAIN), 32);
}

/**
 * Seals K_S and its metadata to ctx.recipient. Throws on bad arguments: sealing is the caller's
 * own action, so a mistake there is a bug to surface, not untrusted input to report.
 */
export function sealKey(
  key: Uint8Array,
  meta: SskMeta,
  ctx: BoxContext,
  random: RandomPort,
): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== SSK_KEY_BYTES) {
    throw new Error(`the symmetric key must be ${SSK_KEY_BYTES} bytes`);
  }
  const metaCheck = v.safeParse(metaSchema, meta);
  if (!metaCheck.success) {
    throw new Error(`invalid SSK metadata: ${describeIssues(metaCheck.issues)}`);
  }
  const ctxCheck = v.safeParse(contextSchema, ctx);
  if (!ctxCheck.success) throw new Error(`invalid box context: ${describeIssues(ctxCheck.issues)}`);
  if (meta.epoch !== ctx.epoch) {
    throw new Error(`the metadata names epoch ${meta.epoch} but the context is epoch ${ctx.epoch}`);
  }
  const recipientX = x25519PublicOf(ctx.recipient);
  const eph = Uint8Array.from(drawBytes(random, 32));
  const nonce = drawBytes(random, NONCE_BYTES);
  let shared: Uint8Array;
  let epk: Uint8Array;
  try {
    epk = x25519.getPublicKey(eph);
    // noble refuses small-order points before the ladder; the all-zero check below is the
    // RFC 7748 §6.1 rule itself, kept in case a library update changes that behaviour.
    shared = x25519.scalarMult(eph, recipientX);
  } catch (cause) {
    throw new Error('cannot seal to this recipient: its key is of small order', { cause });
  } finally {
    eph.fill(0);
  }
  if (isAllZero(shared))
    throw new Error('cannot seal to this recipient: its key is of small order');
  const aeadKey = aeadKeyOf(shared, epk, recipientX);
  shared.fill(0);
  const plaintext = encodeCanonical({ k: key, m: metaToCbor(meta) });
  const ct = xchacha20poly1305(aeadKey, nonce, associatedData(ctx, epk)).encrypt(plaintext);
  aeadKey.fill(0);
  plaintext.fill(0);
  return encodeCanonical({ v: SSK_BOX_VERSION, epk, nonce, ct });
}

export type BoxShape =
  { ok: true; epk: Uint8Array; nonce: Uint8Array; ct: Uint8Array } | { ok: false; error: string };

/**
 * Checks a box's outer structure without opening it: what anyone, not only the recipient, can
 * verify (canonical encoding, version, field sizes). Never throws.
 */
export function inspectBox(box: unknown): BoxShape {
  const parsed = parseVersioned(box, {
    what: 'SSK box',
    version: SSK_BOX_VERSION,
    maxBytes: SSK_BOX_MAX_BYTES,
    schema: boxSchema,
  });
  if (!parsed.ok) return parsed;
  return { ok: true, epk: parsed.value.epk, nonce: parsed.value.nonce, ct: parsed.value.ct };
}

/**
 * Opens a box with the recipient's Ed25519 secret seed. Never throws: every failure, from bytes
 * that are not a box to a box for someone else, is an error sentence.
 */
export function openKey(box: unknown, recipientSecret: Uint8Array, ctx: BoxContext): OpenKeyResult {
  const ctxCheck = v.safeParse(contextSchema, ctx);
  if (!ctxCheck.success) {
    return { ok: false, error: `invalid box context: ${describeIssues(ctxCheck.issues)}` };
  }
  if (!(recipientSecret instanceof Uint8Array) || recipientSecret.length !== 32) {
    return { ok: false, error: 'the recipient secret key must be 32 bytes' };
  }
  const shape = inspectBox(box);
  if (!shape.ok) return shape;
  // Caught here rather than by the AEAD, because it is the caller's mistake, not the box's.
  if (!bytesEqual(publicKeyOf(recipientSecret), ctx.recipient)) {
    return {
      ok: false,
      error: 'the secret key given is not the key of the recipient in the context',
    };
  }
  // Cannot throw: ctx.recipient is the public key of a real secret, so a valid curve point.
  const recipientX = x25519PublicOf(ctx.recipient);
  const secretX = x25519SecretOf(recipientSecret);
  let shared: Uint8Array;
  try {
    shared = x25519.scalarMult(secretX, shape.epk);
  } catch {
    return { ok: false, error: 'malformed SSK box: its ephemeral key is of small order' };
  } finally {
    secretX.fill(0);
  }
  if (isAllZero(shared)) {
    return { ok: false, error: 'malformed SSK box: its ephemeral key is of small order' };
  }
  const aeadKey = aeadKeyOf(shared, shape.epk, recipientX);
  shared.fill(0);
  let plaintext: Uint8Array;
  try {
    plaintext = xchacha20poly1305(aeadKey, shape.nonce, associatedData(ctx, shape.epk)).decrypt(
      shape.ct,
    );
  } catch {
    return { ok: false, error: NOT_FOR_US };
  } finally {
    aeadKey.fill(0);
  }
  const result = parseContents(plaintext, ctx.epoch);
  plaintext.fill(0);
  return result;
}

/** The authenticated plaintext can still be wrong: a buggy or hostile sender wrote it. */
function parseContents(plaintext: Uint8Array, epoch: number): OpenKeyResult {
  const decoded = decodeCanonical(plaintext, SSK_BOX_MAX_BYTES);
  if (!decoded.ok) return { ok: false, error: `the sealed key is malformed: ${decoded.detail}` };
  const contents = v.safeParse(contentsSchema, decoded.value);
  if (!contents.success) {
    return { ok: false, error: `the sealed key is malformed: ${describeIssues(contents.issues)}` };
  }
  const rawMeta = contents.output.m;
  const alg =
    typeof rawMeta === 'object' && rawMeta !== null
      ? (rawMeta as Record<string, unknown>)['alg']
      : undefined;
  if (alg !== SSK_ALG_X25519_XCHACHA) {
    return {
      ok: false,
      error: `unsupported key algorithm ${String(alg)} (this peer knows algorithm 1, X25519 + HKDF-SHA256 + XChaCha20-Poly1305)`,
    };
  }
  const meta = v.safeParse(metaSchema, rawMeta);
  if (!meta.success) {
    return {
      ok: false,
      error: `the sealed key's metadata is malformed: ${describeIssues(meta.issues)}`,
    };
  }
  const m = meta.output;
  if (m.epoch !== epoch) {
    return {
      ok: false,
      error: `the sealed key's metadata names epoch ${m.epoch}, but the box was sealed for epoch ${epoch}`,
    };
  }
  return {
    ok: true,
    // A copy: the decoder's bytes may be a view into the plaintext, which the caller wipes.
    key: Uint8Array.from(contents.output.k),
    meta: {
      epoch: m.epoch,
      alg: SSK_ALG_X25519_XCHACHA,
      created: m.created,
      ...(m.expires !== undefined ? { expires: m.expires } : {}),
      purpose: m.purpose,
    },
  };
}
