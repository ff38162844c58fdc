// Encryption at rest for what a home keeps about itself (its chat history first): a random data
// key, wrapped in an SSK box sealed to the identity's own key, and records sealed with it.
//
// Why a wrapped random key and not a key derived from the identity's secret: every platform's
// signer already opens SSK boxes for us (EngineSigner.openSskBox) and none hands out the secret,
// so the box is the one way to a key that only the identity can recover. A wrong identity (or a
// copied profile without the words) cannot open the box, and the caller says so in a sentence.
//
//   wrapped = sealKey(dataKey, { epoch: 2^32-1, purpose }, { net, sender: me, recipient: me })
//   record  = CBOR { v: 1, n: 24-byte nonce, ct: XChaCha20-Poly1305(dataKey, n, plaintext, ad) }
//   ad      = CBOR { d: "GPoW/at-rest/v1", net, me, p: purpose }
//
// The box uses the highest epoch, which no pair's key reaches in practice, and its purpose is
// checked on opening: a self-copy of a real SSK share (same sender and recipient) is refused.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import * as v from 'valibot';
import { encodeCanonical } from '../codec/cbor.ts';
import type { RandomPort } from '../ports.ts';
import { bytesOf } from '../tx/schema.ts';
import {
  generateKey,
  sealKey,
  SSK_ALG_X25519_XCHACHA,
  SSK_MAX_EPOCH,
  type BoxContext,
  type OpenKeyResult,
} from './box.ts';
import { parseVersioned } from './wire.ts';

const RECORD_VERSION = 1;
const DOMAIN = 'GPoW/at-rest/v1';
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
/** The box's epoch: apart from every pair's key generations (1, 2, ...). */
export const AT_REST_EPOCH = SSK_MAX_EPOCH;

export interface AtRestOwner {
  /** The network id (32 bytes): a key is per network, like everything a home keeps. */
  readonly network: Uint8Array;
  /** The identity's Ed25519 public key. */
  readonly me: Uint8Array;
  /** What the key is for ("chat history"): part of the box and of every record's context. */
  readonly purpose: string;
}

/** The box context the data key is sealed under: to ourselves. */
export function atRestContext(owner: AtRestOwner): BoxContext {
  return { network: owner.network, sender: owner.me, recipient: owner.me, epoch: AT_REST_EPOCH };
}

/** A fresh data key and its box, to keep beside the records. */
export function newAtRestKey(
  owner: AtRestOwner,
  random: RandomPort,
  created: number,
): { key: Uint8Array; wrapped: Uint8Array } {
  const key = generateKey(random);
  const meta = {
    epoch: AT_REST_EPOCH,
    alg: SSK_ALG_X25519_XCHACHA as 1,
    created,
    purpose: owner.purpose,
  };
  return { key, wrapped: sealKey(key, meta, atRestContext(owner), random) };
}

/** What the signer's opening of the box gave, checked to be a data key for this purpose. */
export function atRestKeyOf(
  opened: OpenKeyResult,
  owner: AtRestOwner,
): { ok: true; key: Uint8Array } | { ok: false; error: string } {
  if (!opened.ok)
    return {
      ok: false,
      error: `its key does not open with this identity (${opened.error}): it was kept by another identity, or the key was altered`,
    };
  if (opened.meta.purpose !== owner.purpose || opened.meta.epoch !== AT_REST_EPOCH)
    return { ok: false, error: `its key is not a key for the ${owner.purpose}` };
  return { ok: true, key: opened.key };
}

function associatedData(owner: AtRestOwner): Uint8Array {
  return encodeCanonical({ d: DOMAIN, net: owner.network, me: owner.me, p: owner.purpose });
}

/** Seals one record's bytes. */
export function sealAtRest(
  key: Uint8Array,
  owner: AtRestOwner,
  plaintext: Uint8Array,
  random: RandomPort,
): Uint8Array {
  const n = random.bytes(NONCE_BYTES);
  if (n.length !== NONCE_BYTES) throw new Error('the random source returned the wrong length');
  const ct = xchacha20poly1305(key, n, associatedData(owner)).encrypt(plaintext);
  return encodeCanonical({ v: RECORD_VERSION, n, ct });
}

const recordSchema = v.strictObject({
  v: v.literal(RECORD_VERSION),
  n: bytesOf(NONCE_BYTES),
  ct: v.pipe(
    v.instance(Uint8Array, 'expected a byte string'),
    v.check((b) => b.length >= TAG_BYTES, 'too short to hold a sealed record'),
  ),
});

/** Opens one record. Never throws: damage, a wrong key or junk are each a sentence. */
export function openAtRest(
  key: Uint8Array,
  owner: AtRestOwner,
  sealed: Uint8Array,
  maxBytes: number,
): { ok: true; plaintext: Uint8Array } | { ok: false; error: string } {
  const parsed = parseVersioned(sealed, {
    what: 'kept record',
    version: RECORD_VERSION,
    maxBytes,
    schema: recordSchema,
  });
  if (!parsed.ok) return parsed;
  try {
    const { n, ct } = parsed.value;
    return { ok: true, plaintext: xchacha20poly1305(key, n, associatedData(owner)).decrypt(ct) };
  } catch {
    return { ok: false, error: 'a kept record does not open: it was altered or damaged' };
  }
}

/** The purpose of the chat history's key. */
export const CHAT_HISTORY_PURPOSE = 'chat history';
