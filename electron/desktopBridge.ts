// The desktop implementation of the bridge: each contract method mapped onto the main-process
// service that does the work. electron/ipc.ts has already checked the sender and parsed the
// arguments by the time any of these runs.
import type { AppInfo, GpowBridge, NotifyArguments } from '../shared/bridge/contract.ts';
import type { AllowedRelays } from './allowedRelays.ts';
import type { DeepLinkInbox } from './deepLink.ts';
import type { IdentityVaults } from './identityVaults.ts';
import type { LedgerLogs } from './ledgerLogs.ts';
import type { NetworkServices } from './networkServices.ts';
import type { RememberedUnlock } from './rememberedUnlock.ts';

export interface DesktopBridgeDeps {
  appInfo(): AppInfo;
  /** The current identity's vault, and the list of them (identityVaults.ts). */
  vault: IdentityVaults;
  remembered: Pick<RememberedUnlock, 'status'>;
  logs: LedgerLogs;
  network: NetworkServices;
  allowedRelays: Pick<AllowedRelays, 'set'>;
  deepLinks: Pick<DeepLinkInbox, 'take'>;
  notify(...args: NotifyArguments): { shown: boolean };
}

/** Runs `work` so that a throw becomes a rejection, as a Promise-returning method should. */
const settle = <T>(work: () => T): Promise<T> => new Promise((resolve) => resolve(work()));

export function createDesktopBridge(deps: DesktopBridgeDeps): GpowBridge {
  const { vault, logs, network } = deps;
  return {
    appInfo: () => settle(() => deps.appInfo()),
    keystoreStatus: () => vault.status(),
    createKeystore: (input) => vault.create(input),
    unlockKeystore: (input) => vault.unlock(input),
    createDeviceKeystore: (input) => vault.createDevice(input),
    pendingDeepLink: () => settle(() => deps.deepLinks.take()),
    listIdentities: () => vault.list(),
    addIdentity: (input) => vault.add(input),
    useIdentity: (input) => vault.use(input.slot),
    renameIdentity: (input) => vault.rename(input.slot, input.name),
    removeIdentity: (input) => vault.remove(input.slot),

    signTransaction: (request) => vault.sign(request),
    openSskBox: (input) => vault.openSskBox(input),
    signIdentityMessage: (message) => vault.signIdentityMessage(message),
    proveVrf: (alpha) => vault.proveVrf(alpha),
    lock: () => settle(() => vault.lock()),
    unlockRemembered: () => vault.unlockRemembered(),
    forgetRememberedUnlock: () => vault.forgetRemembered(),
    secureStorageStatus: () => deps.remembered.status(),

    openLedgerLog: (input) => logs.open(input),
    appendLedgerLog: (input) => logs.append(input),
    startLedgerLogRead: (input) => logs.startRead(input),
    readLedgerLogChunk: (input) => settle(() => logs.readChunk(input)),
    putLedgerMeta: (input) => logs.putMeta(input),
    getLedgerMeta: (input) => logs.getMeta(input),
    closeLedgerLog: (input) => logs.close(input),
    startLedgerLogRewrite: (input) => settle(() => logs.startRewrite(input)),
    writeLedgerLogRewrite: (input) => settle(() => logs.writeRewrite(input)),
    commitLedgerLogRewrite: (input) => logs.commitRewrite(input),

    startNetworkServices: (input) => network.start(input),
    networkServices: () => settle(() => network.report()),
    stopNetworkServices: () => network.stop(),
    setAllowedRelays: (input) => deps.allowedRelays.set(input.relays),

    notify: (...args) => settle(() => deps.notify(...args)),
  } satisfies GpowBridge;
}
