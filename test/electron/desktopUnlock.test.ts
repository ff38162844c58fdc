// Remembering the passphrase, end to end below the screens: the app store over main's real bridge,
// identity vault and remembered-unlock file, with Electron's safeStorage faked (a keyring, or
// Linux's basic_text that protects nothing). The store asks to remember only when told, never
// unlocks by itself at boot, explains a failed remembered unlock, and forgets on request.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRememberedUnlock, type SafeStorageLike } from '../../electron/rememberedUnlock.ts';
import { choosePlatform } from '../../renderer/bridge/platform.ts';
import { createAppStore } from '../../renderer/state/appStore.ts';
import { UserError } from '../../renderer/state/errors.ts';
import { unlockMemoryOf } from '../../renderer/state/unlockMemory.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { memoryStorage, NO_WEBRTC, PHRASE } from '../renderer/fixtures.ts';
import { cleanMainBridges, mainBridge, userDataDir } from './mainBridge.ts';

vi.mock('electron', () => ({}));

afterEach(cleanMainBridges);

type Backend = ReturnType<SafeStorageLike['getSelectedStorageBackend']>;

/** safeStorage with a reversible stand-in for the keyring's encryption. */
function fakeSafeStorage(backend: Backend): SafeStorageLike {
  return {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => backend,
    encryptString: (text) => Buffer.concat([Buffer.from('v11'), Buffer.from(text).reverse()]),
    decryptString: (sealed) => Buffer.from(sealed.subarray(3)).reverse().toString(),
  };
}

/** Main's side in a temporary userData; each call to `page()` is a fresh renderer (a reload). */
async function desktop(backend: Backend) {
  const dir = await userDataDir('desktop-unlock');
  const rememberedPath = join(dir, 'remembered-unlock.bin');
  const remembered = createRememberedUnlock({
    safeStorage: fakeSafeStorage(backend),
    platform: 'linux',
    path: rememberedPath,
    onWarning: () => undefined,
  });
  const { main, vault } = mainBridge(dir, remembered);
  const spies = {
    unlockKeystore: vi.spyOn(main, 'unlockKeystore'),
    unlockRemembered: vi.spyOn(main, 'unlockRemembered'),
  };
  const storage = memoryStorage();
  const page = () => {
    const platform = choosePlatform({ gpow: main }, () => Promise.reject(new Error('no IDB')));
    return createAppStore({
      bridge: platform.bridge,
      signerSource: platform.signerSource,
      storage,
      openLog: platform.openLog,
      wrtc: NO_WEBRTC,
      random: deterministicRandom('desktop-unlock'),
      clock: { now: () => 1_800_000_000_000 },
    });
  };
  const exists = () =>
    stat(rememberedPath).then(
      () => true,
      () => false,
    );
  return { main, vault, remembered, spies, page, exists };
}

describe('remembering the passphrase in the desktop app', () => {
  it('remembers when asked, stays locked at the next start, and unlocks with it on request', async () => {
    const app = await desktop('gnome_libsecret');
    const first = app.page();
    await first.getState().boot();
    expect(first.getState().secureStorage).toEqual({
      available: true,
      backend: 'gnome_libsecret',
      weak: false,
      remembered: false,
    });
    expect(unlockMemoryOf(first.getState().appInfo, first.getState().secureStorage)).toEqual({
      kind: 'available',
      backend: 'gnome_libsecret',
      remembered: false,
    });
    await first.getState().createIdentity(PHRASE, 'correct horse');
    // Creating unlocks without remembering anything.
    expect(app.spies.unlockKeystore).toHaveBeenLastCalledWith({ passphrase: 'correct horse' });
    expect(await app.exists()).toBe(false);
    await first.getState().lock();

    await first.getState().unlock('correct horse', { remember: true });
    expect(app.spies.unlockKeystore).toHaveBeenLastCalledWith({
      passphrase: 'correct horse',
      remember: true,
    });
    expect(first.getState().phase.kind).toBe('unlocked');
    expect(first.getState().rememberFailed).toBe(false);
    expect(first.getState().secureStorage?.remembered).toBe(true);
    expect(await app.exists()).toBe(true);

    // The tray's Lock: main forgets the key and the window reloads.
    await app.main.lock();
    const second = app.page();
    await second.getState().boot();
    expect(second.getState().phase.kind).toBe('locked');
    expect(second.getState().secureStorage?.remembered).toBe(true);
    expect(app.vault.unlockedAddress()).toBeNull();
    expect(app.spies.unlockRemembered).not.toHaveBeenCalled();

    await second.getState().unlockRemembered();
    expect(app.spies.unlockRemembered).toHaveBeenCalledOnce();
    expect(second.getState().phase.kind).toBe('unlocked');
    expect(second.getState().canSign).toBe(true);
    expect(app.vault.unlockedAddress()).toBe(second.getState().address);
  });

  it('says why the saved passphrase failed, and that there is none any more', async () => {
    const app = await desktop('kwallet6');
    const store = app.page();
    await store.getState().boot();
    await store.getState().createIdentity(PHRASE, 'correct horse');
    await store.getState().lock();
    // Nothing saved: a sentence, not a crash, and still locked.
    await expect(store.getState().unlockRemembered()).rejects.toEqual(
      new UserError('unlock.remembered.error.not-found'),
    );
    expect(store.getState().phase.kind).toBe('locked');

    // A saved passphrase that no longer opens the keystore (it was changed elsewhere).
    expect(await app.remembered.remember('an old passphrase')).toEqual({ ok: true });
    const reloaded = app.page();
    await reloaded.getState().boot();
    expect(reloaded.getState().secureStorage?.remembered).toBe(true);
    await expect(reloaded.getState().unlockRemembered()).rejects.toEqual(
      new UserError('unlock.remembered.error.wrong-passphrase'),
    );
    expect(reloaded.getState().phase.kind).toBe('locked');
    // Main forgot it, and the store knows: the button goes, the passphrase field stays.
    expect(await app.exists()).toBe(false);
    expect(reloaded.getState().secureStorage?.remembered).toBe(false);
    // Typing the passphrase still works.
    await reloaded.getState().unlock('correct horse');
    expect(reloaded.getState().phase.kind).toBe('unlocked');
  });

  it('forgets the saved passphrase on request', async () => {
    const app = await desktop('gnome_libsecret');
    const store = app.page();
    await store.getState().boot();
    await store.getState().createIdentity(PHRASE, 'correct horse');
    await store.getState().lock();
    await store.getState().unlock('correct horse', { remember: true });
    expect(await app.exists()).toBe(true);
    await store.getState().forgetRememberedUnlock();
    expect(await app.exists()).toBe(false);
    expect(store.getState().secureStorage?.remembered).toBe(false);
    await store.getState().lock();
    await expect(store.getState().unlockRemembered()).rejects.toEqual(
      new UserError('unlock.remembered.error.not-found'),
    );
  });

  it('a restore from words on the lock screen replaces the identity and forgets the saved passphrase', async () => {
    const other = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
    const app = await desktop('gnome_libsecret');
    const store = app.page();
    await store.getState().boot();
    await store.getState().createIdentity(PHRASE, 'correct horse');
    const before = store.getState().address;
    await store.getState().lock();
    await store.getState().unlock('correct horse', { remember: true });
    await store.getState().lock();
    expect(await app.exists()).toBe(true);
    // Without being asked to, a keystore is never replaced.
    await expect(store.getState().createIdentity(other, 'new passphrase')).rejects.toThrow(
      /already exists/u,
    );
    await store.getState().createIdentity(other, 'new passphrase', { replace: true });
    expect(store.getState().phase.kind).toBe('unlocked');
    expect(store.getState().address).not.toBe(before);
    expect(app.vault.unlockedAddress()).toBe(store.getState().address);
    // The saved passphrase opened the replaced keystore: it is gone with it.
    expect(await app.exists()).toBe(false);
    expect(store.getState().secureStorage?.remembered).toBe(false);
  });

  it('on Linux without a keyring (basic_text), reports weak storage and remembers nothing', async () => {
    const app = await desktop('basic_text');
    const store = app.page();
    await store.getState().boot();
    expect(store.getState().secureStorage).toMatchObject({ backend: 'basic_text', weak: true });
    expect(unlockMemoryOf(store.getState().appInfo, store.getState().secureStorage)).toEqual({
      kind: 'weak',
      backend: 'basic_text',
      remembered: false,
    });
    await store.getState().createIdentity(PHRASE, 'correct horse');
    await store.getState().lock();
    // Even when asked (the screen does not offer it here), main refuses, and the store says so.
    await store.getState().unlock('correct horse', { remember: true });
    expect(store.getState().phase.kind).toBe('unlocked');
    expect(store.getState().rememberFailed).toBe(true);
    expect(store.getState().secureStorage?.remembered).toBe(false);
    expect(await app.exists()).toBe(false);
  });
});
