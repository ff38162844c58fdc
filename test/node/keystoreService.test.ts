import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeystoreService } from '../../node/keystoreService.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { V1_KEYSTORE, V1_PASSPHRASE } from '../identity/v1Keystore.ts';

const PHRASE =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const ADDRESS = encodeAddress(identityFromMnemonic(PHRASE).publicKey);

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-service-'));
  path = join(dir, 'userData', 'keystore.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const service = () =>
  createKeystoreService({ path, random: deterministicRandom('service'), scryptN: 2 ** 10 });

describe('keystore service', () => {
  it('reports no keystore, then creates one and reports its address', async () => {
    const keystore = service();
    await expect(keystore.status()).resolves.toEqual({ exists: false });
    await expect(keystore.create({ mnemonic: PHRASE, passphrase: 'pw' })).resolves.toEqual({
      address: ADDRESS,
    });
    await expect(keystore.status()).resolves.toEqual({ exists: true, address: ADDRESS });
  });

  it('normalises the phrase, and never writes it in the clear', async () => {
    const keystore = service();
    await keystore.create({ mnemonic: `  ${PHRASE.toUpperCase()}\n`, passphrase: 'pw' });
    const text = await readFile(path, 'utf8');
    expect(text).not.toMatch(/abandon/iu);
    await expect(keystore.unlock({ passphrase: 'pw' })).resolves.toEqual({
      ok: true,
      address: ADDRESS,
    });
  });

  it('refuses an invalid phrase with the reason, and writes nothing', async () => {
    await expect(
      service().create({ mnemonic: 'abandon abandon abandon', passphrase: 'pw' }),
    ).rejects.toThrow(/^That recovery phrase cannot be used: a recovery phrase has 12, 15/u);
    await expect(service().status()).resolves.toEqual({ exists: false });
  });

  it('never replaces an existing keystore', async () => {
    await service().create({ mnemonic: PHRASE, passphrase: 'pw' });
    const before = await readFile(path, 'utf8');
    await expect(service().create({ mnemonic: PHRASE, passphrase: 'other' })).rejects.toThrow(
      /A keystore already exists on this computer; it was left as it is/u,
    );
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('replaces the keystore only when asked (restoring from words on the lock screen)', async () => {
    const other = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
    const keystore = service();
    await keystore.create({ mnemonic: PHRASE, passphrase: 'old' });
    await keystore.unlock({ passphrase: 'old' });
    const otherAddress = encodeAddress(identityFromMnemonic(other).publicKey);
    await expect(
      keystore.create({ mnemonic: other, passphrase: 'new', replace: true }),
    ).resolves.toEqual({ address: otherAddress });
    // The key held unlocked was the replaced keystore's.
    expect(keystore.unlockedAddress()).toBeNull();
    await expect(keystore.status()).resolves.toEqual({ exists: true, address: otherAddress });
    await expect(keystore.unlock({ passphrase: 'old' })).resolves.toMatchObject({ ok: false });
    await expect(keystore.unlock({ passphrase: 'new' })).resolves.toEqual({
      ok: true,
      address: otherAddress,
    });
  });

  it('unlocks with the right passphrase only, and can lock again', async () => {
    const keystore = service();
    await keystore.create({ mnemonic: PHRASE, passphrase: 'right' });
    await expect(keystore.unlock({ passphrase: 'wrong' })).resolves.toMatchObject({
      ok: false,
      code: 'wrong-passphrase',
    });
    expect(keystore.unlockedAddress()).toBeNull();
    const result = await keystore.unlock({ passphrase: 'right' });
    expect(result).toEqual({ ok: true, address: ADDRESS });
    // The result carries the address and nothing secret.
    expect(Object.keys(result).sort()).toEqual(['address', 'ok']);
    expect(keystore.unlockedAddress()).toBe(ADDRESS);
    keystore.lock();
    expect(keystore.unlockedAddress()).toBeNull();
  });

  it('says why a missing or broken keystore cannot be unlocked', async () => {
    await expect(service().unlock({ passphrase: 'pw' })).resolves.toMatchObject({
      ok: false,
      code: 'not-found',
    });
    await mkdir(join(dir, 'userData'), { recursive: true });
    await writeFile(path, 'not json');
    await expect(service().unlock({ passphrase: 'pw' })).resolves.toMatchObject({
      ok: false,
      code: 'invalid-json',
    });
    await expect(service().status()).resolves.toEqual({ exists: true });
  });

  it('shows no address for a file whose address is not one', async () => {
    await mkdir(join(dir, 'userData'), { recursive: true });
    await writeFile(path, JSON.stringify({ address: 'gpow1notanaddress' }));
    await expect(service().status()).resolves.toEqual({ exists: true });
    await writeFile(path, JSON.stringify({ address: { nested: true } }));
    await expect(service().status()).resolves.toEqual({ exists: true });
  });

  it('upgrades a version 1 keystore to version 2 when it unlocks', async () => {
    await mkdir(join(dir, 'userData'), { recursive: true });
    await writeFile(path, JSON.stringify(V1_KEYSTORE));
    await expect(service().unlock({ passphrase: 'wrong' })).resolves.toMatchObject({
      code: 'wrong-passphrase',
    });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(V1_KEYSTORE);
    await expect(service().unlock({ passphrase: V1_PASSPHRASE })).resolves.toEqual({
      ok: true,
      address: V1_KEYSTORE.address,
    });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({
      version: 2,
      address: V1_KEYSTORE.address,
    });
    await expect(service().unlock({ passphrase: V1_PASSPHRASE })).resolves.toMatchObject({
      ok: true,
    });
  });
});
