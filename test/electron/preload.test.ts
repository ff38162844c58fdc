import { beforeAll, describe, expect, it, vi } from 'vitest';
import { BRIDGE_METHODS, CHANNELS, type GpowBridge } from '../../shared/bridge/contract.ts';

const electron = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: vi.fn((..._args: unknown[]) => Promise.resolve('answer')),
  sendSync: vi.fn((..._args: unknown[]): unknown => ({ ok: true, value: Uint8Array.of(9) })),
}));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => electron.exposed.set(key, api),
  },
  ipcRenderer: { invoke: electron.invoke, sendSync: electron.sendSync },
}));

let bridge: GpowBridge;
beforeAll(async () => {
  await import('../../electron/preload.ts');
  bridge = electron.exposed.get('gpow') as GpowBridge;
});

describe('the preload bridge', () => {
  it('exposes one object, window.gpow', () => {
    expect([...electron.exposed.keys()]).toEqual(['gpow']);
  });

  it("has exactly the contract's methods, all functions, and nothing else", () => {
    expect(Object.keys(bridge).sort()).toEqual([...BRIDGE_METHODS].sort());
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function');
    expect(bridge).not.toHaveProperty('invoke');
    expect(bridge).not.toHaveProperty('ipcRenderer');
  });

  it('sends each method on its own fixed channel with only its own arguments', async () => {
    const input = { mnemonic: 'words', passphrase: 'pw' };
    await expect(bridge.appInfo()).resolves.toBe('answer');
    await bridge.keystoreStatus();
    await bridge.createKeystore(input);
    await bridge.unlockKeystore({ passphrase: 'pw' });
    await bridge.pendingDeepLink();
    expect(electron.invoke.mock.calls).toEqual([
      [CHANNELS.appInfo],
      [CHANNELS.keystoreStatus],
      [CHANNELS.createKeystore, input],
      [CHANNELS.unlockKeystore, { passphrase: 'pw' }],
      [CHANNELS.pendingDeepLink],
    ]);
  });

  it('sends the new methods on their own channels too', async () => {
    electron.invoke.mockClear();
    const records = [Uint8Array.of(1)];
    await bridge.lock();
    await bridge.unlockRemembered();
    await bridge.forgetRememberedUnlock();
    await bridge.secureStorageStatus();
    await bridge.openLedgerLog({ name: 'gpow-ledger-x' });
    await bridge.appendLedgerLog({ log: 1, records });
    await bridge.startLedgerLogRead({ log: 1 });
    await bridge.readLedgerLogChunk({ read: 2 });
    await bridge.putLedgerMeta({ log: 1, key: 'k', value: Uint8Array.of(2) });
    await bridge.getLedgerMeta({ log: 1, key: 'k' });
    await bridge.closeLedgerLog({ log: 1 });
    await bridge.startLedgerLogRewrite({ log: 1 });
    await bridge.writeLedgerLogRewrite({ log: 1, records });
    await bridge.commitLedgerLogRewrite({ log: 1, total: 1 });
    await bridge.startNetworkServices({ lan: false, networkId: null });
    await bridge.networkServices();
    await bridge.stopNetworkServices();
    await bridge.setAllowedRelays({ relays: [] });
    await bridge.notify('new-job', { count: 2 });
    expect(electron.invoke.mock.calls).toEqual([
      [CHANNELS.lock],
      [CHANNELS.unlockRemembered],
      [CHANNELS.forgetRememberedUnlock],
      [CHANNELS.secureStorageStatus],
      [CHANNELS.openLedgerLog, { name: 'gpow-ledger-x' }],
      [CHANNELS.appendLedgerLog, { log: 1, records }],
      [CHANNELS.startLedgerLogRead, { log: 1 }],
      [CHANNELS.readLedgerLogChunk, { read: 2 }],
      [CHANNELS.putLedgerMeta, { log: 1, key: 'k', value: Uint8Array.of(2) }],
      [CHANNELS.getLedgerMeta, { log: 1, key: 'k' }],
      [CHANNELS.closeLedgerLog, { log: 1 }],
      [CHANNELS.startLedgerLogRewrite, { log: 1 }],
      [CHANNELS.writeLedgerLogRewrite, { log: 1, records }],
      [CHANNELS.commitLedgerLogRewrite, { log: 1, total: 1 }],
      [CHANNELS.startNetworkServices, { lan: false, networkId: null }],
      [CHANNELS.networkServices],
      [CHANNELS.stopNetworkServices],
      [CHANNELS.setAllowedRelays, { relays: [] }],
      [CHANNELS.notify, 'new-job', { count: 2 }],
    ]);
  });

  it('signs synchronously with sendSync, and throws what main refused', () => {
    expect(bridge.signTransaction(Uint8Array.of(0xa0))).toEqual(Uint8Array.of(9));
    expect(electron.sendSync).toHaveBeenLastCalledWith(
      CHANNELS.signTransaction,
      Uint8Array.of(0xa0),
    );
    electron.sendSync.mockReturnValueOnce({
      ok: false,
      message: 'The identity is locked: unlock it to sign.',
    });
    expect(() => bridge.signTransaction(Uint8Array.of(0xa0))).toThrow(
      'The identity is locked: unlock it to sign.',
    );
    electron.sendSync.mockReturnValueOnce(null);
    expect(() => bridge.signTransaction(Uint8Array.of(0xa0))).toThrow(/no answer/u);
    expect(electron.invoke).not.toHaveBeenCalledWith(CHANNELS.signTransaction, expect.anything());
  });

  it('drops extra arguments a page might pass', async () => {
    electron.invoke.mockClear();
    const loose = bridge as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    await loose.appInfo?.('gpow:other-channel', { evil: true });
    await loose.unlockKeystore?.({ passphrase: 'pw' }, 'extra');
    await loose.notify?.('new-job', { count: 1 }, 'extra', 'more');
    await loose.lock?.('gpow:create-keystore');
    expect(electron.invoke.mock.calls).toEqual([
      [CHANNELS.appInfo],
      [CHANNELS.unlockKeystore, { passphrase: 'pw' }],
      [CHANNELS.notify, 'new-job', { count: 1 }],
      [CHANNELS.lock],
    ]);
  });
});
