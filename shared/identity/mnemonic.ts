// Recovery phrases (BIP-39, English) and the key derivation from them (SLIP-0010, ed25519).
// A phrase is the one thing a user must back up: everything else is derived from it.
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { entropyToMnemonic, mnemonicToEntropy, mnemonicToSeedSync } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { concat, utf8 } from '../bytes.ts';
import type { RandomPort } from '../ports.ts';
import { identityFromSecret, type Identity } from './keys.ts';

/**
 * m / purpose' / coin_type' / account' / change' / address_index', in BIP-44's shape so that
 * wallet tools recognise it. Every level is hardened because SLIP-0010 defines only hardened
 * derivation for ed25519: an Ed25519 secret scalar is a hash of the seed, not a number one can
 * add a tweak to, so BIP-32's public (non-hardened) derivation has no ed25519 equivalent.
 * 7337 is our own coin type and is NOT registered in SLIP-0044; it is part of the wallet
 * format, because changing it changes every key derived from every phrase.
 */
export const GPOW_DERIVATION_PATH = "m/44'/7337'/0'/0'/0'";

const HARDENED = 0x8000_0000;
/** We generate 24 words (256 bits); any BIP-39 length is accepted when restoring. */
const GENERATED_ENTROPY_BYTES = 32;
const VALID_WORD_COUNTS = [12, 15, 18, 21, 24];

/** A new 24-word English recovery phrase from 256 bits of the port's randomness. */
export function generateMnemonic(random: RandomPort): string {
  const entropy = random.bytes(GENERATED_ENTROPY_BYTES);
  if (!(entropy instanceof Uint8Array) || entropy.length !== GENERATED_ENTROPY_BYTES) {
    throw new Error('RandomPort returned the wrong number of bytes for a recovery phrase');
  }
  return entropyToMnemonic(entropy, wordlist);
}

export type MnemonicCheck = { ok: true; mnemonic: string } | { ok: false; error: string };

/**
 * Checks a phrase a user typed or pasted, and returns it normalised: lowercase words separated
 * by single spaces, as BIP-39 seeds them. Never throws.
 */
export function validateMnemonic(input: unknown): MnemonicCheck {
  if (typeof input !== 'string') {
    return { ok: false, error: `a recovery phrase must be text, got ${typeof input}` };
  }
  const words = input.normalize('NFKD').toLowerCase().trim().split(/\s+/u).filter(Boolean);
  if (!VALID_WORD_COUNTS.includes(words.length)) {
    return {
      ok: false,
      error: `a recovery phrase has 12, 15, 18, 21 or 24 words; this one has ${words.length}`,
    };
  }
  const unknownAt = words.findIndex((word) => !wordlist.includes(word));
  if (unknownAt !== -1) {
    return {
      ok: false,
      error: `word ${unknownAt + 1}, "${words[unknownAt]}", is not in the BIP-39 English word list`,
    };
  }
  const mnemonic = words.join(' ');
  try {
    mnemonicToEntropy(mnemonic, wordlist);
  } catch {
    return {
      ok: false,
      error: 'checksum does not match: a word is wrong, missing, or in the wrong order',
    };
  }
  return { ok: true, mnemonic };
}

/**
 * The 64-byte BIP-39 seed. The phrase is validated first, so that a typo cannot silently
 * derive a different, empty wallet. The passphrase is the optional BIP-39 "25th word".
 */
export function mnemonicToSeed(mnemonic: string, passphrase = ''): Uint8Array {
  const checked = validateMnemonic(mnemonic);
  if (!checked.ok) throw new Error(`invalid recovery phrase: ${checked.error}`);
  return mnemonicToSeedSync(checked.mnemonic, passphrase);
}

/** Parses "m/44'/7337'/0'" (also "h" or "H" for hardened) into 32-bit child indices. */
function parsePath(path: string): number[] {
  const segments = path.trim().split('/');
  if (segments[0] !== 'm') {
    throw new Error(`derivation path must start with "m/", got ${JSON.stringify(path)}`);
  }
  return segments.slice(1).map((segment, i) => {
    const match = /^(\d{1,10})(['hH]?)$/u.exec(segment);
    if (match === null) {
      throw new Error(
        `derivation path segment ${i + 1} is not an index: ${JSON.stringify(segment)}`,
      );
    }
    const index = Number(match[1]);
    if (index >= HARDENED) {
      throw new Error(`derivation path segment ${i + 1} is too large: indices are below 2^31`);
    }
    if (match[2] === '') {
      throw new Error(
        `derivation path segment ${i + 1} ("${segment}") is not hardened: ed25519 (SLIP-0010) ` +
          `supports only hardened derivation, write ${segment}'`,
      );
    }
    return index + HARDENED;
  });
}

function checkIndices(indices: readonly number[]): void {
  indices.forEach((index, i) => {
    if (!Number.isInteger(index) || index < 0 || index > 0xffff_ffff) {
      throw new Error(`child index ${i + 1} is not a 32-bit unsigned integer: ${index}`);
    }
    if (index < HARDENED) {
      throw new Error(
        `child index ${i + 1} (${index}) is not hardened: ed25519 (SLIP-0010) supports only ` +
          `hardened derivation, use ${index} + 2^31`,
      );
    }
  });
}

/**
 * SLIP-0010 private key derivation for ed25519. `path` is a string like GPOW_DERIVATION_PATH or
 * an array of full 32-bit indices (hardened ones are >= 2^31). Returns the 32-byte Ed25519
 * secret key (an RFC 8032 seed) and the chain code.
 */
export function deriveSlip10Ed25519(
  seed: Uint8Array,
  path: string | number[],
): { key: Uint8Array; chainCode: Uint8Array } {
  // BIP-32 bounds the seed to 128..512 bits.
  if (!(seed instanceof Uint8Array) || seed.length < 16 || seed.length > 64) {
    throw new Error('SLIP-0010 seed must be 16 to 64 bytes');
  }
  const indices = typeof path === 'string' ? parsePath(path) : path;
  checkIndices(indices);
  let I = hmac(sha512, utf8('ed25519 seed'), seed);
  for (const index of indices) {
    const ser32 = new Uint8Array(4);
    new DataView(ser32.buffer).setUint32(0, index, false);
    // Hardened child: HMAC-SHA512(chain code, 0x00 || key || ser32(index)).
    I = hmac(sha512, I.subarray(32), concat(new Uint8Array([0]), I.subarray(0, 32), ser32));
  }
  return { key: I.slice(0, 32), chainCode: I.slice(32) };
}

/**
 * The identity of one account of a phrase: GPOW_DERIVATION_PATH with `account` as the third
 * level. The passphrase is the BIP-39 one: a different passphrase is a different wallet.
 */
export function identityFromMnemonic(mnemonic: string, passphrase = '', account = 0): Identity {
  if (!Number.isInteger(account) || account < 0 || account >= HARDENED) {
    throw new Error(`account must be an integer from 0 to 2^31 - 1, got ${account}`);
  }
  const seed = mnemonicToSeed(mnemonic, passphrase);
  const segments = GPOW_DERIVATION_PATH.split('/');
  segments[3] = `${account}'`; // m / 44' / 7337' / account' / ...
  const { key } = deriveSlip10Ed25519(seed, segments.join('/'));
  return identityFromSecret(key);
}
