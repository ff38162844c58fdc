// Ed25519 for the ledger: one signature rule set, several interchangeable backends.
//
// Ed25519 implementations disagree on edge cases (non-canonical encodings, small-order points,
// S >= L, cofactored vs cofactorless equations; see "Taming the many EdDSAs", Chalkias et al.).
// On a ledger a disagreement is a chain split: one peer accepts a transaction that another
// rejects. So the verdict must not depend on which library a peer happens to run. We get that
// by (1) rejecting every disputed encoding up front with cheap byte checks that are identical
// everywhere (checkStrictEncoding), and (2) requiring every backend to use the cofactorless
// equation [S]B == R + [k]A, which is what OpenSSL, BoringSSL and WebCrypto implement. After
// (1), the only inputs left are canonical, non-small-order points with S < L, and on those every
// cofactorless implementation gives the same answer.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concat, fromHex } from '../bytes.ts';

export type StrictRejection =
  | 'bad-length'
  | 'non-canonical-key'
  | 'non-canonical-r'
  | 'small-order-key'
  | 'small-order-r'
  | 's-out-of-range';

const PUBLIC_KEY_LENGTH = 32;
const SIGNATURE_LENGTH = 64;

/** The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
const GROUP_ORDER_LE = fromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');

/**
 * The canonical encodings of the 8 points of small order (the torsion subgroup). Pinned here
 * rather than imported because it is part of the consensus rule: a library update must not be
 * able to change it. (Tests cross-check it against @noble/curves' list.) Non-canonical
 * encodings of the same points are caught by the canonicity checks instead.
 */
const SMALL_ORDER_ENCODINGS: readonly Uint8Array[] = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity (0, 1)
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // (0, -1), order 2
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
].map(fromHex);

/**
 * True if a 32-byte point encoding is canonical: y < p = 2^255 - 19, and not one of the two
 * "negative zero" encodings (x = 0 with the sign bit set, which happens only for y = 1 and
 * y = p - 1). Pure byte arithmetic; the point is not decompressed.
 */
function isCanonicalPoint(enc: Uint8Array): boolean {
  const top = (enc[31] as number) & 0x7f;
  const signBit = (enc[31] as number) >> 7;
  let middleAllOnes = top === 0x7f;
  let middleAllZero = top === 0;
  for (let i = 1; i < 31; i++) {
    const b = enc[i] as number;
    if (b !== 0xff) middleAllOnes = false;
    if (b !== 0) middleAllZero = false;
  }
  const low = enc[0] as number;
  // y >= p exactly when bytes 1..31 are all ones (under the sign bit) and byte 0 >= 0xed.
  if (middleAllOnes && low >= 0xed) return false;
  // y = p - 1 = 0x7fff...ffec and y = 1 have x = 0, whose sign bit must be 0.
  if (signBit === 1 && middleAllOnes && low === 0xec) return false;
  if (signBit === 1 && middleAllZero && low === 0x01) return false;
  return true;
}

function isSmallOrderEncoding(enc: Uint8Array): boolean {
  return SMALL_ORDER_ENCODINGS.some((small) => small.every((b, i) => enc[i] === b));
}

/** True if the 32-byte little-endian integer s is below the group order L. */
function isReducedScalar(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const a = s[i] as number;
    const l = GROUP_ORDER_LE[i] as number;
    if (a !== l) return a < l;
  }
  return false; // s == L
}

/**
 * Whether 32 bytes are a public key the ledger accepts as a recipient: canonical, not one of the
 * small-order points, and on the curve. Encrypting to such a key (SSK) then has a real
 * recipient: a small-order key would make the shared secret predictable.
 */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  if (!isCanonicalPoint(publicKey) || isSmallOrderEncoding(publicKey)) return false;
  try {
    ed25519.Point.fromBytes(publicKey, false);
    return true;
  } catch {
    return false; // not on the curve
  }
}

/**
 * The ledger's one signature rule set, applied before any backend runs. Returns why the
 * (signature, public key) pair is refused, or null if it may go on to the verification equation.
 * Uses only byte comparisons, so it is cheap and identical on every platform.
 */
export function checkStrictEncoding(
  signature: Uint8Array,
  publicKey: Uint8Array,
): StrictRejection | null {
  if (signature.length !== SIGNATURE_LENGTH || publicKey.length !== PUBLIC_KEY_LENGTH) {
    return 'bad-length';
  }
  const r = signature.subarray(0, 32);
  const s = signature.subarray(32, 64);
  if (!isCanonicalPoint(publicKey)) return 'non-canonical-key';
  if (isSmallOrderEncoding(publicKey)) return 'small-order-key';
  if (!isCanonicalPoint(r)) return 'non-canonical-r';
  if (isSmallOrderEncoding(r)) return 'small-order-r';
  // A full comparison with L, not a check of the top bits: S in [L, 2^253) must fail too.
  if (!isReducedScalar(s)) return 's-out-of-range';
  return null;
}

/**
 * A raw Ed25519 verifier. Only ever called after checkStrictEncoding passed. Must use the
 * cofactorless equation, and must return false (never throw) for points that fail to decode.
 */
export interface Ed25519Backend {
  readonly name: string;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
}

const { Point } = ed25519;

/**
 * Pure-JS backend on @noble/curves' point arithmetic. Deliberately NOT ed25519.verify: noble
 * defaults to ZIP-215 (cofactored) verification, which accepts signatures with a mixed-order R
 * or A that OpenSSL/WebCrypto reject. Here we check [S]B == R + [k]A exactly as they do.
 */
export const nobleBackend: Ed25519Backend = {
  name: 'noble-cofactorless',
  verify(signature, message, publicKey) {
    try {
      const rBytes = signature.subarray(0, 32);
      const s = bytesToNumberLE(signature.subarray(32, 64));
      // zip215 = false: RFC 8032 decoding (y < p, no negative zero); throws if not on the curve.
      const A = Point.fromBytes(publicKey, false);
      const R = Point.fromBytes(rBytes, false);
      // k = SHA-512(R || A || M) mod L, hashed over the bytes as received.
      const k = Point.Fn.create(bytesToNumberLE(sha512(concat(rBytes, publicKey, message))));
      const sB = Point.BASE.multiplyUnsafe(s); // throws for s >= L
      return Promise.resolve(sB.equals(R.add(A.multiplyUnsafe(k))));
    } catch {
      return Promise.resolve(false);
    }
  },
};

export interface SignatureVerifier {
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
}

/** Like @noble's isBytes: also accepts Uint8Arrays from another realm (iframe, vm context). */
function isBytes(value: unknown): value is Uint8Array {
  return (
    value instanceof Uint8Array ||
    (ArrayBuffer.isView(value) && value.constructor.name === 'Uint8Array')
  );
}

/**
 * The verifier the rest of the app uses: the strict rule set, then the backend. Never throws:
 * anything that is not a well-formed, valid signature is simply false.
 */
export function createVerifier(backend: Ed25519Backend): SignatureVerifier {
  return {
    async verify(signature, message, publicKey) {
      if (!isBytes(signature) || !isBytes(message) || !isBytes(publicKey)) return false;
      // Snapshot the inputs so the bytes the strict check saw are the bytes the backend checks,
      // even if the caller mutates its buffers while the backend awaits.
      const sig = Uint8Array.from(signature);
      const msg = Uint8Array.from(message);
      const key = Uint8Array.from(publicKey);
      if (checkStrictEncoding(sig, key) !== null) return false;
      try {
        return (await backend.verify(sig, msg, key)) === true;
      } catch {
        // Backends promise not to throw; if one does anyway, treat it as a refusal rather than
        // letting a peer's input crash the caller.
        return false;
      }
    },
  };
}

/** Signs with a 32-byte RFC 8032 seed. Deterministic (RFC 8032 5.1.6). */
export function signMessage(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  if (secretKey.length !== 32) {
    throw new Error(`Ed25519 secret key must be 32 bytes, got ${secretKey.length}`);
  }
  return ed25519.sign(message, secretKey);
}

/** The 32-byte public key of a 32-byte RFC 8032 seed. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== 32) {
    throw new Error(`Ed25519 secret key must be 32 bytes, got ${secretKey.length}`);
  }
  return ed25519.getPublicKey(secretKey);
}
