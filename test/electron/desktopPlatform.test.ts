// The renderer's side of the desktop platform: desktopPlatform() (signer and storage over the
// bridge) and what the browser bridge does with the desktop-only methods.
import { describe, expect, it, vi } from 'vitest';
import { BRIDGE_METHODS, type GpowBridge } from '../../shared/bridge/contract.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { createBrowserBridge } from '../../renderer/bridge/browserBridge.ts';
import { desktopPlatform } from '../../renderer/bridge/desktop.ts';
import { nodeRandom } from '../../node/platform/nodeRandom.ts';

vi.mock('electron', () => ({}));

const PUBLIC = new Uint8Array(32).fill(7);
const ADDRESS = encodeAddress(PUBLIC);

function fakeBridge() {
  const bridge = Object.fromEntries(
    BRIDGE_METHODS.map((method) => [method, vi.fn(() => Promise.resolve(`${method} answer`))]),
  ) as unknown as Record<keyof GpowBridge, ReturnType<typeof vi.fn>>;
  bridge.unlockKeystore.mockResolvedValue({ ok: true, address: ADDRESS });
  bridge.unlockRemembered.mockResolvedValue({ ok: true, address: ADDRESS });
  bridge.signTransaction.mockReturnValue(Uint8Array.of(1));
  bridge.lock.mockResolvedValue(undefined);
  return bridge;
}

describe('desktopPlatform', () => {
  it('passes every method through, with the same names', async () => {
    const bridge = fakeBridge();
    const platform = desktopPlatform(bridge as unknown as GpowBridge);
    expect(Object.keys(platform.bridge).sort()).toEqual([...BRIDGE_METHODS].sort());
    await platform.bridge.networkServices();
    await platform.bridge.notify('new-job', { count: 1 });
    expect(bridge.networkServices).toHaveBeenCalledOnce();
    expect(bridge.notify).toHaveBeenCalledWith('new-job', { count: 1 });
  });

  it('has a signer only after an unlock, for the unlocked identity', async () => {
    const bridge = fakeBridge();
    const platform = desktopPlatform(bridge as unknown as GpowBridge);
    expect(platform.signerSource.signer()).toBeNull();
    bridge.unlockKeystore.mockResolvedValueOnce({
      ok: false,
      code: 'wrong-passphrase',
      message: '',
    });
    await platform.bridge.unlockKeystore({ passphrase: 'nope' });
    expect(platform.signerSource.signer()).toBeNull();
    await platform.bridge.unlockKeystore({ passphrase: 'pw' });
    expect(platform.signerSource.signer()?.key).toBe(keyHexOf(PUBLIC));
    await platform.bridge.lock();
    expect(bridge.lock).toHaveBeenCalledOnce();
    expect(platform.signerSource.signer()).toBeNull();
    await platform.bridge.unlockRemembered();
    expect(platform.signerSource.signer()?.key).toBe(keyHexOf(PUBLIC));
  });
});

describe('desktopPlatform and the key manager', () => {
  it('forgets the signer when main switches or removes the identity, and checks main’s list', async () => {
    const bridge = fakeBridge();
    const list = { current: 0, identities: [{ slot: 0, name: 'main', address: ADDRESS }] };
    bridge.listIdentities.mockResolvedValue(list);
    bridge.useIdentity.mockResolvedValue(undefined);
    bridge.removeIdentity.mockResolvedValue(list);
    const platform = desktopPlatform(bridge as unknown as GpowBridge);
    await expect(platform.bridge.listIdentities()).resolves.toEqual(list);
    await platform.bridge.unlockKeystore({ passphrase: 'pw' });
    expect(platform.signerSource.signer()).not.toBeNull();
    await platform.bridge.useIdentity({ slot: 1 });
    expect(platform.signerSource.signer()).toBeNull();
    await platform.bridge.unlockKeystore({ passphrase: 'pw' });
    await expect(platform.bridge.removeIdentity({ slot: 1 })).resolves.toEqual(list);
    expect(platform.signerSource.signer()).toBeNull();
    // An answer out of step with the contract fails loudly instead of reaching the store.
    bridge.listIdentities.mockResolvedValue({ ...list, extra: true });
    await expect(platform.bridge.listIdentities()).rejects.toThrow(
      'invalid answer to listIdentities',
    );
    bridge.listIdentities.mockResolvedValue({ current: -1, identities: [] });
    await expect(platform.bridge.listIdentities()).rejects.toThrow(
      'invalid answer to listIdentities (current)',
    );
  });
});

describe('the browser bridge, for desktop-only methods', () => {
  const storage = () => {
    const map = new Map<string, string>();
    return {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    };
  };

  it('refuses what only the desktop can do, clearly', async () => {
    const bridge = createBrowserBridge({ storage: storage(), random: nodeRandom, version: '0' });
    expect(() => bridge.signTransaction(Uint8Array.of(0xa0))).toThrow(
      /only available in the desktop app/u,
    );
    // VRF proofs are made in the page, by the in-page vault's signer.
    expect(() => bridge.proveVrf(Uint8Array.of(1))).toThrow(/only available in the desktop app/u);
    await expect(bridge.openLedgerLog({ name: 'x' })).rejects.toThrow(
      /only available in the desktop/u,
    );
    await expect(bridge.startNetworkServices({ lan: false, networkId: null })).rejects.toThrow(
      /only available in the desktop/u,
    );
    await expect(bridge.secureStorageStatus()).resolves.toEqual({
      available: false,
      backend: 'none',
      weak: true,
      remembered: false,
    });
    await expect(bridge.unlockRemembered()).resolves.toMatchObject({
      ok: false,
      code: 'not-found',
    });
    await expect(bridge.notify('new-job', { count: 1 })).resolves.toEqual({ shown: false });
    await expect(bridge.setAllowedRelays({ relays: [] })).resolves.toEqual({
      reloadRequired: false,
    });
  });

  it('checks arguments as main does', async () => {
    const bridge = createBrowserBridge({ storage: storage(), random: nodeRandom, version: '0' });
    const loose = bridge as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    await expect(loose.notify?.('custom', { body: '<b>x</b>' })).rejects.toThrow(
      /invalid arguments to notify/u,
    );
    expect(() => (bridge.signTransaction as (...a: unknown[]) => unknown)('text')).toThrow(
      /invalid arguments to signTransaction/u,
    );
    expect(() => bridge.proveVrf(new Uint8Array(257))).toThrow(
      /invalid arguments to proveVrf \(argument 0\): the VRF input is at most 256 bytes/u,
    );
  });

  it('locks the in-page vault', async () => {
    const vault = { hold: vi.fn(), lock: vi.fn() };
    const bridge = createBrowserBridge({
      storage: storage(),
      random: nodeRandom,
      version: '0',
      vault,
    });
    await bridge.lock();
    expect(vault.lock).toHaveBeenCalledOnce();
  });
});
