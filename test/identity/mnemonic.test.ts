import { entropyToMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../shared/bytes.ts';
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';
import { identityFromSecret } from '../../shared/identity/keys.ts';
import {
  GPOW_DERIVATION_PATH,
  deriveSlip10Ed25519,
  generateMnemonic,
  identityFromMnemonic,
  mnemonicToSeed,
  validateMnemonic,
  type MnemonicCheck,
} from '../../shared/identity/mnemonic.ts';
import trezor from '../vectors/bip39-trezor-vectors.json' with { type: 'json' };
import slip10 from '../vectors/slip10-ed25519.json' with { type: 'json' };
import { deterministicRandom } from '../helpers/deterministicRandom.ts';

const HARDENED = 0x8000_0000;
const ABANDON_ART = `${'abandon '.repeat(23)}art`; // a valid 24-word phrase

function errorOf(result: MnemonicCheck): string {
  if (result.ok) throw new Error(`expected a validation error, got "${result.mnemonic}"`);
  return result.error;
}

describe('BIP-39: all Trezor English vectors (passphrase "TREZOR")', () => {
  const vectors = trezor.english.map(([entropy, mnemonic, seed], i) => ({
    entropy: entropy as string,
    mnemonic: mnemonic as string,
    seed: seed as string,
    name: `vector ${i}: ${(entropy as string).length / 2}-byte entropy`,
  }));

  it('covers all 24 vectors', () => {
    expect(vectors).toHaveLength(24);
  });

  it.each(vectors)('$name', ({ entropy, mnemonic, seed }) => {
    expect(entropyToMnemonic(fromHex(entropy), wordlist)).toBe(mnemonic);
    if (entropy.length === 64) {
      // Our generator, fed this entropy, must produce exactly this phrase.
      expect(generateMnemonic({ bytes: () => fromHex(entropy) })).toBe(mnemonic);
    }
    expect(validateMnemonic(mnemonic)).toEqual({ ok: true, mnemonic });
    expect(toHex(mnemonicToSeed(mnemonic, 'TREZOR'))).toBe(seed);
  });
});

describe('generateMnemonic', () => {
  it('makes a valid 24-word phrase from 32 bytes of the port', () => {
    const phrase = generateMnemonic(deterministicRandom('mnemonic'));
    expect(phrase.split(' ')).toHaveLength(24);
    expect(validateMnemonic(phrase)).toEqual({ ok: true, mnemonic: phrase });
    expect(generateMnemonic(deterministicRandom('other'))).not.toBe(phrase);
  });

  it('refuses a port that returns the wrong number of bytes', () => {
    expect(() => generateMnemonic({ bytes: () => new Uint8Array(16) })).toThrow(/wrong number/);
  });
});

describe('validateMnemonic', () => {
  it('normalises whitespace and case', () => {
    const messy = `  ${ABANDON_ART.toUpperCase().replaceAll(' ', ' \n\t ')}\n`;
    expect(validateMnemonic(messy)).toEqual({ ok: true, mnemonic: ABANDON_ART });
    expect(validateMnemonic(ABANDON_ART.replaceAll(' ', '\u3000'))).toEqual({
      ok: true,
      mnemonic: ABANDON_ART,
    });
  });

  it('accepts every BIP-39 length, for phrases made by other wallets', () => {
    for (const bytes of [16, 20, 24, 28, 32]) {
      const phrase = entropyToMnemonic(new Uint8Array(bytes).fill(0x5a), wordlist);
      expect(validateMnemonic(phrase).ok).toBe(true);
    }
  });

  it('wrong word count', () => {
    expect(errorOf(validateMnemonic('abandon abandon'))).toBe(
      'a recovery phrase has 12, 15, 18, 21 or 24 words; this one has 2',
    );
    expect(errorOf(validateMnemonic(`${ABANDON_ART} abandon`))).toMatch(/this one has 25$/);
    expect(errorOf(validateMnemonic('   '))).toMatch(/this one has 0$/);
  });

  it('names the unknown word and where it is', () => {
    const typo = ABANDON_ART.replace('abandon abandon abandon', 'abandon abandn abandon');
    expect(errorOf(validateMnemonic(typo))).toBe(
      'word 2, "abandn", is not in the BIP-39 English word list',
    );
  });

  it('bad checksum', () => {
    expect(errorOf(validateMnemonic(`${'abandon '.repeat(23)}abandon`))).toMatch(
      /^checksum does not match/,
    );
  });

  it('not a string', () => {
    expect(errorOf(validateMnemonic(undefined))).toMatch(/must be text, got undefined/);
    expect(errorOf(validateMnemonic(['abandon']))).toMatch(/got object/);
  });

  it('mnemonicToSeed refuses an invalid phrase instead of deriving a different wallet', () => {
    expect(() => mnemonicToSeed('abandon abandon')).toThrow(/invalid recovery phrase/);
  });
});

describe('SLIP-0010 ed25519: both published test vectors, every path', () => {
  const chains = slip10.flatMap((vector) =>
    vector.chains.map((chain) => ({ ...chain, seed: vector.seed, name: vector.name })),
  );

  it('covers 2 vectors of 6 chains', () => {
    expect(chains).toHaveLength(12);
  });

  it.each(chains)('$name, $path', (chain) => {
    const derived = deriveSlip10Ed25519(fromHex(chain.seed), chain.path);
    expect(toHex(derived.chainCode)).toBe(chain.chainCode);
    expect(toHex(derived.key)).toBe(chain.private);
    // SLIP-0010 serialises ed25519 public keys with a 0x00 prefix.
    expect(`00${toHex(publicKeyOf(derived.key))}`).toBe(chain.public);

    // The same path as an array of full 32-bit indices gives the same keys.
    const indices = chain.path
      .split('/')
      .slice(1)
      .map((s) => Number.parseInt(s, 10) + HARDENED);
    const fromIndices = deriveSlip10Ed25519(fromHex(chain.seed), indices);
    expect(toHex(fromIndices.key)).toBe(chain.private);
    expect(toHex(fromIndices.chainCode)).toBe(chain.chainCode);
  });

  it("accepts h and H as well as ' for hardened", () => {
    const seed = fromHex('000102030405060708090a0b0c0d0e0f');
    const a = deriveSlip10Ed25519(seed, "m/0'/1'/2'");
    expect(toHex(deriveSlip10Ed25519(seed, 'm/0h/1H/2h').key)).toBe(toHex(a.key));
  });
});

describe('deriveSlip10Ed25519 refuses what SLIP-0010 ed25519 cannot do', () => {
  const seed = fromHex('000102030405060708090a0b0c0d0e0f');

  it('non-hardened indices, in a string or an array', () => {
    expect(() => deriveSlip10Ed25519(seed, "m/44'/0")).toThrow(
      /segment 2 \("0"\) is not hardened: .* supports only hardened derivation, write 0'/,
    );
    expect(() => deriveSlip10Ed25519(seed, [HARDENED, 5])).toThrow(
      /child index 2 \(5\) is not hardened/,
    );
  });

  it('malformed paths and indices', () => {
    expect(() => deriveSlip10Ed25519(seed, "44'/0'")).toThrow(/must start with "m\/"/);
    expect(() => deriveSlip10Ed25519(seed, "m/x'")).toThrow(/segment 1 is not an index/);
    expect(() => deriveSlip10Ed25519(seed, "m/1'/")).toThrow(/segment 2 is not an index/);
    expect(() => deriveSlip10Ed25519(seed, "m/2147483648'")).toThrow(/too large/);
    expect(() => deriveSlip10Ed25519(seed, [2 ** 32])).toThrow(/not a 32-bit unsigned integer/);
    expect(() => deriveSlip10Ed25519(seed, [1.5])).toThrow(/not a 32-bit unsigned integer/);
  });

  it('seeds outside 16..64 bytes', () => {
    expect(() => deriveSlip10Ed25519(new Uint8Array(15), 'm')).toThrow(/16 to 64 bytes/);
    expect(() => deriveSlip10Ed25519(new Uint8Array(65), 'm')).toThrow(/16 to 64 bytes/);
  });
});

describe('identityFromMnemonic', () => {
  it(`uses ${GPOW_DERIVATION_PATH}, hardened at every level`, () => {
    expect(GPOW_DERIVATION_PATH).toBe("m/44'/7337'/0'/0'/0'");
    const { key } = deriveSlip10Ed25519(mnemonicToSeed(ABANDON_ART), GPOW_DERIVATION_PATH);
    expect(identityFromMnemonic(ABANDON_ART)).toEqual(identityFromSecret(key));
  });

  it('puts the account at the third level', () => {
    const { key } = deriveSlip10Ed25519(mnemonicToSeed(ABANDON_ART), "m/44'/7337'/5'/0'/0'");
    expect(identityFromMnemonic(ABANDON_ART, '', 5)).toEqual(identityFromSecret(key));
    expect(identityFromMnemonic(ABANDON_ART, '', 5)).not.toEqual(identityFromMnemonic(ABANDON_ART));
  });

  it('a BIP-39 passphrase gives a different identity', () => {
    expect(identityFromMnemonic(ABANDON_ART, 'x').publicKey).not.toEqual(
      identityFromMnemonic(ABANDON_ART).publicKey,
    );
  });

  it('normalises the phrase first, so a messy paste gives the same identity', () => {
    expect(identityFromMnemonic(`  ${ABANDON_ART.toUpperCase()} `)).toEqual(
      identityFromMnemonic(ABANDON_ART),
    );
  });

  it('refuses bad accounts and bad phrases', () => {
    expect(() => identityFromMnemonic(ABANDON_ART, '', -1)).toThrow(/account must be/);
    expect(() => identityFromMnemonic(ABANDON_ART, '', 2 ** 31)).toThrow(/account must be/);
    expect(() => identityFromMnemonic('abandon')).toThrow(/invalid recovery phrase/);
  });
});
