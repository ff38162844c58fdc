import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../shared/bytes.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import {
  decryptKeystore,
  encryptKeystore,
  type Keystore,
  type KeystoreFailureCode,
  type KeystorePayload,
  type KeystoreResult,
} from '../../shared/identity/keystore.ts';
import { identityFromSecret } from '../../shared/identity/keys.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';

const N = 2 ** 10; // small, to keep the tests fast
const PASS = 'correct horse battery staple';
const MNEMONIC = `${'abandon '.repeat(23)}art`;
const SECRET = new Uint8Array(32).fill(0x42);

const mnemonicPayload: KeystorePayload = { kind: 'mnemonic', mnemonic: MNEMONIC };
const secretPayload: KeystorePayload = { kind: 'secret-key', secretKey: SECRET };

const make = (payload: KeystorePayload = secretPayload, label = 'ks') =>
  encryptKeystore(payload, PASS, deterministicRandom(label), { N });

/** A copy of a keystore as plain JSON data, the way it comes back from a file. */
const asJson = (ks: Keystore): Record<string, unknown> =>
  JSON.parse(JSON.stringify(ks)) as Record<string, unknown>;

async function expectFailure(
  result: Promise<KeystoreResult>,
  code: KeystoreFailureCode,
  message?: RegExp,
): Promise<void> {
  const r = await result;
  expect(r.ok ? 'ok' : r.code, r.ok ? '' : r.message).toBe(code);
  if (message && !r.ok) expect(r.message).toMatch(message);
}

const flipHexBit = (hex: string, byte = 0): string => {
  const bytes = fromHex(hex);
  bytes[byte] = (bytes[byte] as number) ^ 1;
  return toHex(bytes);
};

describe('encryptKeystore / decryptKeystore round trip', () => {
  it('a secret key comes back, with the address of its identity', async () => {
    const ks = await make(secretPayload);
    expect(ks.address).toBe(encodeAddress(identityFromSecret(SECRET).publicKey));
    const opened = await decryptKeystore(asJson(ks), PASS);
    expect(opened).toEqual({ ok: true, payload: secretPayload, address: ks.address });
  });

  it("a recovery phrase comes back normalised, with its first account's address", async () => {
    const ks = await encryptKeystore(
      { kind: 'mnemonic', mnemonic: `  ${MNEMONIC.toUpperCase()} ` },
      PASS,
      deterministicRandom('m'),
      { N },
    );
    expect(ks.address).toBe(encodeAddress(identityFromMnemonic(MNEMONIC).publicKey));
    expect(await decryptKeystore(asJson(ks), PASS)).toEqual({
      ok: true,
      payload: mnemonicPayload,
      address: ks.address,
    });
  });

  it('has exactly the documented shape', async () => {
    const ks = await make();
    const json = asJson(ks);
    expect(Object.keys(json).sort()).toEqual(
      ['address', 'check', 'cipher', 'ciphertext', 'format', 'kdf', 'version'].sort(),
    );
    expect(json).toMatchObject({
      format: 'gpow-keystore',
      version: 1,
      kdf: { name: 'scrypt', N, r: 8, p: 1, salt: ks.kdf.salt },
      cipher: { name: 'xchacha20-poly1305', nonce: ks.cipher.nonce },
    });
    expect(ks.kdf.salt).toMatch(/^[0-9a-f]{64}$/);
    expect(ks.cipher.nonce).toMatch(/^[0-9a-f]{48}$/);
    expect(ks.check).toMatch(/^[0-9a-f]{32}$/);
    // A 33-byte secret-key payload plus the 16-byte tag.
    expect(ks.ciphertext).toMatch(/^[0-9a-f]{98}$/);
  });

  it('defaults to scrypt N = 2^17', async () => {
    let progress = 0;
    const ks = await encryptKeystore(secretPayload, PASS, deterministicRandom('default'), {
      onProgress: (f) => (progress = f),
    });
    expect(ks.kdf.N).toBe(2 ** 17);
    expect(progress).toBe(1);
  }, 60_000);

  it('reports scrypt progress from 0 to 1 on both sides', async () => {
    const seen: number[] = [];
    const ks = await encryptKeystore(secretPayload, PASS, deterministicRandom('p'), {
      N,
      onProgress: (f) => seen.push(f),
    });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    const opened: number[] = [];
    await decryptKeystore(ks, PASS, { onProgress: (f) => opened.push(f) });
    expect(opened.at(-1)).toBe(1);
  });

  it('salt and nonce come from the RandomPort: another port, another keystore', async () => {
    const a = await make(secretPayload, 'a');
    const b = await make(secretPayload, 'b');
    expect(a.kdf.salt).not.toBe(b.kdf.salt);
    expect(a.cipher.nonce).not.toBe(b.cipher.nonce);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('normalises the passphrase (NFKC), so composed and decomposed accents both open it', async () => {
    const composed = 'caf\u00e9';
    const decomposed = 'cafe\u0301';
    const ks = await encryptKeystore(secretPayload, composed, deterministicRandom('nfkc'), { N });
    expect((await decryptKeystore(ks, decomposed)).ok).toBe(true);
  });

  it('the header is authenticated canonically, whatever the key order of the file', async () => {
    const ks = await make();
    const reordered = {
      ciphertext: ks.ciphertext,
      check: ks.check,
      cipher: { nonce: ks.cipher.nonce, name: ks.cipher.name },
      kdf: { salt: ks.kdf.salt, p: ks.kdf.p, r: ks.kdf.r, N: ks.kdf.N, name: ks.kdf.name },
      address: ks.address,
      version: ks.version,
      format: ks.format,
    };
    expect((await decryptKeystore(reordered, PASS)).ok).toBe(true);
  });
});

describe('encryptKeystore refuses bad requests', () => {
  const random = deterministicRandom('refuse');

  it('an empty passphrase', async () => {
    await expect(encryptKeystore(secretPayload, '', random, { N })).rejects.toThrow(
      /needs a passphrase/,
    );
  });

  it('an N outside the bounds or not a power of two', async () => {
    for (const bad of [2 ** 9, 2 ** 21, 1000, 2 ** 10 + 1]) {
      await expect(encryptKeystore(secretPayload, PASS, random, { N: bad })).rejects.toThrow(
        /scrypt N must be a power of two from 2\^10 to 2\^20/,
      );
    }
  });

  it('an invalid payload', async () => {
    await expect(
      encryptKeystore({ kind: 'mnemonic', mnemonic: 'abandon' }, PASS, random, { N }),
    ).rejects.toThrow(/invalid recovery phrase/);
    await expect(
      encryptKeystore({ kind: 'secret-key', secretKey: new Uint8Array(31) }, PASS, random, { N }),
    ).rejects.toThrow(/32-byte/);
  });

  it('a RandomPort that returns too few bytes', async () => {
    await expect(
      encryptKeystore(secretPayload, PASS, { bytes: () => new Uint8Array(8) }, { N }),
    ).rejects.toThrow(/wrong number of bytes/);
  });
});

describe('wrong passphrase vs tampering', () => {
  it('a wrong passphrase is "wrong-passphrase"', async () => {
    const ks = await make();
    await expectFailure(decryptKeystore(ks, `${PASS}!`), 'wrong-passphrase', /wrong passphrase/);
    await expectFailure(decryptKeystore(ks, ''), 'wrong-passphrase');
    await expectFailure(
      decryptKeystore(ks, 42 as unknown as string),
      'wrong-passphrase',
      /must be text/,
    );
  });

  it('a flipped ciphertext bit is "tampered"', async () => {
    const ks = await make();
    for (const byte of [0, 20, fromHex(ks.ciphertext).length - 1]) {
      await expectFailure(
        decryptKeystore({ ...ks, ciphertext: flipHexBit(ks.ciphertext, byte) }, PASS),
        'tampered',
        /passphrase is right but the keystore was modified/,
      );
    }
  });

  it('a swapped address (another valid address) is "tampered"', async () => {
    const ks = await make();
    const other = encodeAddress(identityFromSecret(new Uint8Array(32).fill(1)).publicKey);
    await expectFailure(decryptKeystore({ ...ks, address: other }, PASS), 'tampered');
  });

  it('a changed nonce is "tampered"', async () => {
    const ks = await make();
    const cipher = { ...ks.cipher, nonce: flipHexBit(ks.cipher.nonce, 5) };
    await expectFailure(decryptKeystore({ ...ks, cipher }, PASS), 'tampered');
  });

  it('a header from another keystore of the same key is "tampered"', async () => {
    const a = await make(secretPayload, 'a');
    const b = await make(secretPayload, 'b');
    // b's cipher header (nonce) with a's ciphertext: every field valid, but not together.
    await expectFailure(decryptKeystore({ ...a, cipher: b.cipher }, PASS), 'tampered');
  });

  it('changed kdf fields or check value read as a wrong passphrase (they change the key)', async () => {
    const ks = await make();
    const kdfs = [
      { ...ks.kdf, salt: flipHexBit(ks.kdf.salt) },
      { ...ks.kdf, N: ks.kdf.N * 2 },
      { ...ks.kdf, r: 7 },
      { ...ks.kdf, p: 2 },
    ];
    for (const kdf of kdfs) {
      await expectFailure(decryptKeystore({ ...ks, kdf }, PASS), 'wrong-passphrase');
    }
    await expectFailure(
      decryptKeystore({ ...ks, check: flipHexBit(ks.check) }, PASS),
      'wrong-passphrase',
    );
  });
});

describe('hostile and malformed input never throws', () => {
  it('non-objects and wrong types are "malformed"', async () => {
    const ks = asJson(await make());
    const bad: unknown[] = [
      undefined,
      null,
      42,
      'gpow-keystore',
      JSON.stringify(ks),
      [],
      {},
      { ...ks, format: 'other' },
      { ...ks, address: 'gpow1nope' },
      { ...ks, address: (ks.address as string).toUpperCase() },
      { ...ks, kdf: { ...(ks.kdf as object), name: 'pbkdf2' } },
      { ...ks, kdf: { ...(ks.kdf as object), N: '1024' } },
      { ...ks, kdf: { ...(ks.kdf as object), N: 1024.5 } },
      { ...ks, kdf: { ...(ks.kdf as object), salt: 'ab' } },
      {
        ...ks,
        kdf: { ...(ks.kdf as object), salt: (ks.kdf as { salt: string }).salt.toUpperCase() },
      },
      { ...ks, kdf: { ...(ks.kdf as object), extra: 1 } },
      { ...ks, cipher: { name: 'aes-256-gcm', nonce: (ks.cipher as { nonce: string }).nonce } },
      { ...ks, cipher: null },
      { ...ks, check: 'zz'.repeat(16) },
      { ...ks, ciphertext: '' },
      { ...ks, ciphertext: 'ab'.repeat(1000) },
      { ...ks, ciphertext: 42 },
      { ...ks, extra: 'unauthenticated data is refused, not ignored' },
      (({ check: _check, ...rest }) => rest)(ks),
    ];
    for (const input of bad) {
      await expectFailure(decryptKeystore(input, PASS), 'malformed');
    }
  });

  it('says which field is wrong', async () => {
    const ks = asJson(await make());
    await expectFailure(
      decryptKeystore({ ...ks, kdf: { ...(ks.kdf as object), salt: 'ab' } }, PASS),
      'malformed',
      /kdf\.salt.*32 bytes of lowercase hex/,
    );
    await expectFailure(decryptKeystore(null, PASS), 'malformed', /not a GPoW keystore/);
  });

  it('an unknown version is "unsupported-version"', async () => {
    const ks = asJson(await make());
    for (const version of [2, 0, '1', null]) {
      await expectFailure(
        decryptKeystore({ ...ks, version }, PASS),
        'unsupported-version',
        /is not supported: this version of GPoW reads version 1/,
      );
    }
    // A future version may change every other field: the version is still what is reported.
    await expectFailure(
      decryptKeystore({ format: 'gpow-keystore', version: 2, sealed: 'x' }, PASS),
      'unsupported-version',
    );
  });

  it('hostile scrypt parameters are refused before any work is done', async () => {
    const ks = asJson(await make());
    const hostile = [
      { N: 2 ** 30 },
      { N: 2 ** 21 },
      { N: 2 ** 9 },
      { N: 3 * 2 ** 12 },
      { N: 0 },
      { N: -1024 },
      { r: 0 },
      { r: 1000 },
      { p: 0 },
      { p: 2 ** 20 },
      { N: 2 ** 20, r: 16 }, // each within bounds, together 2 GiB of memory
      { N: 2 ** 20, r: 8, p: 4 }, // within memory, but 4x the work cap
    ];
    for (const params of hostile) {
      let progressed = false;
      const result = decryptKeystore({ ...ks, kdf: { ...(ks.kdf as object), ...params } }, PASS, {
        onProgress: () => (progressed = true),
      });
      await expectFailure(result, 'malformed', /scrypt/);
      expect(progressed, JSON.stringify(params)).toBe(false);
    }
  });
});

describe('the format, re-implemented independently from its description', () => {
  // scrypt -> HKDF-SHA256 (two labels) -> XChaCha20-Poly1305 with the header as a JSON array.
  function keysFor(ks: Keystore, passphrase: string) {
    const secret = scrypt(utf8(passphrase), fromHex(ks.kdf.salt), {
      N: ks.kdf.N,
      r: ks.kdf.r,
      p: ks.kdf.p,
      dkLen: 32,
    });
    return {
      key: hkdf(sha256, secret, undefined, utf8('gpow-keystore v1 encryption'), 32),
      check: hkdf(sha256, secret, undefined, utf8('gpow-keystore v1 passphrase check'), 16),
    };
  }
  const aad = (ks: Keystore) =>
    utf8(
      JSON.stringify([
        ks.format,
        ks.version,
        ks.address,
        ks.kdf.name,
        ks.kdf.N,
        ks.kdf.r,
        ks.kdf.p,
        ks.kdf.salt,
        ks.cipher.name,
        ks.cipher.nonce,
      ]),
    );

  it('decrypts what encryptKeystore wrote, to the canonical payload encoding', async () => {
    const ks = await make(secretPayload);
    const { key, check } = keysFor(ks, PASS);
    expect(toHex(check)).toBe(ks.check);
    const plain = xchacha20poly1305(key, fromHex(ks.cipher.nonce), aad(ks)).decrypt(
      fromHex(ks.ciphertext),
    );
    expect(toHex(plain)).toBe(`02${toHex(SECRET)}`);

    const mk = await make(mnemonicPayload, 'mk');
    const m = keysFor(mk, PASS);
    const mPlain = xchacha20poly1305(m.key, fromHex(mk.cipher.nonce), aad(mk)).decrypt(
      fromHex(mk.ciphertext),
    );
    // "abandon x23 art" is the all-zero 256-bit entropy.
    expect(toHex(mPlain)).toBe(`01${'00'.repeat(32)}`);
  });

  /** A keystore whose ciphertext is `plain`, sealed correctly under `ks`'s header. */
  function reseal(ks: Keystore, plain: Uint8Array): Keystore {
    const { key } = keysFor(ks, PASS);
    return {
      ...ks,
      ciphertext: toHex(xchacha20poly1305(key, fromHex(ks.cipher.nonce), aad(ks)).encrypt(plain)),
    };
  }

  it('an authentic payload that is not a known secret is "malformed"', async () => {
    const ks = await make();
    for (const plain of [
      Uint8Array.of(0x03, ...SECRET), // unknown tag
      Uint8Array.of(0x02, ...SECRET.subarray(1)), // a 31-byte secret key
      Uint8Array.of(0x01, ...new Uint8Array(17)), // 17 bytes is no BIP-39 entropy length
    ]) {
      await expectFailure(decryptKeystore(reseal(ks, plain), PASS), 'malformed', /not a known/);
    }
  });

  it('an authentic keystore whose address is not its key\'s is "malformed"', async () => {
    const ks = await make();
    const other = Uint8Array.of(0x02, ...new Uint8Array(32).fill(7));
    await expectFailure(
      decryptKeystore(reseal(ks, other), PASS),
      'malformed',
      /address does not match the key inside/,
    );
  });
});
