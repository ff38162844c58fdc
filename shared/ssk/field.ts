// Encrypted fields inside ledger transactions (a transfer's memo, the sensitive part of a service
// request): everyone replicates and validates the transaction, only A and B can read the field.
//
// Format (version 1), every CBOR value canonical:
//   info   = CBOR { d: "GPoW/ssk-field/v1", net, from, to, e }
//   subkey = HKDF-SHA256(ikm = K_S, no salt, info, 32 bytes)
//   ad     = CBOR { d: "GPoW/ssk-field/v1", net, from, to, e, l }
//   n      = RandomPort 24 bytes (safe at any volume: see message.ts on the 2^96 birthday bound)
//   field  = CBOR { v: 1, e, n, ct: XChaCha20-Poly1305(subkey, n, plaintext, ad) }
//
// The label (which field of which transaction type, e.g. "transfer/memo") is bound but not
// carried: the reader knows where it found the field, so a memo cannot be passed off as another
// field. The epoch IS carried, because ledger data outlives keys: after a reset, an old field
// names the epoch whose key opens it (peekFieldEpoch).
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as v from 'valibot';
import { encodeCanonical } from '../codec/cbor.ts';
import type { RandomPort } from '../ports.ts';
import { bytesOf, describeIssues } from '../tx/schema.ts';
import { epochSchema, textOf } from './box.ts';
import { parseVersioned } from './wire.ts';

export const SSK_FIELD_VERSION = 1;
/** A transaction is at most 64 KiB; a field may take half, leaving room for the rest. */
export const SSK_MAX_FIELD_PLAINTEXT = 32 * 1024;
export const SSK_MAX_FIELD_LABEL_CHARS = 32;

const FIELD_DOMAIN = 'GPoW/ssk-field/v1';
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const MAX_FIELD_BYTES = SSK_MAX_FIELD_PLAINTEXT + TAG_BYTES + 64;

export interface FieldContext {
  network: Uint8Array;
  /** The Ed25519 public key of the side that seals (normally the transaction's author). */
  sender: Uint8Array;
  /** The Ed25519 public key of the other side of the SSK. */
  recipient: Uint8Array;
  epoch: number;
  /** Which field this is, 1..32 characters, e.g. "transfer/memo". */
  label: string;
}

export type PeekFieldResult = { ok: true; epoch: number } | { ok: false; error: string };

export type OpenFieldResult = { ok: true; plaintext: Uint8Array } | { ok: false; error: string };

const contextSchema = v.object({
  network: bytesOf(32),
  sender: bytesOf(32),
  recipient: bytesOf(32),
  epoch: epochSchema,
  label: textOf('label', 1, SSK_MAX_FIELD_LABEL_CHARS),
});

const wireSchema = v.strictObject({
  v: v.literal(SSK_FIELD_VERSION),
  e: epochSchema,
  n: bytesOf(NONCE_BYTES),
  ct: v.pipe(
    v.instance(Uint8Array, 'expected a byte string'),
    v.check((b) => b.length >= TAG_BYTES, 'too short to hold the authentication tag'),
  ),
});

type Wire = v.InferOutput<typeof wireSchema>;

function subkeyOf(key: Uint8Array, ctx: FieldContext): Uint8Array {
  const info = encodeCanonical({
    d: FIELD_DOMAIN,
    net: ctx.network,
    from: ctx.sender,
    to: ctx.recipient,
    e: ctx.epoch,
  });
  return hkdf(sha256, key, undefined, info, 32);
}

function associatedData(ctx: FieldContext): Uint8Array {
  return encodeCanonical({
    d: FIELD_DOMAIN,
    net: ctx.network,
    from: ctx.sender,
    to: ctx.recipient,
    e: ctx.epoch,
    l: ctx.label,
  });
}

/** Seals a field from ctx.sender to ctx.recipient. Throws on bad arguments (a caller bug). */
export function sealField(
  key: Uint8Array,
  ctx: FieldContext,
  plaintext: Uint8Array,
  random: RandomPort,
): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new Error('the symmetric key must be 32 bytes');
  }
  const ctxCheck = v.safeParse(contextSchema, ctx);
  if (!ctxCheck.success) {
    throw new Error(`invalid field context: ${describeIssues(ctxCheck.issues)}`);
  }
  if (!(plaintext instanceof Uint8Array) || plaintext.length > SSK_MAX_FIELD_PLAINTEXT) {
    throw new Error(`an encrypted field holds at most ${SSK_MAX_FIELD_PLAINTEXT} bytes`);
  }
  const n = random.bytes(NONCE_BYTES);
  if (!(n instanceof Uint8Array) || n.length !== NONCE_BYTES) {
    throw new Error('the random source returned the wrong number of bytes');
  }
  const subkey = subkeyOf(key, ctx);
  const ct = xchacha20poly1305(subkey, n, associatedData(ctx)).encrypt(plaintext);
  subkey.fill(0);
  return encodeCanonical({ v: SSK_FIELD_VERSION, e: ctx.epoch, n, ct });
}

function parseWire(bytes: unknown): { ok: true; wire: Wire } | { ok: false; error: string } {
  const parsed = parseVersioned(bytes, {
    what: 'encrypted field',
    version: SSK_FIELD_VERSION,
    maxBytes: MAX_FIELD_BYTES,
    schema: wireSchema,
  });
  return parsed.ok ? { ok: true, wire: parsed.value } : parsed;
}

/** The epoch whose key opens the field (unauthenticated until openField succeeds). Never throws. */
export function peekFieldEpoch(bytes: unknown): PeekFieldResult {
  const parsed = parseWire(bytes);
  return parsed.ok ? { ok: true, epoch: parsed.wire.e } : parsed;
}

/** Opens a field sealed from ctx.sender to ctx.recipient. Never throws. */
export function openField(key: Uint8Array, ctx: FieldContext, bytes: unknown): OpenFieldResult {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    return { ok: false, error: 'the symmetric key must be 32 bytes' };
  }
  const ctxCheck = v.safeParse(contextSchema, ctx);
  if (!ctxCheck.success) {
    return { ok: false, error: `invalid field context: ${describeIssues(ctxCheck.issues)}` };
  }
  const parsed = parseWire(bytes);
  if (!parsed.ok) return parsed;
  const { wire } = parsed;
  if (wire.e !== ctx.epoch) {
    return {
      ok: false,
      error: `the field was sealed under epoch ${wire.e}, but this key is epoch ${ctx.epoch}`,
    };
  }
  const subkey = subkeyOf(key, ctx);
  try {
    return {
      ok: true,
      plaintext: xchacha20poly1305(subkey, wire.n, associatedData(ctx)).decrypt(wire.ct),
    };
  } catch {
    return {
      ok: false,
      error:
        'cannot open: the field was not sealed with this key for this network, pair and label, or it was altered',
    };
  } finally {
    subkey.fill(0);
  }
}
