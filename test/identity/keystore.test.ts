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
import { V1_KEYSTORE } from './v1Keystore.ts';

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

const MODIFIED =
  /^the keystore file has been modified or damaged \(its integrity check fails\); restore it from a backup or from your backup words$/;

/** The format's integrity hash, computed here from its description, not by the module. */
function integrityOf(ks: Omit<Keystore, 'integrity'>): string {
  const fields = [
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
    ks.check,
    ks.ciphertext,
  ];
  return toHex(sha256(utf8(`gpow-keystore v2 integrity\n${JSON.stringify(fields)}`)));
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
      ['address', 'check', 'cipher', 'ciphertext', 'format', 'integrity', 'kdf', 'version'].sort(),
    );
    expect(json).toMatchObject({
      format: 'gpow-keystore',
      version: 2,
      kdf: { name: 'scrypt', N, r: 8, p: 1, salt: ks.kdf.salt },
      cipher: { name: 'xchacha20-poly1305', nonce: ks.cipher.nonce },
    });
    expect(ks.kdf.salt).toMatch(/^[0-9a-f]{64}$/);
    expect(ks.cipher.nonce).toMatch(/^[0-9a-f]{48}$/);
    expect(ks.check).toMatch(/^[0-9a-f]{32}$/);
    // A 33-byte secret-key payload plus the 16-byte tag.
    expect(ks.ciphertext).toMatch(/^[0-9a-f]{98}$/);
    expect(ks.integrity).toMatch(/^[0-9a-f]{64}$/);
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
      integrity: ks.integrity,
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

  it('a flipped ciphertext bit is "tampered", and says the file was modified', async () => {
    const ks = await make();
    for (const byte of [0, 20, fromHex(ks.ciphertext).length - 1]) {
      await expectFailure(
        decryptKeystore({ ...ks, ciphertext: flipHexBit(ks.ciphertext, byte) }, PASS),
        'tampered',
        MODIFIED,
      );
    }
  });

  it('a change to any header field is "tampered", not a wrong passphrase', async () => {
    const ks = await make();
    const other = encodeAddress(identityFromSecret(new Uint8Array(32).fill(1)).publicKey);
    const altered: Array<[string, Record<string, unknown>]> = [
      ['salt', { kdf: { ...ks.kdf, salt: flipHexBit(ks.kdf.salt) } }],
      ['N', { kdf: { ...ks.kdf, N: ks.kdf.N * 2 } }],
      ['r', { kdf: { ...ks.kdf, r: 7 } }],
      ['p', { kdf: { ...ks.kdf, p: 2 } }],
      ['check', { check: flipHexBit(ks.check) }],
      ['nonce', { cipher: { ...ks.cipher, nonce: flipHexBit(ks.cipher.nonce, 5) } }],
      ['address', { address: other }],
      ['integrity', { integrity: flipHexBit(ks.integrity, 31) }],
    ];
    for (const [field, change] of altered) {
      let progressed = false;
      const result = await decryptKeystore({ ...ks, ...change }, PASS, {
        onProgress: () => (progressed = true),
      });
      expect(result.ok ? 'ok' : `${result.code}: ${result.message}`, field).toMatch(
        /^tampered: the keystore file has been modified or damaged/,
      );
      // Refused before any scrypt work, whatever the passphrase.
      expect(progressed, field).toBe(false);
      await expectFailure(decryptKeystore({ ...ks, ...change }, 'not the passphrase'), 'tampered');
    }
  });

  it('a header from another keystore of the same key is "tampered"', async () => {
    const a = await make(secretPayload, 'a');
    const b = await make(secretPayload, 'b');
    // b's cipher header (nonce) with a's ciphertext: every field valid, but not together.
    await expectFailure(decryptKeystore({ ...a, cipher: b.cipher }, PASS), 'tampered', MODIFIED);
    // Even with the integrity hash recomputed, the AEAD still refuses the pair.
    const forged = { ...a, cipher: b.cipher };
    await expectFailure(
      decryptKeystore({ ...forged, integrity: integrityOf(forged) }, PASS),
      'tampered',
      MODIFIED,
    );
  });

  it('a deliberately recomputed hash over changed kdf fields reads as a wrong passphrase', async () => {
    // The documented limit: an unkeyed hash catches damage, not someone who rewrites it on
    // purpose (who could as well replace the file with a keystore under another passphrase).
    const ks = await make();
    const forged = { ...ks, kdf: { ...ks.kdf, salt: flipHexBit(ks.kdf.salt) } };
    await expectFailure(
      decryptKeystore({ ...forged, integrity: integrityOf(forged) }, PASS),
      'wrong-passphrase',
    );
  });
});

const V1_FILE = V1_KEYSTORE;

const withoutIntegrity = (ks: Keystore): Record<string, unknown> =>
  Object.fromEntries(Object.entries(ks).filter(([key]) => key !== 'integrity'));

describe('version 1 keystores (before the integrity hash)', () => {
  it('still open, marked outdated so the caller can rewrite them', async () => {
    expect(await decryptKeystore(V1_FILE, PASS)).toEqual({
      ok: true,
      payload: mnemonicPayload,
      address: V1_FILE.address,
      outdated: true,
    });
    await expectFailure(decryptKeystore(V1_FILE, `${PASS}!`), 'wrong-passphrase');
  });

  it('keep their old guarantees: the AEAD catches a changed ciphertext, nonce or address', async () => {
    const changed = [
      { ciphertext: flipHexBit(V1_FILE.ciphertext, 3) },
      { cipher: { ...V1_FILE.cipher, nonce: flipHexBit(V1_FILE.cipher.nonce, 2) } },
      { address: encodeAddress(identityFromSecret(SECRET).publicKey) },
    ];
    for (const change of changed) {
      await expectFailure(decryptKeystore({ ...V1_FILE, ...change }, PASS), 'tampered', MODIFIED);
    }
  });

  it('a version 2 file passed off as version 1 (hash removed) is "tampered"', async () => {
    const rest = withoutIntegrity(await make());
    await expectFailure(decryptKeystore({ ...rest, version: 1 }, PASS), 'tampered', MODIFIED);
  });

  it('a version 1 file with an integrity field, or a version 2 file without, is malformed', async () => {
    await expectFailure(
      decryptKeystore({ ...V1_FILE, integrity: '00'.repeat(32) }, PASS),
      'malformed',
      /integrity/,
    );
    await expectFailure(
      decryptKeystore(withoutIntegrity(await make()), PASS),
      'malformed',
      /integrity/,
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
      { ...ks, integrity: 'zz'.repeat(32) },
      { ...ks, integrity: 'ab' },
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
    for (const version of [3, 0, '2', null]) {
      await expectFailure(
        decryptKeystore({ ...ks, version }, PASS),
        'unsupported-version',
        /is not supported: this version of GPoW reads versions 1 and 2/,
      );
    }
    // A future version may change every other field: the version is still what is reported.
    await expectFailure(
      decryptKeystore({ format: 'gpow-keystore', version: 3, sealed: 'x' }, PASS),
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

  it('the integrity hash is SHA-256 over a label and every other field, in order', async () => {
    const ks = await make();
    expect(ks.integrity).toBe(integrityOf(ks));
  });

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
    const sealed = {
      ...ks,
      ciphertext: toHex(xchacha20poly1305(key, fromHex(ks.cipher.nonce), aad(ks)).encrypt(plain)),
    };
    return { ...sealed, integrity: integrityOf(sealed) };
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
