// A verifiable random function (VRF) over the identity's Ed25519 key: ECVRF, RFC 9381, suite
// ECVRF-EDWARDS25519-SHA512-ELL2 (suite_string 0x04).
//
// Why a VRF and not a signature: an Ed25519 signature is not unique. Its nonce cannot be checked,
// so a signer can make many valid signatures of one message and keep the one it likes. A VRF
// output β is unique per (key, input): whoever holds the key can withhold it, but cannot choose
// it, and anyone with the public key checks it from the proof π. That is what a committee seed
// needs from a witness (issue 21): entropy the witness can delay but never grind.
//
// Keys: RFC 9381 §5.5 takes the secret key and public key of this suite from RFC 8032 §5.1.5,
// so the VRF key is the identity's own 32-byte Ed25519 seed, and its public key is the same
// 32 bytes the ledger knows the identity by (shared/crypto/ed25519.ts publicKeyOf).
//
// All curve and field arithmetic is @noble/curves'; encode_to_curve is its RFC 9380
// edwards25519_XMD:SHA-512_ELL2_NU_ with the DST RFC 9381 §5.4.1.2 prescribes.
import { ed25519, ed25519_hasher } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concat, utf8 } from '../bytes.ts';

type EdPoint = ReturnType<typeof ed25519.Point.fromBytes>;

export const VRF_SUITE = 'ECVRF-EDWARDS25519-SHA512-ELL2';
export const VRF_PROOF_BYTES = 80;
export const VRF_OUTPUT_BYTES = 64;

const SUITE_STRING = Uint8Array.of(0x04);
const POINT_BYTES = 32;
const CHALLENGE_BYTES = 16; // cLen
const SCALAR_BYTES = 32; // qLen
const ORDER = ed25519.Point.Fn.ORDER;
/** RFC 9381 §5.4.1.2: "ECVRF_" || h2c_suite_ID_string || suite_string. */
const ENCODE_DST = concat(utf8('ECVRF_edwards25519_XMD:SHA-512_ELL2_NU_'), SUITE_STRING);
const CHALLENGE_FRONT = Uint8Array.of(0x02);
const PROOF_TO_HASH_FRONT = Uint8Array.of(0x03);
const BACK = Uint8Array.of(0x00);

/** RFC 9381 §5.4.1.2: H = encode_to_curve(PK_string || alpha). */
function encodeToCurve(publicKey: Uint8Array, alpha: Uint8Array): EdPoint {
  return ed25519_hasher.encodeToCurve(concat(publicKey, alpha), { DST: ENCODE_DST });
}

/** RFC 9381 §5.4.2.2: k from the second half of SHA-512(SK) and H, as RFC 8032 makes r. */
function nonce(secretKey: Uint8Array, hString: Uint8Array): bigint {
  const truncated = sha512(secretKey).subarray(32, 64);
  return bytesToNumberLE(sha512(concat(truncated, hString))) % ORDER;
}

/** RFC 9381 §5.4.3: c from the five points, truncated to cLen bytes. */
function challenge(points: readonly Uint8Array[]): bigint {
  const digest = sha512(concat(SUITE_STRING, CHALLENGE_FRONT, ...points, BACK));
  return bytesToNumberLE(digest.subarray(0, CHALLENGE_BYTES));
}

/** RFC 9381 §5.2: β = SHA-512(suite || 0x03 || cofactor·Γ || 0x00). */
function gammaToHash(gamma: EdPoint): Uint8Array {
  return sha512(concat(SUITE_STRING, PROOF_TO_HASH_FRONT, gamma.clearCofactor().toBytes(), BACK));
}

/** RFC 8032 strict decoding (y < p, no negative zero); null where there is no such point. */
function decodePoint(bytes: Uint8Array): EdPoint | null {
  try {
    return ed25519.Point.fromBytes(bytes, false);
  } catch {
    return null;
  }
}

interface DecodedProof {
  readonly gamma: EdPoint;
  readonly c: bigint;
  readonly s: bigint;
}

/** RFC 9381 §5.4.4: Γ || c || s, refusing a Γ off the curve and s ≥ q. */
function decodeProof(proof: Uint8Array): DecodedProof | null {
  if (!(proof instanceof Uint8Array) || proof.length !== VRF_PROOF_BYTES) return null;
  const gamma = decodePoint(proof.subarray(0, POINT_BYTES));
  if (!gamma) return null;
  const c = bytesToNumberLE(proof.subarray(POINT_BYTES, POINT_BYTES + CHALLENGE_BYTES));
  const s = bytesToNumberLE(proof.subarray(POINT_BYTES + CHALLENGE_BYTES));
  if (s >= ORDER) return null;
  return { gamma, c, s };
}

/**
 * RFC 9381 §5.4.5 validate_key: the key decodes, and is not of small order (cofactor·Y ≠ O).
 * A small-order key would let a forged proof pass for every alpha.
 */
function validateKey(publicKey: Uint8Array): EdPoint | null {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== POINT_BYTES) return null;
  const y = decodePoint(publicKey);
  if (!y || y.clearCofactor().is0()) return null;
  return y;
}

/**
 * The 80-byte proof π that `alpha` maps to this key's VRF output (RFC 9381 §5.1). `secretKey`
 * is the 32-byte Ed25519 seed. Deterministic: one key and alpha give one proof.
 */
export function vrfProve(secretKey: Uint8Array, alpha: Uint8Array): Uint8Array {
  if (secretKey.length !== 32) {
    throw new Error(`A VRF secret key must be 32 bytes, got ${secretKey.length}.`);
  }
  const { scalar: x, pointBytes: publicKey } = ed25519.utils.getExtendedPublicKey(secretKey);
  const h = encodeToCurve(publicKey, alpha);
  const hString = h.toBytes();
  const gamma = h.multiply(x);
  const k = nonce(secretKey, hString);
  const u = ed25519.Point.BASE.multiply(k).toBytes();
  const v = h.multiply(k).toBytes();
  const c = challenge([publicKey, hString, gamma.toBytes(), u, v]);
  const s = (k + c * x) % ORDER;
  return concat(
    gamma.toBytes(),
    numberToBytesLE(c, CHALLENGE_BYTES),
    numberToBytesLE(s, SCALAR_BYTES),
  );
}

/**
 * β (64 bytes) if `proof` is a valid VRF proof of `alpha` under `publicKey`, else null
 * (RFC 9381 §5.3, with validate_key). Never throws, whatever the bytes.
 */
export function vrfVerify(
  publicKey: Uint8Array,
  alpha: Uint8Array,
  proof: Uint8Array,
): Uint8Array | null {
  try {
    if (!(alpha instanceof Uint8Array)) return null;
    const y = validateKey(publicKey);
    const decoded = y && decodeProof(proof);
    if (!y || !decoded) return null;
    const { gamma, c, s } = decoded;
    const h = encodeToCurve(publicKey, alpha);
    // U = s·B − c·Y and V = s·H − c·Γ; public values, so the variable-time path is fine.
    const u = ed25519.Point.BASE.multiplyUnsafe(s).subtract(y.multiplyUnsafe(c));
    const v = h.multiplyUnsafe(s).subtract(gamma.multiplyUnsafe(c));
    const expected = challenge([
      publicKey,
      h.toBytes(),
      proof.subarray(0, POINT_BYTES),
      u.toBytes(),
      v.toBytes(),
    ]);
    return expected === c ? gammaToHash(gamma) : null;
  } catch {
    return null; // a library throw on hostile input is a refusal, never an exception
  }
}

/**
 * β from a proof without checking it (RFC 9381 §5.2 proof_to_hash); null if the proof is
 * malformed. Only for a proof this peer made or already verified: use vrfVerify otherwise.
 */
export function vrfOutput(proof: Uint8Array): Uint8Array | null {
  try {
    const decoded = decodeProof(proof);
    return decoded ? gammaToHash(decoded.gamma) : null;
  } catch {
    return null;
  }
}
