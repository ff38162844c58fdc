import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../shared/bytes.ts';
import { encryptKeystore, type Keystore } from '../../shared/identity/keystore.ts';
import { loadKeystoreFile, saveKeystoreFile } from '../../node/keystoreFile.ts';
import { nodeRandom } from '../../node/platform/nodeRandom.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { V1_KEYSTORE, V1_MNEMONIC, V1_PASSPHRASE } from '../identity/v1Keystore.ts';

const PASS = 'file passphrase';
const SECRET = new Uint8Array(32).fill(0x11);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-keystore-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const makeKeystore = (label = 'file'): Promise<Keystore> =>
  encryptKeystore({ kind: 'secret-key', secretKey: SECRET }, PASS, deterministicRandom(label), {
    N: 2 ** 10,
  });

/** Contents and modification time, to prove a file was not touched. */
async function snapshot(path: string): Promise<{ bytes: string; mtimeMs: number; ino: number }> {
  const info = await stat(path);
  return { bytes: toHex(await readFile(path)), mtimeMs: info.mtimeMs, ino: info.ino };
}

describe('saveKeystoreFile', () => {
  it('writes JSON that loads back, with mode 0600 and no temporary files left', async () => {
    const ks = await makeKeystore();
    const path = join(dir, 'identity.json');
    await saveKeystoreFile(path, ks);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(ks);
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['identity.json']);
    const loaded = await loadKeystoreFile(path, PASS);
    expect(loaded.ok && loaded.payload).toEqual({ kind: 'secret-key', secretKey: SECRET });
  });

  it('refuses to replace an existing file unless told to', async () => {
    const path = join(dir, 'identity.json');
    const first = await makeKeystore('first');
    const second = await makeKeystore('second');
    await saveKeystoreFile(path, first);
    const before = await snapshot(path);

    await expect(saveKeystoreFile(path, second)).rejects.toThrow(
      /refusing to replace the existing keystore .*identity\.json: pass \{ overwrite: true \}/,
    );
    expect(await snapshot(path)).toEqual(before);
    expect(await readdir(dir)).toEqual(['identity.json']);

    await saveKeystoreFile(path, second, { overwrite: true });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(second);
    expect(await readdir(dir)).toEqual(['identity.json']);
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuses to replace even a non-keystore file', async () => {
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'precious');
    await expect(saveKeystoreFile(path, await makeKeystore())).rejects.toThrow(/refusing/);
    expect(await readFile(path, 'utf8')).toBe('precious');
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(
      saveKeystoreFile(join(dir, 'missing', 'identity.json'), await makeKeystore()),
    ).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('loadKeystoreFile', () => {
  it('a missing file', async () => {
    const result = await loadKeystoreFile(join(dir, 'nope.json'), PASS);
    expect(result).toEqual({
      ok: false,
      code: 'not-found',
      message: `no keystore file at ${join(dir, 'nope.json')}`,
    });
  });

  it('invalid JSON', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{"format": "gpow-keystore",');
    const result = await loadKeystoreFile(path, PASS);
    expect(result.ok ? 'ok' : result.code).toBe('invalid-json');
    expect(result.ok ? '' : result.message).toMatch(/broken\.json is not valid JSON/);
  });

  it('a directory, or a file far too large to be a keystore', async () => {
    const sub = join(dir, 'sub');
    await mkdir(sub);
    const asDir = await loadKeystoreFile(sub, PASS);
    expect(asDir.ok ? 'ok' : asDir.code).toBe('unreadable');

    const big = join(dir, 'big.json');
    await writeFile(big, ' '.repeat(100_000));
    const asBig = await loadKeystoreFile(big, PASS);
    expect(asBig.ok ? 'ok' : asBig.message).toMatch(/too large to be a keystore/);
  });

  it('valid JSON that is not a keystore is "malformed"', async () => {
    const path = join(dir, 'other.json');
    await writeFile(path, '{"hello": "world"}');
    const result = await loadKeystoreFile(path, PASS);
    expect(result.ok ? 'ok' : result.code).toBe('malformed');
  });

  it('never modifies a file it fails to open: tampered, wrong passphrase, or newer version', async () => {
    const ks = await makeKeystore();
    const bytes = fromHex(ks.ciphertext);
    bytes[3] = (bytes[3] as number) ^ 0x80;
    const cases = [
      {
        name: 'tampered.json',
        content: { ...ks, ciphertext: toHex(bytes) },
        pass: PASS,
        code: 'tampered',
      },
      { name: 'wrong-pass.json', content: ks, pass: 'not it', code: 'wrong-passphrase' },
      {
        name: 'salt.json',
        content: { ...ks, kdf: { ...ks.kdf, salt: `${ks.kdf.salt.slice(0, -1)}0` } },
        pass: PASS,
        code: 'tampered',
      },
      {
        name: 'future.json',
        content: { ...ks, version: 3 },
        pass: PASS,
        code: 'unsupported-version',
      },
    ];
    for (const c of cases) {
      const path = join(dir, c.name);
      await writeFile(path, JSON.stringify(c.content), { mode: 0o600 });
      const before = await snapshot(path);
      // Even when asked to upgrade: a file that does not open is never rewritten.
      const result = await loadKeystoreFile(path, c.pass, { upgradeWith: nodeRandom });
      expect(result.ok ? 'ok' : result.code, c.name).toBe(c.code);
      expect(await snapshot(path)).toEqual(before);
    }
    expect((await readdir(dir)).sort()).toEqual(cases.map((c) => c.name).sort());
  });

  it('passes scrypt progress through', async () => {
    const path = join(dir, 'identity.json');
    await saveKeystoreFile(path, await makeKeystore());
    let last = 0;
    const result = await loadKeystoreFile(path, PASS, { onProgress: (f) => (last = f) });
    expect(result.ok).toBe(true);
    expect(last).toBe(1);
  });

  describe('a version 1 file (before the integrity hash)', () => {
    const V1 = V1_KEYSTORE;
    const PASS_V1 = V1_PASSPHRASE;
    const MNEMONIC = V1_MNEMONIC;

    it('opens as it is, and is left alone without upgradeWith', async () => {
      const path = join(dir, 'identity.json');
      await writeFile(path, JSON.stringify(V1), { mode: 0o600 });
      const before = await snapshot(path);
      const result = await loadKeystoreFile(path, PASS_V1);
      expect(result).toEqual({
        ok: true,
        payload: { kind: 'mnemonic', mnemonic: MNEMONIC },
        address: V1.address,
        outdated: true,
      });
      expect(await snapshot(path)).toEqual(before);
    });

    it('is rewritten as version 2 after it opens with upgradeWith, same key and cost', async () => {
      const path = join(dir, 'identity.json');
      await writeFile(path, JSON.stringify(V1), { mode: 0o600 });
      const result = await loadKeystoreFile(path, PASS_V1, { upgradeWith: nodeRandom });
      expect(result).toEqual({
        ok: true,
        payload: { kind: 'mnemonic', mnemonic: MNEMONIC },
        address: V1.address,
      });
      const rewritten = JSON.parse(await readFile(path, 'utf8')) as Keystore;
      expect(rewritten).toMatchObject({ version: 2, address: V1.address, kdf: { N: 1024 } });
      expect(rewritten.kdf.salt).not.toBe(V1.kdf.salt);
      if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect(await readdir(dir)).toEqual(['identity.json']);
      // The same passphrase opens it, and a changed salt is now reported as a modification.
      expect((await loadKeystoreFile(path, PASS_V1)).ok).toBe(true);
      await writeFile(
        path,
        JSON.stringify({ ...rewritten, kdf: { ...rewritten.kdf, salt: '00'.repeat(32) } }),
      );
      const altered = await loadKeystoreFile(path, PASS_V1);
      expect(altered.ok ? 'ok' : altered.code).toBe('tampered');
    });

    it('is not rewritten when the passphrase is wrong', async () => {
      const path = join(dir, 'identity.json');
      await writeFile(path, JSON.stringify(V1), { mode: 0o600 });
      const before = await snapshot(path);
      const result = await loadKeystoreFile(path, 'not it', { upgradeWith: nodeRandom });
      expect(result.ok ? 'ok' : result.code).toBe('wrong-passphrase');
      expect(await snapshot(path)).toEqual(before);
    });
  });
});
