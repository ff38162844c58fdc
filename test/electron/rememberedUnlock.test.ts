// safeStorage, mocked: which backends count as protection, and the remembered passphrase's file.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createRememberedUnlock,
  secureStorageBackend,
  type SafeStorageLike,
} from '../../electron/rememberedUnlock.ts';

vi.mock('electron', () => ({}));

type Backend = ReturnType<SafeStorageLike['getSelectedStorageBackend']>;

function safeStorage(backend: Backend, available = true) {
  return {
    isEncryptionAvailable: vi.fn(() => available),
    getSelectedStorageBackend: vi.fn(() => backend),
    encryptString: vi.fn((text: string) =>
      Buffer.concat([Buffer.from('v11'), Buffer.from(text).reverse()]),
    ),
    decryptString: vi.fn((sealed: Buffer) => {
      if (!sealed.subarray(0, 3).equals(Buffer.from('v11'))) {
        throw new Error(
          'Error while decrypting the ciphertext provided to safeStorage.decryptString.',
        );
      }
      return Buffer.from(sealed.subarray(3)).reverse().toString();
    }),
  } satisfies SafeStorageLike;
}

describe('secureStorageBackend', () => {
  it.each<[Backend, boolean]>([
    ['gnome_libsecret', false],
    ['kwallet', false],
    ['kwallet5', false],
    ['kwallet6', false],
    ['basic_text', true],
    ['unknown', true],
  ])('on Linux, %s is weak: %s', (backend, weak) => {
    expect(secureStorageBackend(safeStorage(backend), 'linux')).toEqual({
      available: true,
      backend,
      weak,
    });
  });

  it('asks for the Linux backend only on Linux', () => {
    const mac = safeStorage('basic_text');
    expect(secureStorageBackend(mac, 'darwin')).toEqual({
      available: true,
      backend: 'keychain',
      weak: false,
    });
    expect(secureStorageBackend(safeStorage('basic_text'), 'win32')).toMatchObject({
      backend: 'dpapi',
      weak: false,
    });
    expect(mac.getSelectedStorageBackend).not.toHaveBeenCalled();
  });

  it('counts no encryption at all as weak, everywhere', () => {
    expect(secureStorageBackend(safeStorage('gnome_libsecret', false), 'linux').weak).toBe(true);
    expect(secureStorageBackend(safeStorage('gnome_libsecret', false), 'darwin').weak).toBe(true);
    const throwing = {
      ...safeStorage('gnome_libsecret'),
      isEncryptionAvailable: () => {
        throw new Error('not ready');
      },
    };
    expect(secureStorageBackend(throwing, 'linux')).toMatchObject({ available: false, weak: true });
  });
});

describe('the remembered passphrase', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpow-remember-'));
    path = join(dir, 'remembered-unlock.bin');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is stored encrypted, readable by this user only, and comes back', async () => {
    const storage = safeStorage('kwallet6');
    const remembered = createRememberedUnlock({ safeStorage: storage, platform: 'linux', path });
    await expect(remembered.remember('hunter2 hunter2')).resolves.toEqual({ ok: true });
    const onDisk = await readFile(path);
    expect(onDisk.toString()).not.toContain('hunter2');
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await remembered.status()).toEqual({
      available: true,
      backend: 'kwallet6',
      weak: false,
      remembered: true,
    });
    await expect(remembered.recall()).resolves.toBe('hunter2 hunter2');
    await remembered.forget();
    await remembered.forget(); // twice is harmless
    await expect(remembered.recall()).resolves.toBeNull();
  });

  it('is refused on basic_text and where nothing encrypts, writing nothing', async () => {
    for (const storage of [safeStorage('basic_text'), safeStorage('gnome_libsecret', false)]) {
      const remembered = createRememberedUnlock({ safeStorage: storage, platform: 'linux', path });
      const outcome = await remembered.remember('hunter2');
      expect(outcome.ok).toBe(false);
      expect(storage.encryptString).not.toHaveBeenCalled();
      expect((await remembered.status()).remembered).toBe(false);
    }
    const basic = createRememberedUnlock({
      safeStorage: safeStorage('basic_text'),
      platform: 'linux',
      path,
    });
    const refused = await basic.remember('x');
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason).toMatch(/backend basic_text.*keyring/u);
  });

  it('is forgotten when it no longer decrypts', async () => {
    const warn = vi.fn();
    await writeFile(path, 'not sealed by this keychain');
    const remembered = createRememberedUnlock({
      safeStorage: safeStorage('gnome_libsecret'),
      platform: 'linux',
      path,
      onWarning: warn,
    });
    await expect(remembered.recall()).resolves.toBeNull();
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/could not be decrypted.*forgotten/u));
    await expect(stat(path)).rejects.toThrow(/ENOENT/u);
  });

  it('ignores a file far too large to be one', async () => {
    const warn = vi.fn();
    await writeFile(path, Buffer.alloc(100_000));
    const storage = safeStorage('gnome_libsecret');
    const remembered = createRememberedUnlock({
      safeStorage: storage,
      platform: 'linux',
      path,
      onWarning: warn,
    });
    await expect(remembered.recall()).resolves.toBeNull();
    expect(storage.decryptString).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalled();
  });
});
