// The preload script: the only code with a foot on both sides. It runs sandboxed, in its own
// JavaScript world, and exposes window.gpow: the contract's methods, each forwarding its own
// arguments to its own fixed channel. ipcRenderer itself, and any way to name a channel, stay
// here, so the page can call these methods and nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import {
  CHANNELS,
  type AsyncBridgeMethod,
  type GpowBridge,
  type NotifyArguments,
  type SyncBridgeMethod,
  type SyncReply,
} from '../shared/bridge/contract.ts';

function invoke<K extends AsyncBridgeMethod>(
  method: K,
  ...args: Parameters<GpowBridge[K]>
): ReturnType<GpowBridge[K]> {
  return ipcRenderer.invoke(CHANNELS[method], ...args) as ReturnType<GpowBridge[K]>;
}

/** sendSync for the synchronous methods; main answers with a SyncReply, never a throw. */
function invokeSync<K extends SyncBridgeMethod>(
  method: K,
  ...args: Parameters<GpowBridge[K]>
): ReturnType<GpowBridge[K]> {
  const reply = ipcRenderer.sendSync(CHANNELS[method], ...args) as SyncReply<
    ReturnType<GpowBridge[K]>
  > | null;
  if (reply === null || typeof reply !== 'object') {
    throw new Error(`GPoW got no answer to ${method} from the main process.`);
  }
  if (!reply.ok) throw new Error(reply.message);
  return reply.value;
}

const bridge = {
  appInfo: () => invoke('appInfo'),
  keystoreStatus: () => invoke('keystoreStatus'),
  createKeystore: (input) => invoke('createKeystore', input),
  unlockKeystore: (input) => invoke('unlockKeystore', input),
  createDeviceKeystore: (input) => invoke('createDeviceKeystore', input),
  pendingDeepLink: () => invoke('pendingDeepLink'),
  listIdentities: () => invoke('listIdentities'),
  addIdentity: (input) => invoke('addIdentity', input),
  useIdentity: (input) => invoke('useIdentity', input),
  renameIdentity: (input) => invoke('renameIdentity', input),
  removeIdentity: (input) => invoke('removeIdentity', input),

  signTransaction: (request) => invokeSync('signTransaction', request),
  openSskBox: (input) => invokeSync('openSskBox', input),
  signIdentityMessage: (message) => invokeSync('signIdentityMessage', message),
  proveVrf: (alpha) => invokeSync('proveVrf', alpha),
  lock: () => invoke('lock'),
  unlockRemembered: () => invoke('unlockRemembered'),
  forgetRememberedUnlock: () => invoke('forgetRememberedUnlock'),
  secureStorageStatus: () => invoke('secureStorageStatus'),

  openLedgerLog: (input) => invoke('openLedgerLog', input),
  appendLedgerLog: (input) => invoke('appendLedgerLog', input),
  startLedgerLogRead: (input) => invoke('startLedgerLogRead', input),
  readLedgerLogChunk: (input) => invoke('readLedgerLogChunk', input),
  putLedgerMeta: (input) => invoke('putLedgerMeta', input),
  getLedgerMeta: (input) => invoke('getLedgerMeta', input),
  closeLedgerLog: (input) => invoke('closeLedgerLog', input),
  startLedgerLogRewrite: (input) => invoke('startLedgerLogRewrite', input),
  writeLedgerLogRewrite: (input) => invoke('writeLedgerLogRewrite', input),
  commitLedgerLogRewrite: (input) => invoke('commitLedgerLogRewrite', input),

  startNetworkServices: (input) => invoke('startNetworkServices', input),
  networkServices: () => invoke('networkServices'),
  stopNetworkServices: () => invoke('stopNetworkServices'),
  setAllowedRelays: (input) => invoke('setAllowedRelays', input),

  // Exactly two arguments go on, whatever the page passes; main checks that they match.
  notify: (kind, params) => invoke('notify', ...([kind, params] as NotifyArguments)),
} satisfies GpowBridge;

contextBridge.exposeInMainWorld('gpow', bridge);
