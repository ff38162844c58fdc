import { describe, expect, it } from 'vitest';
import { BRIDGE_METHODS } from '../../shared/bridge/contract.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { BROWSER_KEYSTORE_KEY, createBrowserBridge } from '../../renderer/bridge/browserBridge.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { V1_KEYSTORE, V1_PASSPHRASE } from '../identity/v1Keystore.ts';

const PHRASE = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const ADDRESS = encodeAddress(identityFromMnemonic(PHRASE).publicKey);

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

const bridgeWith = (storage = memoryStorage()) => ({
  storage,
  bridge: createBrowserBridge({
    storage,
    random: deterministicRandom('browser'),
    version: '1.2.3',
    scryptN: 2 ** 10,
  }),
});

describe('the browser bridge', () => {
  it('implements every method of the contract', () => {
    expect(Object.keys(bridgeWith().bridge).sort()).toEqual([...BRIDGE_METHODS].sort());
  });

  it('reports itself as the web platform, with no deep links', async () => {
    const { bridge } = bridgeWith();
    await expect(bridge.appInfo()).resolves.toEqual({
      name: 'GPoW',
      version: '1.2.3',
      platform: 'web',
    });
    await expect(bridge.pendingDeepLink()).resolves.toBeNull();
  });

  it('keeps an encrypted keystore in storage, and unlocks it with the passphrase only', async () => {
    const { bridge, storage } = bridgeWith();
    await expect(bridge.keystoreStatus()).resolves.toEqual({ exists: false });
    await expect(bridge.createKeystore({ mnemonic: PHRASE, passphrase: 'pw' })).resolves.toEqual({
      address: ADDRESS,
    });
    const stored = storage.items.get(BROWSER_KEYSTORE_KEY) ?? '';
    expect(JSON.parse(stored)).toMatchObject({ format: 'gpow-keystore', address: ADDRESS });
    expect(stored).not.toContain('legal');
    await expect(bridge.keystoreStatus()).resolves.toEqual({ exists: true, address: ADDRESS });
    await expect(bridge.unlockKeystore({ passphrase: 'nope' })).resolves.toMatchObject({
      ok: false,
      code: 'wrong-passphrase',
    });
    await expect(bridge.unlockKeystore({ passphrase: 'pw' })).resolves.toEqual({
      ok: true,
      address: ADDRESS,
    });
  });

  it('never replaces a keystore', async () => {
    const { bridge, storage } = bridgeWith();
    await bridge.createKeystore({ mnemonic: PHRASE, passphrase: 'pw' });
    const before = storage.items.get(BROWSER_KEYSTORE_KEY);
    await expect(bridge.createKeystore({ mnemonic: PHRASE, passphrase: 'x' })).rejects.toThrow(
      /A keystore already exists in this browser/u,
    );
    expect(storage.items.get(BROWSER_KEYSTORE_KEY)).toBe(before);
  });

  it('checks arguments with the contract schemas, like the desktop app', async () => {
    const { bridge } = bridgeWith();
    const loose = bridge as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    await expect(loose.unlockKeystore?.({ passphrase: '' })).rejects.toThrow(
      /the passphrase must not be empty/u,
    );
    await expect(loose.appInfo?.('extra')).rejects.toThrow(/takes no arguments/u);
    await expect(
      bridge.createKeystore({ mnemonic: 'not a phrase', passphrase: 'pw' }),
    ).rejects.toThrow(/That recovery phrase cannot be used/u);
  });

  it('reports a missing or corrupt keystore without throwing', async () => {
    const { bridge, storage } = bridgeWith();
    await expect(bridge.unlockKeystore({ passphrase: 'pw' })).resolves.toMatchObject({
      ok: false,
      code: 'not-found',
    });
    storage.items.set(BROWSER_KEYSTORE_KEY, '{broken');
    await expect(bridge.keystoreStatus()).resolves.toEqual({ exists: true });
    await expect(bridge.unlockKeystore({ passphrase: 'pw' })).resolves.toMatchObject({
      ok: false,
      code: 'invalid-json',
    });
  });

  it('rewrites a version 1 keystore as version 2 once it unlocks, and it still unlocks', async () => {
    const { bridge, storage } = bridgeWith();
    storage.setItem(BROWSER_KEYSTORE_KEY, JSON.stringify(V1_KEYSTORE));
    await expect(bridge.unlockKeystore({ passphrase: 'wrong' })).resolves.toMatchObject({
      ok: false,
    });
    expect(JSON.parse(storage.getItem(BROWSER_KEYSTORE_KEY)!)).toMatchObject({ version: 1 });
    await expect(bridge.unlockKeystore({ passphrase: V1_PASSPHRASE })).resolves.toMatchObject({
      ok: true,
      address: V1_KEYSTORE.address,
    });
    const upgraded = JSON.parse(storage.getItem(BROWSER_KEYSTORE_KEY)!) as {
      version: number;
      kdf: { N: number };
    };
    expect(upgraded).toMatchObject({ version: 2, kdf: { N: 1024 } });
    await expect(bridge.unlockKeystore({ passphrase: V1_PASSPHRASE })).resolves.toMatchObject({
      ok: true,
      address: V1_KEYSTORE.address,
    });
  });
});
