// The preload script: the only code with a foot on both sides. It runs sandboxed, in its own
// JavaScript world, and exposes window.gpow: the contract's methods, each forwarding its own
// arguments to its own fixed channel. ipcRenderer itself, and any way to name a channel, stay
// here, so the page can call these methods and nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS, type BridgeMethod, type GpowBridge } from '../shared/bridge/contract.ts';

function invoke<K extends BridgeMethod>(
  method: K,
  ...args: Parameters<GpowBridge[K]>
): ReturnType<GpowBridge[K]> {
  return ipcRenderer.invoke(CHANNELS[method], ...args) as ReturnType<GpowBridge[K]>;
}

const bridge = {
  appInfo: () => invoke('appInfo'),
  keystoreStatus: () => invoke('keystoreStatus'),
  createKeystore: (input) => invoke('createKeystore', input),
  unlockKeystore: (input) => invoke('unlockKeystore', input),
  pendingDeepLink: () => invoke('pendingDeepLink'),
} satisfies GpowBridge;

contextBridge.exposeInMainWorld('gpow', bridge);
