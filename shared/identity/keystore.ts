// The encrypted keystore: how a secret (a recovery phrase or a raw key) rests on disk.
//
//   passphrase --scrypt(salt, N, r, p)--> 32 bytes --HKDF-SHA256--> encryption key (32 bytes)
//                                                               \-> passphrase check (16 bytes)
//   ciphertext = XChaCha20-Poly1305(encryption key, nonce, aad = canonical header)(payload)
//   integrity  = SHA-256("gpow-keystore v2 integrity\n" || canonical header, check, ciphertext)
//
// Telling "wrong passphrase" from "the file was modified or damaged", so the user is told the
// right thing:
// - The check value differs for a wrong passphrase; with the right one, a changed nonce,
//   address or ciphertext fails the AEAD. The check gives an attacker nothing the AEAD tag
//   would not: either way each guess costs one scrypt.
// - But the kdf fields (salt, N, r, p) and the check value itself are only ever used to derive
//   or compare the key, so a change to them looks exactly like a wrong passphrase to anything
//   keyed by the passphrase. Nothing else is available to key a MAC with before unlocking, so
//   version 2 adds `integrity`: a plain, unkeyed hash over every other field, checked before
//   any scrypt. Bit rot, a bad copy or an edit by hand is reported as modified, and a wrong
//   passphrase stays a wrong passphrase (the hash does not depend on it). It is no defence
//   against someone who recomputes the hash on purpose, and needs none: such a person can
//   replace the file wholesale (with a keystore under another passphrase, which no format can
//   tell from a wrong passphrase). The AEAD is what protects the secret.
// - Version 1 files (no integrity field, made by older versions) are still read as before;
//   node/keystoreFile.ts rewrites them as version 2 after they open (upgradeWith).
//
// decryptKeystore takes untrusted input (a file, a paste) and never throws for it: it returns
// a typed failure. The kdf parameters are bounded before any work, so a hostile file cannot make
// us allocate gigabytes or spin for hours.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { equalBytes } from '@noble/ciphers/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { entropyToMnemonic, mnemonicToEntropy } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import * as v from 'valibot';
import { fromHex, toHex, utf8 } from '../bytes.ts';
import type { RandomPort } from '../ports.ts';
import { encodeAddress, parseAddress, type Address } from './address.ts';
import { identityFromSecret, type Identity } from './keys.ts';
import { identityFromMnemonic, validateMnemonic } from './mnemonic.ts';

export const KEYSTORE_FORMAT = 'gpow-keystore';
export const KEYSTORE_VERSION = 2;
/** The version before the integrity field; still read (see the comment at the top). */
export const LEGACY_KEYSTORE_VERSION = 1;

/** 2^17 with r = 8 is about 128 MiB and well under a few seconds on current hardware. */
export const DEFAULT_SCRYPT_N = 2 ** 17;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
export const MIN_SCRYPT_N = 2 ** 10;
export const MAX_SCRYPT_N = 2 ** 20;
const MAX_SCRYPT_R = 16;
const MAX_SCRYPT_P = 16;
/** noble's scrypt allocates 128·r·(N + p + 1) bytes: cap it at 1 GiB plus a little. */
const MAX_SCRYPT_MEMORY = 2 ** 30 + 2 ** 16;
/** Blocks mixed, N·r·p: 16 times our default, so a hostile file costs seconds, not hours. */
const MAX_SCRYPT_WORK = 2 ** 24;

const SALT_BYTES = 32;
const NONCE_BYTES = 24;
const CHECK_BYTES = 16;
const KEY_BYTES = 32;
const TAG_BYTES = 16;
const INTEGRITY_BYTES = 32;
/** Payloads are a tag byte and 16 to 32 bytes of secret; the AEAD adds its tag. */
const MIN_CIPHERTEXT_BYTES = 1 + 16 + TAG_BYTES;
const MAX_CIPHERTEXT_BYTES = 1 + 32 + TAG_BYTES;

export type KeystorePayload =
  | { readonly kind: 'mnemonic'; readonly mnemonic: string }
  | { readonly kind: 'secret-key'; readonly secretKey: Uint8Array };

export interface Keystore {
  readonly format: typeof KEYSTORE_FORMAT;
  readonly version: typeof KEYSTORE_VERSION;
  /** The address of the key inside, readable without the passphrase (authenticated). */
  readonly address: Address;
  readonly kdf: {
    readonly name: 'scrypt';
    readonly N: number;
    readonly r: number;
    readonly p: number;
    readonly salt: string;
  };
  readonly cipher: { readonly name: 'xchacha20-poly1305'; readonly nonce: string };
  readonly check: string;
  readonly ciphertext: string;
  /** SHA-256 over every other field (integrityOf), so damage is told from a wrong passphrase. */
  readonly integrity: string;
}

/** What a file may hold: the current format, or a version 1 file without `integrity`. */
type StoredKeystore = Omit<Keystore, 'version' | 'integrity'> &
  (
    | { readonly version: typeof KEYSTORE_VERSION; readonly integrity: string }
    | { readonly version: typeof LEGACY_KEYSTORE_VERSION }
  );

export type KeystoreFailureCode =
  'malformed' | 'unsupported-version' | 'wrong-passphrase' | 'tampered';

export type KeystoreResult =
  | {
      ok: true;
      payload: KeystorePayload;
      address: Address;
      /** Set for a version 1 file: rewrite it (encryptKeystore) to gain the integrity check. */
      outdated?: true;
    }
  | { ok: false; code: KeystoreFailureCode; message: string };

export interface EncryptOptions {
  /** scrypt cost, a power of two from 2^10 to 2^20; DEFAULT_SCRYPT_N unless testing. */
  N?: number;
  /** Called with the scrypt progress from 0 to 1, for a progress bar. */
  onProgress?: (fraction: number) => void;
}

export interface DecryptOptions {
  onProgress?: (fraction: number) => void;
}

// ---------------------------------------------------------------------------------------------
// Payload encoding: one tag byte, then a fixed body. Canonical (exactly one encoding per
// secret), so decoding rejects anything else. A phrase is stored as its BIP-39 entropy: the
// phrase is a pure function of it, and it cannot carry stray whitespace or case.

const PAYLOAD_MNEMONIC = 0x01;
const PAYLOAD_SECRET_KEY = 0x02;
const ENTROPY_LENGTHS = [16, 20, 24, 28, 32];

function encodePayload(payload: KeystorePayload): Uint8Array {
  switch (payload.kind) {
    case 'mnemonic': {
      const checked = validateMnemonic(payload.mnemonic);
      if (!checked.ok) throw new Error(`cannot store an invalid recovery phrase: ${checked.error}`);
      return Uint8Array.of(PAYLOAD_MNEMONIC, ...mnemonicToEntropy(checked.mnemonic, wordlist));
    }
    case 'secret-key': {
      const key = payload.secretKey;
      if (!(key instanceof Uint8Array) || key.length !== 32) {
        throw new Error('a secret-key payload must hold a 32-byte Ed25519 secret key');
      }
      return Uint8Array.of(PAYLOAD_SECRET_KEY, ...key);
    }
  }
}

function decodePayload(bytes: Uint8Array): KeystorePayload | null {
  const body = bytes.slice(1);
  if (bytes[0] === PAYLOAD_MNEMONIC && ENTROPY_LENGTHS.includes(body.length)) {
    return { kind: 'mnemonic', mnemonic: entropyToMnemonic(body, wordlist) };
  }
  if (bytes[0] === PAYLOAD_SECRET_KEY && body.length === 32) {
    return { kind: 'secret-key', secretKey: body };
  }
  return null;
}

/** A phrase's keystore address is that of its first account, with no BIP-39 passphrase. */
function identityOf(payload: KeystorePayload): Identity {
  return payload.kind === 'mnemonic'
    ? identityFromMnemonic(payload.mnemonic)
    : identityFromSecret(payload.secretKey);
}

// ---------------------------------------------------------------------------------------------
// Key derivation and the authenticated header.

type Header = Pick<StoredKeystore, 'format' | 'version' | 'address' | 'kdf' | 'cipher'>;

/**
 * The header in a fixed order. Every value is a string or an integer whose form the schema
 * pins (lowercase hex, the canonical address), so the same header always gives the same
 * bytes, whatever key order the file happens to have.
 */
const headerFields = (h: Header): Array<string | number> => [
  h.format,
  h.version,
  h.address,
  h.kdf.name,
  h.kdf.N,
  h.kdf.r,
  h.kdf.p,
  h.kdf.salt,
  h.cipher.name,
  h.cipher.nonce,
];

/** The header as AEAD associated data. */
const associatedData = (h: Header): Uint8Array => utf8(JSON.stringify(headerFields(h)));

/** The integrity hash of a version 2 keystore: every field but itself, domain-separated. */
function integrityOf(ks: Header & Pick<Keystore, 'check' | 'ciphertext'>): string {
  const fields = [...headerFields(ks), ks.check, ks.ciphertext];
  return toHex(sha256(utf8(`gpow-keystore v2 integrity\n${JSON.stringify(fields)}`)));
}

async function deriveKeys(
  passphrase: string,
  kdf: Header['kdf'],
  onProgress: ((fraction: number) => void) | undefined,
): Promise<{ encryptionKey: Uint8Array; check: Uint8Array }> {
  // NFKC, so the same passphrase typed on systems that compose accents differently still opens.
  const secret = await scryptAsync(utf8(passphrase.normalize('NFKC')), fromHex(kdf.salt), {
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    dkLen: KEY_BYTES,
    maxmem: MAX_SCRYPT_MEMORY,
    ...(onProgress === undefined ? {} : { onProgress }),
  });
  const encryptionKey = hkdf(
    sha256,
    secret,
    undefined,
    utf8('gpow-keystore v1 encryption'),
    KEY_BYTES,
  );
  const check = hkdf(
    sha256,
    secret,
    undefined,
    utf8('gpow-keystore v1 passphrase check'),
    CHECK_BYTES,
  );
  secret.fill(0);
  return { encryptionKey, check };
}

/** Why these scrypt parameters are refused, or null; checked before any work is done. */
function scryptParamsProblem(N: number, r: number, p: number): string | null {
  if (!Number.isInteger(N) || N < MIN_SCRYPT_N || N > MAX_SCRYPT_N || (N & (N - 1)) !== 0) {
    return `scrypt N must be a power of two from 2^10 to 2^20, got ${N}`;
  }
  if (!Number.isInteger(r) || r < 1 || r > MAX_SCRYPT_R) {
    return `scrypt r must be an integer from 1 to ${MAX_SCRYPT_R}, got ${r}`;
  }
  if (!Number.isInteger(p) || p < 1 || p > MAX_SCRYPT_P) {
    return `scrypt p must be an integer from 1 to ${MAX_SCRYPT_P}, got ${p}`;
  }
  if (128 * r * (N + p + 1) > MAX_SCRYPT_MEMORY) {
    return `scrypt parameters N=${N}, r=${r} would need more than 1 GiB of memory`;
  }
  if (N * r * p > MAX_SCRYPT_WORK) {
    return `scrypt parameters N=${N}, r=${r}, p=${p} would take too long to derive`;
  }
  return null;
}

function randomBytes(random: RandomPort, length: number): Uint8Array {
  const bytes = random.bytes(length);
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new Error(`RandomPort returned the wrong number of bytes (wanted ${length})`);
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Encrypt.

export async function encryptKeystore(
  payload: KeystorePayload,
  passphrase: string,
  random: RandomPort,
  opts: EncryptOptions = {},
): Promise<Keystore> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new Error('a keystore needs a passphrase: an empty one would leave the key unprotected');
  }
  const N = opts.N ?? DEFAULT_SCRYPT_N;
  const problem = scryptParamsProblem(N, SCRYPT_R, SCRYPT_P);
  if (problem !== null) throw new Error(problem);
  const plaintext = encodePayload(payload);
  const header: Omit<Keystore, 'check' | 'ciphertext' | 'integrity'> = {
    format: KEYSTORE_FORMAT,
    version: KEYSTORE_VERSION,
    address: encodeAddress(identityOf(payload).publicKey),
    kdf: {
      name: 'scrypt',
      N,
      r: SCRYPT_R,
      p: SCRYPT_P,
      salt: toHex(randomBytes(random, SALT_BYTES)),
    },
    cipher: { name: 'xchacha20-poly1305', nonce: toHex(randomBytes(random, NONCE_BYTES)) },
  };
  const { encryptionKey, check } = await deriveKeys(passphrase, header.kdf, opts.onProgress);
  const ciphertext = xchacha20poly1305(
    encryptionKey,
    fromHex(header.cipher.nonce),
    associatedData(header),
  ).encrypt(plaintext);
  encryptionKey.fill(0);
  plaintext.fill(0);
  const sealed = { ...header, check: toHex(check), ciphertext: toHex(ciphertext) };
  return { ...sealed, integrity: integrityOf(sealed) };
}

// ---------------------------------------------------------------------------------------------
// Decrypt.

const hexOf = (bytes: number, what: string) =>
  v.pipe(
    v.string(`${what} must be a hex string`),
    v.regex(
      new RegExp(`^[0-9a-f]{${bytes * 2}}$`, 'u'),
      `${what} must be ${bytes} bytes of lowercase hex`,
    ),
  );

const count = (what: string) => v.pipe(v.number(), v.integer(`${what} must be an integer`));

/** Only the fields that say what this is, so a future version gets the right message. */
const EnvelopeSchema = v.looseObject({
  format: v.literal(KEYSTORE_FORMAT, `not a GPoW keystore: "format" must be "${KEYSTORE_FORMAT}"`),
  version: v.unknown(),
});

const keystoreEntries = {
  format: v.literal(KEYSTORE_FORMAT),
  address: v.pipe(
    v.string('address must be a string'),
    v.check((s) => {
      const parsed = parseAddress(s);
      return parsed.ok && parsed.address === s;
    }, 'address is not a valid lowercase GPoW address'),
  ),
  kdf: v.strictObject({
    name: v.literal('scrypt', 'kdf.name must be "scrypt"'),
    N: count('kdf.N'),
    r: count('kdf.r'),
    p: count('kdf.p'),
    salt: hexOf(SALT_BYTES, 'kdf.salt'),
  }),
  cipher: v.strictObject({
    name: v.literal('xchacha20-poly1305', 'cipher.name must be "xchacha20-poly1305"'),
    nonce: hexOf(NONCE_BYTES, 'cipher.nonce'),
  }),
  check: hexOf(CHECK_BYTES, 'check'),
  ciphertext: v.pipe(
    v.string('ciphertext must be a hex string'),
    v.regex(
      new RegExp(`^(?:[0-9a-f]{2}){${MIN_CIPHERTEXT_BYTES},${MAX_CIPHERTEXT_BYTES}}$`, 'u'),
      `ciphertext must be ${MIN_CIPHERTEXT_BYTES} to ${MAX_CIPHERTEXT_BYTES} bytes of lowercase hex`,
    ),
  ),
};

const KeystoreSchema = v.strictObject({
  ...keystoreEntries,
  version: v.literal(KEYSTORE_VERSION),
  integrity: hexOf(INTEGRITY_BYTES, 'integrity'),
});

const LegacyKeystoreSchema = v.strictObject({
  ...keystoreEntries,
  version: v.literal(LEGACY_KEYSTORE_VERSION),
});

/** Said of a file whose integrity hash or AEAD tag does not match: no passphrase opens it. */
export const MODIFIED_KEYSTORE =
  'the keystore file has been modified or damaged (its integrity check fails); restore it ' +
  'from a backup or from your backup words';

type Failure = Extract<KeystoreResult, { ok: false }>;
const failure = (code: KeystoreFailureCode, message: string): Failure => ({
  ok: false,
  code,
  message,
});

function describeIssue(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  if (issue === undefined) return 'invalid keystore';
  const path = v.getDotPath(issue);
  return path === null ? issue.message : `${path}: ${issue.message}`;
}

/** Parses untrusted input into a keystore with sane kdf parameters, or says why not. */
function parseKeystore(input: unknown): StoredKeystore | Failure {
  const envelope = v.safeParse(EnvelopeSchema, input);
  if (!envelope.success) {
    return failure('malformed', `not a GPoW keystore: ${describeIssue(envelope.issues)}`);
  }
  const version = envelope.output.version;
  if (version !== KEYSTORE_VERSION && version !== LEGACY_KEYSTORE_VERSION) {
    return failure(
      'unsupported-version',
      `keystore version ${JSON.stringify(version)} is not supported: this version of GPoW ` +
        `reads versions ${LEGACY_KEYSTORE_VERSION} and ${KEYSTORE_VERSION}`,
    );
  }
  const schema = version === KEYSTORE_VERSION ? KeystoreSchema : LegacyKeystoreSchema;
  const parsed = v.safeParse(schema, input);
  if (!parsed.success) {
    return failure('malformed', `invalid keystore: ${describeIssue(parsed.issues)}`);
  }
  const ks = parsed.output;
  const problem = scryptParamsProblem(ks.kdf.N, ks.kdf.r, ks.kdf.p);
  if (problem !== null) return failure('malformed', `invalid keystore: ${problem}`);
  return { ...ks, address: ks.address as Address };
}

/**
 * Opens a keystore. `input` is untrusted (the parsed JSON of a file); bad input of any kind
 * gives a typed failure, never an exception.
 */
export async function decryptKeystore(
  input: unknown,
  passphrase: string,
  opts: DecryptOptions = {},
): Promise<KeystoreResult> {
  const ks = parseKeystore(input);
  if ('ok' in ks) return ks;
  // Before any scrypt: a damaged file is reported as such, and costs nothing to refuse.
  if (ks.version === KEYSTORE_VERSION && integrityOf(ks) !== ks.integrity) {
    return failure('tampered', MODIFIED_KEYSTORE);
  }
  if (typeof passphrase !== 'string') {
    return failure('wrong-passphrase', 'the passphrase must be text');
  }
  const { encryptionKey, check } = await deriveKeys(passphrase, ks.kdf, opts.onProgress);
  if (!equalBytes(check, fromHex(ks.check))) {
    encryptionKey.fill(0);
    return failure('wrong-passphrase', 'wrong passphrase');
  }
  let plaintext: Uint8Array;
  try {
    plaintext = xchacha20poly1305(
      encryptionKey,
      fromHex(ks.cipher.nonce),
      associatedData(ks),
    ).decrypt(fromHex(ks.ciphertext));
  } catch {
    // The passphrase is right (the check matched), so the file was changed.
    return failure('tampered', MODIFIED_KEYSTORE);
  } finally {
    encryptionKey.fill(0);
  }
  const payload = decodePayload(plaintext);
  plaintext.fill(0);
  if (payload === null) {
    return failure('malformed', 'the keystore decrypted, but its contents are not a known secret');
  }
  // Authenticated already, so a mismatch means the file was written wrong, not modified.
  const address = encodeAddress(identityOf(payload).publicKey);
  if (address !== ks.address) {
    return failure('malformed', "the keystore's address does not match the key inside it");
  }
  return ks.version === KEYSTORE_VERSION
    ? { ok: true, payload, address }
    : { ok: true, payload, address, outdated: true };
}
