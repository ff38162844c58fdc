import { beforeAll, describe, expect, it, vi } from 'vitest';
import { BRIDGE_METHODS, CHANNELS, type GpowBridge } from '../../shared/bridge/contract.ts';

const electron = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: vi.fn((..._args: unknown[]) => Promise.resolve('answer')),
}));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => electron.exposed.set(key, api),
  },
  ipcRenderer: { invoke: electron.invoke },
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

  it('drops extra arguments a page might pass', async () => {
    electron.invoke.mockClear();
    const loose = bridge as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    await loose.appInfo?.('gpow:other-channel', { evil: true });
    await loose.unlockKeystore?.({ passphrase: 'pw' }, 'extra');
    expect(electron.invoke.mock.calls).toEqual([
      [CHANNELS.appInfo],
      [CHANNELS.unlockKeystore, { passphrase: 'pw' }],
    ]);
  });
});
