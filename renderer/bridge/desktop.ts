// What the desktop app offers the renderer besides the bare bridge: a signer that signs through
// the main process, and durable storage kept by the main process. renderer/main.tsx uses it,
// through renderer/bridge/platform.ts choosePlatform, when window.gpow is the desktop bridge
// (there is no window.gpowWeb).
import {
  parseIdentitiesReport,
  type GpowBridge,
  type IdentitiesReport,
  type UnlockKeystoreResult,
} from '../../shared/bridge/contract.ts';
import { parseAddress } from '../../shared/identity/address.ts';
import { keyHexOf } from '../../shared/ids.ts';
import type { LogStore } from '../../shared/storage/port.ts';
import { BridgeSigner, type SignerSource } from '../runtime/signer.ts';
import { openBridgeLogStore } from './bridgeLogStore.ts';

export interface DesktopPlatform {
  /** The bridge, with unlocking also telling the signer which identity main now holds. */
  readonly bridge: GpowBridge;
  readonly signerSource: SignerSource;
  readonly openLog: (name: string) => Promise<LogStore>;
}

/** Main's list of identities, checked like its other answers: a mismatch fails loudly. */
function checked(
  method: 'listIdentities' | 'removeIdentity',
  answer: IdentitiesReport,
): IdentitiesReport {
  const parsed = parseIdentitiesReport(method, answer);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

export function desktopPlatform(bridge: GpowBridge): DesktopPlatform {
  const signer = new BridgeSigner(bridge);
  const afterUnlock = (result: UnlockKeystoreResult): UnlockKeystoreResult => {
    if (result.ok) {
      const parsed = parseAddress(result.address);
      if (parsed.ok) signer.unlocked(keyHexOf(parsed.publicKey));
    }
    return result;
  };
  // A plain object of functions, as window.gpow is: spreading a contextBridge proxy would work
  // too, but this names every method the renderer may reach.
  const wrapped: GpowBridge = {
    appInfo: () => bridge.appInfo(),
    keystoreStatus: () => bridge.keystoreStatus(),
    createKeystore: (input) => bridge.createKeystore(input),
    unlockKeystore: (input) => bridge.unlockKeystore(input).then(afterUnlock),
    // Only through the signer's device holder, which also tells the signer what main now holds.
    createDeviceKeystore: (input) => bridge.createDeviceKeystore(input),
    pendingDeepLink: () => bridge.pendingDeepLink(),
    listIdentities: () =>
      bridge.listIdentities().then((answer) => checked('listIdentities', answer)),
    addIdentity: (input) => {
      signer.forget();
      return bridge.addIdentity(input);
    },
    // Main locks the identity it held: the signer forgets it too.
    useIdentity: (input) => {
      signer.forget();
      return bridge.useIdentity(input);
    },
    renameIdentity: (input) => bridge.renameIdentity(input),
    removeIdentity: (input) => {
      signer.forget();
      return bridge.removeIdentity(input).then((answer) => checked('removeIdentity', answer));
    },
    signTransaction: (request) => bridge.signTransaction(request),
    openSskBox: (input) => bridge.openSskBox(input),
    signIdentityMessage: (message) => bridge.signIdentityMessage(message),
    proveVrf: (alpha) => bridge.proveVrf(alpha),
    lock: () => {
      signer.forget();
      return bridge.lock();
    },
    unlockRemembered: () => bridge.unlockRemembered().then(afterUnlock),
    forgetRememberedUnlock: () => bridge.forgetRememberedUnlock(),
    secureStorageStatus: () => bridge.secureStorageStatus(),
    openLedgerLog: (input) => bridge.openLedgerLog(input),
    appendLedgerLog: (input) => bridge.appendLedgerLog(input),
    startLedgerLogRead: (input) => bridge.startLedgerLogRead(input),
    readLedgerLogChunk: (input) => bridge.readLedgerLogChunk(input),
    putLedgerMeta: (input) => bridge.putLedgerMeta(input),
    getLedgerMeta: (input) => bridge.getLedgerMeta(input),
    closeLedgerLog: (input) => bridge.closeLedgerLog(input),
    startLedgerLogRewrite: (input) => bridge.startLedgerLogRewrite(input),
    writeLedgerLogRewrite: (input) => bridge.writeLedgerLogRewrite(input),
    commitLedgerLogRewrite: (input) => bridge.commitLedgerLogRewrite(input),
    startNetworkServices: (input) => bridge.startNetworkServices(input),
    networkServices: () => bridge.networkServices(),
    stopNetworkServices: () => bridge.stopNetworkServices(),
    setAllowedRelays: (input) => bridge.setAllowedRelays(input),
    notify: (...args) => bridge.notify(...args),
  };
  return {
    bridge: wrapped,
    signerSource: signer,
    openLog: (name) => openBridgeLogStore(bridge, name),
  };
}
