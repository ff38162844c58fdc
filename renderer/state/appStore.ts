// The UI's state, in one zustand store: where the app is (onboarding, locked, unlocked), the
// settings, the address book, the network and the runtime's status. Screens read it through
// selectors and act through its actions; the ledger itself stays in the runtime, and the store
// only counts its changes (ledgerVersion) so that views recompute when it moves.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppInfo, GpowBridge, SecureStorageStatus } from '../../shared/bridge/contract.ts';
import { fromHex, toHex } from '../../shared/bytes.ts';
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';
import { parseAddress, type Address } from '../../shared/identity/address.ts';
import { generateMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf, type KeyHex, type NetworkId } from '../../shared/ids.ts';
import { generateJoinSecret, MAX_RELAYS, type Invitation } from '../../shared/net/invitation.ts';
import { formatPairingLink, parsePairingLink } from '../../shared/net/pairing.ts';
import type { ClockPort, RandomPort } from '../../shared/ports.ts';
import type { WrtcLike } from '../../shared/replication/guardedWrtc.ts';
import type { LogStore } from '../../shared/storage/port.ts';
import { pairingCertified } from '../../engine/devices.ts';
import { foundNetwork } from '../../engine/genesis.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { webAdmit as admit, webVerifier } from '../platform/webVerify.ts';
import {
  messageOf,
  NetworkRuntime,
  type DeviceSetup,
  type IceServer,
  type RuntimeNotice,
  type RuntimeStatus,
} from '../runtime/networkRuntime.ts';
import type { SignerSource } from '../runtime/signer.ts';
import { backgroundWork } from '../runtime/backgroundWork.ts';
import { Market, type MarketEvent } from '../../engine/market/market.ts';
import { metaReveals } from '../platform/metaReveals.ts';
import { createNotificationTracker, notablesOf } from '../runtime/notifications.ts';
import type { SskSession } from '../../engine/ssk.ts';
import type { WorkRunner } from '../runtime/work.ts';
import { draftSlice, type DraftSlice } from './drafts.ts';
import type { ListableStorage } from './identityScope.ts';
import { keyManagerSlice, type KeyManagerSlice } from './keyManager.ts';
import { forgetNetwork } from './networks.ts';
import { seenSlice, type SeenSlice } from './seen.ts';
import { UserError } from './errors.ts';
import { keptTickets, ticketActions, type TicketActions } from './tickets.ts';
import { signBlock } from './signedMessages.ts';
import { refoundActions, saveFollowed, type RefoundActions } from './refound.ts';
import type { Workspace } from '../../shared/wallet/workspaceSchema.ts';
import {
  loadBackupNote,
  makeBackup,
  restoreWorkspace,
  saveBackupNote,
  type BackupNote,
  type MadeBackup,
} from './workspace.ts';
import {
  loadContacts,
  loadNetwork,
  loadSettings,
  MAX_CONTACTS,
  MAX_LABEL_LENGTH,
  saveContacts,
  saveNetwork,
  saveSettings,
  saveTickets,
  type Contact,
  type KeyValueStorage,
  type AutomatedService,
  type Settings,
} from './persisted.ts';

/** What the store needs from the platform; tests pass in-memory stand-ins. */
export interface AppDeps {
  readonly bridge: GpowBridge | null;
  /** Where signing happens once unlocked (the in-page vault in browser mode), if anywhere. */
  readonly signerSource: SignerSource | null;
  readonly storage: KeyValueStorage;
  readonly openLog: (name: string) => Promise<LogStore>;
  /** The platform's WebRTC, or null where there is none. */
  readonly wrtc: WrtcLike | null;
  readonly random: RandomPort;
  readonly clock: ClockPort;
  readonly voteDelayMs?: number;
  /** Transactions between two checkpoints (engine/timing.ts's default when absent). */
  readonly checkpointEvery?: number;
  /**
   * Takes a lock held across this browser's tabs (Web Locks): its release function, or null
   * when another tab holds it. Two tabs running the same identity would both sign at the same
   * place in its chain: an equivocation, which freezes the identity for good.
   */
  readonly exclusive?: (name: string) => Promise<(() => void) | null>;
  /** Where pow and compute work runs; Web Workers by default. */
  readonly work?: WorkRunner;
  /**
   * Whether the user is away from the page now (it is hidden or not focused): native
   * notifications go out only then. Without it, the store asks for none.
   */
  readonly away?: () => boolean;
  /** How long news may gather before the notification check looks (ms). */
  readonly notifyDelayMs?: number;
  /**
   * The whole web storage when `storage` is one identity's part of it (identityScope.ts): a
   * removed identity's keys are cleared from it. Absent: nothing beyond `storage` is touched.
   */
  readonly rootStorage?: ListableStorage;
  /** Opens the page again, for another identity (keyManager.ts); absent: nothing happens. */
  readonly reload?: () => void;
}

export type Phase =
  | { readonly kind: 'starting' }
  | { readonly kind: 'no-bridge' }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'onboarding' }
  | { readonly kind: 'locked'; readonly address: string | null }
  | { readonly kind: 'unlocked' };

/** Something the ledger or a peer did that the explorer lists (bounded). */
export interface Problem {
  readonly at: number;
  readonly notice: RuntimeNotice;
}

/** A market event the screens list (bounded), with when this page saw it. */
export interface MarketNotice {
  readonly at: number;
  readonly event: MarketEvent;
}

export interface GenesisInput {
  readonly name: string;
  readonly witnesses: readonly KeyHex[];
  readonly allocations: ReadonlyArray<readonly [KeyHex, bigint]>;
  readonly creditLimit: bigint;
  /** What the money is called (shared/tx/genesis.ts unitSchema); absent: "units". */
  readonly unit?: string;
  /** Each author's writing budget (docs/protocol.md §15); absent: DEFAULT_BUDGET. */
  readonly budget?: { readonly every: number; readonly burst: number };
}

export interface UnlockOptions {
  /** Desktop: keep the passphrase encrypted by the operating system for the next unlock. */
  readonly remember?: boolean;
}

export interface AppState
  extends TicketActions, RefoundActions, DraftSlice, SeenSlice, KeyManagerSlice {
  readonly phase: Phase;
  readonly appInfo: AppInfo | null;
  /**
   * How the operating system can protect a remembered passphrase, and whether one is (desktop);
   * browser mode reports none. Null until booted, or when the bridge could not say.
   */
  readonly secureStorage: SecureStorageStatus | null;
  /** The last unlock asked to remember the passphrase, and it was not remembered. */
  readonly rememberFailed: boolean;
  readonly address: Address | null;
  readonly key: KeyHex | null;
  readonly canSign: boolean;
  readonly settings: Settings;
  readonly contacts: readonly Contact[];
  readonly network: Invitation | null;
  readonly runtime: NetworkRuntime | null;
  readonly status: RuntimeStatus | null;
  /** Goes up whenever the runtime reports a change; views recompute from the ledger then. */
  readonly ledgerVersion: number;
  /** Why the network could not start, if it could not. */
  readonly networkError: unknown;
  readonly problems: readonly Problem[];
  /** The service market, once the network is known and the identity can sign. */
  readonly market: Market | null;
  /** Shared keys and private channels, on the same conditions. */
  readonly ssk: SskSession | null;
  readonly marketNotices: readonly MarketNotice[];
  /**
   * This profile is a device of an identity, paired from a link without the words (docs/
   * protocol.md §12): the identity and the device's name. Null on an identity's own chain.
   */
  readonly device: DeviceSetup | null;
  /**
   * Whether this profile can become a device of another identity (browser mode; the desktop app
   * keeps its own identity in main for now). Pairing others and revoking work everywhere.
   */
  readonly devicesHere: boolean;
  /** Goes up whenever the single-use and time-limited invitations change (made, used, withdrawn). */
  readonly ticketsVersion: number;
  /** When this profile last saved a workspace backup (docs/keys.md), or null. */
  readonly backupNote: BackupNote | null;

  readonly boot: () => Promise<void>;
  /** A fresh 24-word recovery phrase from the platform's randomness. */
  readonly newMnemonic: () => string;
  /** `count` distinct indices below `max`, ascending: which backup words to ask back. */
  readonly randomIndices: (count: number, max: number) => number[];
  /** A gpow: link the app was opened with, once (the desktop app's deep links), or null. */
  readonly takePendingInvitation: () => Promise<string | null>;
  /**
   * Saves the identity of `mnemonic` under `passphrase` and unlocks it. `replace` puts it in
   * place of the identity kept here: restoring from words on the lock screen. `workspace`, from
   * a backup the words opened (workspace.ts), is put in place first: network, contacts, chats.
   */
  readonly createIdentity: (
    mnemonic: string,
    passphrase: string,
    options?: { readonly replace?: boolean; readonly workspace?: Workspace },
  ) => Promise<void>;
  /** Seals this profile's workspace into a backup file's bytes (docs/keys.md). */
  readonly makeBackup: () => Promise<MadeBackup>;
  /** Remembers that a backup was saved: when, and what it held. */
  readonly noteBackupSaved: (note: BackupNote) => void;
  /**
   * Makes this profile a new device of the identity a gpow:pair? link names: checks the link and
   * its certificate, has the platform make a device key under `passphrase`, keeps the network
   * and the pairing, and unlocks. Nothing is saved when the link is refused.
   */
  readonly pairThisDevice: (link: string, passphrase: string) => Promise<void>;
  /** A gpow:pair? link for a new device of this identity (needs the words on this device). */
  readonly pairingLink: (name: string, allowance: bigint) => string;
  /** Closes a lost device's chain; what it held goes back to the identity (engine/devices.ts). */
  readonly revokeDevice: (key: KeyHex) => Promise<VerifiedTx>;
  readonly unlock: (passphrase: string, options?: UnlockOptions) => Promise<void>;
  /** Unlocks with the passphrase main remembered (desktop); never done without being asked. */
  readonly unlockRemembered: () => Promise<void>;
  /** Deletes the remembered passphrase. */
  readonly forgetRememberedUnlock: () => Promise<void>;
  readonly lock: () => Promise<void>;
  /** Signs a text as the unlocked identity: the block of docs/keys.md (signedMessages.ts). */
  readonly signMessageBlock: (text: string) => string;
  readonly createNetwork: (input: GenesisInput) => Promise<void>;
  readonly joinNetwork: (invitation: Invitation) => Promise<void>;
  readonly leaveNetwork: () => Promise<void>;
  readonly send: (to: KeyHex, amount: bigint, memo?: Uint8Array) => Promise<VerifiedTx>;
  readonly setOnline: (online: boolean) => Promise<void>;
  readonly updateSettings: (patch: Partial<Settings>) => Promise<void>;
  readonly saveContact: (contact: Contact) => void;
  readonly removeContact: (address: string) => void;
  /** Switches the market automation (providing pow/compute, validating) on or off. */
  readonly setAutomation: (automation: {
    readonly provide: readonly AutomatedService[];
    readonly validate: boolean;
  }) => void;
}

export type AppStore = StoreApi<AppState>;

const MAX_PROBLEMS = 200;
const MAX_MARKET_NOTICES = 100;
const CHANGE_INTERVAL_MS = 100;
/** News that arrives within this long of the first goes out in one notification per kind. */
const NOTIFY_DELAY_MS = 1_500;

/** The relays a network connects through: this browser's, then those its invitation named. */
export function connectionRelays(settings: Settings, network: Invitation | null): string[] {
  return [...new Set([...settings.relays, ...(network?.relays ?? [])])];
}

/** The bridge's secure storage status, or null when it cannot say (it throws or rejects). */
const secureStorageOf = (bridge: GpowBridge): Promise<SecureStorageStatus | null> =>
  Promise.resolve()
    .then(() => bridge.secureStorageStatus())
    .catch(() => null);

export function logNameOf(networkId: string): string {
  return `gpow-ledger-${networkId}`;
}

/** The log of a network's replication doc, kept across reloads (engine/replica.ts). */
export function replicaNameOf(networkId: string): string {
  return `gpow-replica-${networkId}`;
}

/** The log of a network's chat history, encrypted (engine/chatStore.ts). */
export function chatsNameOf(networkId: string): string {
  return `gpow-chats-${networkId}`;
}

/** One running network per browser profile: see AppDeps.exclusive. */
export const RUNTIME_LOCK = 'gpow-runtime';

export function createAppStore(deps: AppDeps): AppStore {
  let booted = false;
  /** The running network's chat log, for the backup to read (null when none runs). */
  let keptChats: LogStore | null = null;
  let releaseLock: (() => void) | null = null;
  let stopNotifications: (() => void) | null = null;

  return createStore<AppState>()((set, get) => {
    const requireSigner = () => {
      const signer = deps.signerSource?.signer() ?? null;
      if (signer === null) throw new UserError('error.cannotSign');
      return signer;
    };

    const addProblem = (notice: RuntimeNotice) =>
      set((state) => ({
        problems: [{ at: deps.clock.now(), notice }, ...state.problems].slice(0, MAX_PROBLEMS),
      }));

    const startRuntime = async (network: Invitation, initial: readonly VerifiedTx[] = []) => {
      try {
        await openRuntime(network, initial);
      } catch (error) {
        set({ networkError: error });
        throw error;
      }
    };

    const openRuntime = async (network: Invitation, initial: readonly VerifiedTx[]) => {
      if (deps.wrtc === null) throw new UserError('error.noWebrtc');
      if (releaseLock === null && deps.exclusive !== undefined) {
        releaseLock = await deps.exclusive(RUNTIME_LOCK);
        if (releaseLock === null) throw new UserError('error.otherTab');
      }
      const { settings, device } = get();
      const store = await deps.openLog(logNameOf(network.networkId));
      const replica = await deps.openLog(replicaNameOf(network.networkId)).catch(async (error) => {
        await store.close();
        throw error;
      });
      // Chats are not worth refusing to start over: without their log they live in memory.
      const chats = await deps.openLog(chatsNameOf(network.networkId)).catch((error: unknown) => {
        addProblem({
          kind: 'warning',
          message: `The chat history cannot be kept: ${messageOf(error)}`,
        });
        return undefined;
      });
      const { report, ...tickets } = keptTickets({
        storage: deps.storage,
        networkId: network.networkId,
        current: () => get().runtime === runtime,
        changed: () => set((state) => ({ ticketsVersion: state.ticketsVersion + 1 })),
        warn: (notice) => addProblem(notice),
      });
      const runtime = new NetworkRuntime({
        networkId: network.networkId as NetworkId,
        secret: network.secret,
        relays: connectionRelays(settings, network),
        iceServers: settings.iceServers,
        store,
        replica,
        ...(chats ? { chats } : {}),
        wrtc: deps.wrtc,
        signer: deps.signerSource?.signer() ?? null,
        ...(device !== null ? { device } : {}),
        clock: deps.clock,
        ...(deps.voteDelayMs !== undefined ? { voteDelayMs: deps.voteDelayMs } : {}),
        ...(deps.checkpointEvery !== undefined ? { checkpointEvery: deps.checkpointEvery } : {}),
        ...tickets,
        onChange: () => {
          if (get().runtime !== runtime) return;
          set((state) => ({ status: runtime.status(), ledgerVersion: state.ledgerVersion + 1 }));
        },
        onSecret: (secret) => {
          if (get().runtime !== runtime) return;
          saveNetwork(deps.storage, { ...network, secret });
          // Invitations made from now on carry the new secret.
          set((state) => (state.network ? { network: { ...state.network, secret } } : {}));
        },
        onNotice: (notice) => {
          if (get().runtime === runtime) addProblem(notice);
        },
      });
      set({ runtime, status: runtime.status(), networkError: null });
      keptChats = chats ?? null;
      report();
      try {
        await runtime.open(initial);
      } catch (error) {
        set({ runtime: null, status: null });
        await runtime.close().catch(() => undefined);
        throw error;
      }
      set((state) => ({ status: runtime.status(), ledgerVersion: state.ledgerVersion + 1 }));
      void runtime.ready().then(() => {
        attachMarket(runtime);
        watchNotifications(runtime);
      });
    };

    /**
     * Native notifications (desktop) for what arrives while the user is away: the ledger as it
     * stands now is the baseline, then each batch of accepted transactions is looked at once
     * (runtime/notifications.ts decides).
     */
    const watchNotifications = (runtime: NetworkRuntime) => {
      const { bridge, away } = deps;
      const { key: me, appInfo } = get();
      const ledger = runtime.ledger;
      if (bridge === null || away === undefined || me === null || ledger === null) return;
      // Browser mode shows no native notifications: nothing to work out.
      if (appInfo === null || appInfo.platform === 'web' || get().runtime !== runtime) return;
      const tracker = createNotificationTracker({ startedAt: deps.clock.now() });
      const look = () => {
        const notables = notablesOf(ledger, me, {
          now: deps.clock.now(),
          automaticVerdicts: get().settings.validate,
        });
        for (const args of tracker.observe(notables, away())) {
          // Refused or rate-limited by main ({ shown: false }), or failed: nothing to do.
          void bridge.notify(...args).catch(() => undefined);
        }
      };
      look();
      let timer: ReturnType<typeof setTimeout> | null = null;
      const unsubscribe = ledger.onAccepted(() => {
        if (timer !== null) return;
        timer = setTimeout(() => {
          timer = null;
          if (get().runtime === runtime) look();
        }, deps.notifyDelayMs ?? NOTIFY_DELAY_MS);
      });
      stopNotifications?.();
      stopNotifications = () => {
        unsubscribe();
        if (timer !== null) clearTimeout(timer);
      };
    };

    /** The market and SSK need the ledger and a signer; they follow the runtime's life. */
    const attachMarket = (runtime: NetworkRuntime) => {
      const signer = deps.signerSource?.signer() ?? null;
      const ledger = runtime.ledger;
      if (get().runtime !== runtime || signer === null || ledger === null) return;
      // Progress arrives every few milliseconds during work: screens hear of it at most every
      // CHANGE_INTERVAL_MS, like the runtime's own changes.
      let pending: ReturnType<typeof setTimeout> | null = null;
      const changed = () => {
        if (pending !== null) return;
        pending = setTimeout(() => {
          pending = null;
          if (get().runtime !== runtime) return;
          set((state) => ({ ledgerVersion: state.ledgerVersion + 1 }));
        }, CHANGE_INTERVAL_MS);
      };
      const ssk = runtime.ssk;
      const { settings } = get();
      const market = new Market(
        runtime,
        {
          clock: deps.clock,
          random: deps.random,
          timers: runtime.ports.timers,
          work: deps.work ?? backgroundWork(),
          reveals: metaReveals(runtime.ports.store),
        },
        {
          automation: { provide: settings.provide, validate: settings.validate },
          onChange: changed,
          onEvent: (event) => {
            if (get().runtime !== runtime) return;
            set((state) => ({
              marketNotices: [{ at: deps.clock.now(), event }, ...state.marketNotices].slice(
                0,
                MAX_MARKET_NOTICES,
              ),
            }));
          },
        },
      );
      set({ market, ssk });
      void market.start();
    };

    const stopRuntime = async () => {
      const { runtime, market } = get();
      stopNotifications?.();
      stopNotifications = null;
      keptChats = null;
      void market?.close();
      set({
        runtime: null,
        status: null,
        problems: [],
        networkError: null,
        market: null,
        ssk: null,
        marketNotices: [],
      });
      await runtime?.close();
      releaseLock?.();
      releaseLock = null;
    };

    const afterUnlock = async (address: string) => {
      const parsed = parseAddress(address);
      if (!parsed.ok) throw new UserError('error.badKeystoreAddress');
      const network = loadNetwork(deps.storage);
      const key = keyHexOf(parsed.publicKey);
      // A device paired from a link: its key signs its own chain, and nothing for the identity.
      const stored = loadDevice(deps.storage);
      const device =
        stored !== null && stored.key === key && deps.signerSource?.devices?.holdAsDevice(key)
          ? stored.setup
          : null;
      set({
        phase: { kind: 'unlocked' },
        address: parsed.address,
        key,
        canSign: (deps.signerSource?.signer() ?? null) !== null,
        network,
        device,
      });
      if (network) {
        // The wallet still opens when the network cannot start: the screen says why.
        await startRuntime(network).catch(() => undefined);
      }
    };

    /** Asks main again how a remembered passphrase stands; null when it cannot say. */
    const refreshSecureStorage = async (bridge: GpowBridge) => {
      set({ secureStorage: await secureStorageOf(bridge) });
    };

    return {
      phase: { kind: 'starting' },
      appInfo: null,
      secureStorage: null,
      rememberFailed: false,
      address: null,
      key: null,
      canSign: false,
      settings: loadSettings(deps.storage),
      contacts: loadContacts(deps.storage),
      network: null,
      runtime: null,
      status: null,
      ledgerVersion: 0,
      networkError: null,
      problems: [],
      market: null,
      ssk: null,
      marketNotices: [],
      device: null,
      devicesHere: deps.signerSource?.devices !== undefined,
      ticketsVersion: 0,
      backupNote: loadBackupNote(deps.storage),
      ...ticketActions({
        clock: deps.clock,
        random: deps.random,
        wrtc: deps.wrtc,
        current: () => {
          const { runtime, network, settings, key } = get();
          const relays = connectionRelays(settings, network);
          return { runtime, network, relays, iceServers: settings.iceServers, key };
        },
        changed: () => set((state) => ({ ticketsVersion: state.ticketsVersion + 1 })),
        joinNetwork: (invitation) => get().joinNetwork(invitation),
      }),
      ...refoundActions({
        storage: deps.storage,
        now: () => deps.clock.now(),
        current: () => get(),
        stop: stopRuntime,
        start: (network) => startRuntime(network),
        setNetwork: (network) => set({ network }),
        saveNetwork: (network) => saveNetwork(deps.storage, network),
        setFollowed: (followed) => set({ followed }),
      }),
      ...draftSlice((update) => set(update)),
      ...keyManagerSlice({
        bridge: deps.bridge,
        storage: deps.storage,
        ...(deps.rootStorage ? { rootStorage: deps.rootStorage } : {}),
        reload: deps.reload ?? (() => undefined),
        network: () => get().network,
        stop: stopRuntime,
        start: (network) => startRuntime(network),
        setNetwork: (network) => set({ network }),
        set: (update) => set(update),
        get,
      }),
      ...seenSlice(
        deps.storage,
        () => get().seen,
        (update) => set(update),
      ),

      async boot() {
        if (booted) return;
        booted = true;
        const { bridge } = deps;
        if (bridge === null) {
          set({ phase: { kind: 'no-bridge' } });
          return;
        }
        try {
          const [appInfo, keystore, secureStorage] = await Promise.all([
            bridge.appInfo(),
            bridge.keystoreStatus(),
            // Only a convenience hangs on it: the app starts without it.
            secureStorageOf(bridge),
          ]);
          set({
            appInfo,
            secureStorage,
            phase: keystore.exists
              ? { kind: 'locked', address: keystore.address ?? null }
              : { kind: 'onboarding' },
          });
        } catch (error) {
          set({ phase: { kind: 'failed', error } });
        }
      },

      newMnemonic() {
        return generateMnemonic(deps.random);
      },

      randomIndices(count, max) {
        const chosen = new Set<number>();
        while (chosen.size < Math.min(count, max)) {
          const [a = 0, b = 0] = deps.random.bytes(2);
          // 65536 is a multiple of neither 24 nor most word counts: reject the uneven tail.
          const value = a * 256 + b;
          if (value < 65536 - (65536 % max)) chosen.add(value % max);
        }
        return [...chosen].sort((x, y) => x - y);
      },

      async takePendingInvitation() {
        return (await deps.bridge?.pendingDeepLink()) ?? null;
      },

      async createIdentity(mnemonic, passphrase, options = {}) {
        const bridge = deps.bridge;
        if (bridge === null) throw new UserError('error.noBridge');
        const replace = options.replace === true;
        await bridge.createKeystore({ mnemonic, passphrase, ...(replace ? { replace } : {}) });
        // Main forgot the passphrase saved for the keystore replaced: Settings must not offer it.
        if (replace) await refreshSecureStorage(bridge);
        if (options.workspace) {
          // In place before the unlock, which starts the network it names.
          const restored = await restoreWorkspace(options.workspace, deps.storage, (id) =>
            deps.openLog(chatsNameOf(id)),
          );
          set({ settings: restored.settings, contacts: restored.contacts });
        }
        await get().unlock(passphrase);
      },

      async makeBackup() {
        const { key, device, settings, contacts, network, runtime } = get();
        if (key === null) throw new UserError('error.cannotSign');
        // The running network's chat log as it stands; when none runs, its log opened for this.
        const own =
          runtime === null && network !== null
            ? await deps.openLog(chatsNameOf(network.networkId)).catch(() => null)
            : null;
        try {
          // A paired device seals to its identity: the words that restore it open the file.
          return await makeBackup(
            {
              key: device?.account ?? key,
              settings,
              contacts,
              network,
              chats: own ?? (runtime !== null ? keptChats : null),
            },
            deps.random,
            deps.clock,
          );
        } finally {
          await own?.close();
        }
      },

      noteBackupSaved(note) {
        saveBackupNote(deps.storage, note);
        set({ backupNote: { savedAt: note.savedAt, digest: note.digest } });
      },

      async pairThisDevice(text, passphrase) {
        const bridge = deps.bridge;
        if (bridge === null) throw new UserError('error.noBridge');
        const parsed = parsePairingLink(text);
        if (!parsed.ok) throw new UserError('pairThis.error.link', { detail: parsed.error });
        const { link } = parsed;
        const holder = deps.signerSource?.devices;
        if (holder === undefined) throw new UserError('devices.desktop');
        const current = loadNetwork(deps.storage);
        if (current !== null && current.networkId !== link.invitation.networkId) {
          throw new UserError('pairThis.error.otherNetwork', {
            name: current.name ?? current.networkId,
          });
        }
        if ((await bridge.keystoreStatus()).exists) throw new UserError('pairThis.error.exists');
        // The certificate is checked before anything is saved, as "gpow device join" does.
        const networkId = link.invitation.networkId as NetworkId;
        const pairing = keyHexOf(publicKeyOf(link.secret));
        if (!(await pairingCertified(link, webVerifier)))
          throw new UserError('pairThis.error.cert');
        const made = await holder
          .createDeviceKey({
            networkId,
            pairingSecret: link.secret,
            passphrase,
            storage: deps.storage,
          })
          .finally(() => link.secret.fill(0));
        saveDevice(deps.storage, {
          key: made.key,
          setup: {
            account: link.account,
            name: link.name,
            pairing: {
              key: pairing,
              proof: made.proof,
              cert: link.cert,
              allowance: link.allowance,
            },
          },
        });
        saveNetwork(deps.storage, link.invitation);
        await afterUnlock(made.address);
      },

      pairingLink(name, allowance) {
        const { runtime, network, settings } = get();
        if (runtime === null || network === null) throw new UserError('error.noNetwork');
        const grant = runtime.devices.createPairing(name.trim(), allowance);
        try {
          const relays = connectionRelays(settings, network).slice(0, MAX_RELAYS);
          return formatPairingLink({ invitation: { ...network, relays }, ...grant });
        } finally {
          grant.secret.fill(0);
        }
      },

      async revokeDevice(key) {
        const runtime = get().runtime;
        if (runtime === null) throw new UserError('error.noNetwork');
        return runtime.devices.revoke(key);
      },

      async unlock(passphrase, options = {}) {
        const bridge = deps.bridge;
        if (bridge === null) throw new UserError('error.noBridge');
        const remember = options.remember === true;
        const result = await bridge.unlockKeystore(
          remember ? { passphrase, remember: true } : { passphrase },
        );
        if (!result.ok) throw new UserError(`unlock.error.${result.code}`);
        if (remember) {
          set({ rememberFailed: result.remembered !== true });
          await refreshSecureStorage(bridge);
        }
        await afterUnlock(result.address);
      },

      async unlockRemembered() {
        const bridge = deps.bridge;
        if (bridge === null) throw new UserError('error.noBridge');
        const result = await bridge.unlockRemembered();
        if (!result.ok) {
          // Main forgets a remembered passphrase that no longer opens the keystore.
          await refreshSecureStorage(bridge);
          throw new UserError(
            result.code === 'not-found' || result.code === 'wrong-passphrase'
              ? `unlock.remembered.error.${result.code}`
              : `unlock.error.${result.code}`,
          );
        }
        await afterUnlock(result.address);
      },

      async forgetRememberedUnlock() {
        const bridge = deps.bridge;
        if (bridge === null) throw new UserError('error.noBridge');
        await bridge.forgetRememberedUnlock();
        set({ rememberFailed: false });
        await refreshSecureStorage(bridge);
      },

      signMessageBlock: (text) => signBlock(text, deps.signerSource?.signer() ?? null),

      async lock() {
        await stopRuntime();
        deps.signerSource?.lock();
        const { address } = get();
        set({
          phase: { kind: 'locked', address },
          key: null,
          canSign: false,
          network: null,
          device: null,
          // Forms in progress stay with the unlocked session.
          drafts: {},
        });
      },

      async createNetwork(input) {
        const signer = requireSigner();
        if (get().network !== null) throw new UserError('error.alreadyInNetwork');
        const admitted = await foundNetwork(signer, input, deps.clock.now(), admit);
        if (!admitted.ok) {
          throw new UserError('error.genesisInvalid', { detail: admitted.rejection.message });
        }
        const network: Invitation = {
          networkId: admitted.tx.id,
          secret: generateJoinSecret(deps.random),
          relays: [],
          name: input.name,
        };
        saveNetwork(deps.storage, network);
        set({ network });
        await startRuntime(network, [admitted.tx]);
      },

      async joinNetwork(invitation) {
        const current = get().network;
        if (current !== null && current.networkId !== invitation.networkId) {
          throw new UserError('error.alreadyInNetwork');
        }
        saveNetwork(deps.storage, invitation);
        set({ network: invitation });
        await stopRuntime();
        await startRuntime(invitation);
      },

      async leaveNetwork() {
        const left = get().network;
        await stopRuntime();
        saveNetwork(deps.storage, null);
        // The doors close with the runtime; their tickets (secrets) go with the join secret.
        if (left !== null) saveTickets(deps.storage, left.networkId, []);
        // Left for good: not one of this identity's networks any more (networks.ts).
        if (left !== null) forgetNetwork(deps.storage, left.networkId);
        // So does the way back to a network this one re-founded: it holds that join secret.
        saveFollowed(deps.storage, null);
        set({ network: null, networkError: null, followed: null });
      },

      async send(to, amount, memo) {
        requireSigner();
        const runtime = get().runtime;
        if (runtime === null) throw new UserError('error.noNetwork');
        return runtime.transfer(to, amount, memo);
      },

      async setOnline(online) {
        await get().runtime?.setOnline(online);
      },

      async updateSettings(patch) {
        const before = get().settings;
        const settings: Settings = { ...before, ...patch };
        saveSettings(deps.storage, settings);
        set({ settings });
        const { runtime, network } = get();
        if (runtime && (patch.relays !== undefined || patch.iceServers !== undefined)) {
          await runtime
            .setConnection(connectionRelays(settings, network), settings.iceServers)
            .catch((error: unknown) => {
              throw new UserError('error.reconnect', { detail: messageOf(error) });
            });
        }
      },

      saveContact(contact) {
        const parsed = parseAddress(contact.address.trim());
        if (!parsed.ok) throw new UserError('contacts.error.address', { detail: parsed.error });
        const label = contact.label.trim();
        if (label === '') throw new UserError('contacts.error.label');
        if ([...label].length > MAX_LABEL_LENGTH)
          throw new UserError('contacts.error.labelLong', { max: MAX_LABEL_LENGTH });
        const others = get().contacts.filter((c) => c.address !== parsed.address);
        if (others.length >= MAX_CONTACTS) throw new UserError('contacts.error.full');
        const contacts = [...others, { address: parsed.address, label }].sort((a, b) =>
          a.label.localeCompare(b.label),
        );
        saveContacts(deps.storage, contacts);
        set({ contacts });
      },

      setAutomation(automation) {
        const settings: Settings = {
          ...get().settings,
          provide: [...automation.provide],
          validate: automation.validate,
        };
        saveSettings(deps.storage, settings);
        set({ settings });
        get().market?.setAutomation(automation);
      },

      removeContact(address) {
        const contacts = get().contacts.filter((c) => c.address !== address);
        saveContacts(deps.storage, contacts);
        set({ contacts });
      },
    };
  });
}

export type { IceServer };

/** Where a device profile keeps its pairing: what "gpow device join" keeps in device-info. */
export const DEVICE_KEY = 'gpow.device.v1';

/** This profile's device chain and how it joins its identity. */
export interface StoredDevice {
  readonly key: KeyHex;
  readonly setup: DeviceSetup;
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;
const DECIMAL = /^(?:0|[1-9][0-9]{0,18})$/;

export function saveDevice(storage: KeyValueStorage, device: StoredDevice): void {
  const { setup } = device;
  const pairing = setup.pairing;
  storage.setItem(
    DEVICE_KEY,
    JSON.stringify({
      version: 1,
      account: setup.account,
      key: device.key,
      name: setup.name,
      ...(pairing
        ? {
            pairing: {
              key: pairing.key,
              proof: toHex(pairing.proof),
              cert: toHex(pairing.cert),
              allowance: pairing.allowance.toString(),
            },
          }
        : {}),
    }),
  );
}

/** The saved pairing, checked field by field; null when there is none or it is damaged. */
export function loadDevice(storage: KeyValueStorage): StoredDevice | null {
  let json: unknown;
  try {
    json = JSON.parse(storage.getItem(DEVICE_KEY) ?? 'null');
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null) return null;
  const info = json as Record<string, unknown>;
  const { account, key, name } = info;
  if (info.version !== 1 || typeof account !== 'string' || !HEX64.test(account)) return null;
  if (typeof key !== 'string' || !HEX64.test(key) || typeof name !== 'string') return null;
  const base = { account: account as KeyHex, name };
  if (info.pairing === undefined) return { key: key as KeyHex, setup: base };
  const p = info.pairing as Record<string, unknown> | null;
  if (typeof p !== 'object' || p === null) return null;
  if (typeof p.key !== 'string' || !HEX64.test(p.key)) return null;
  if (typeof p.proof !== 'string' || !HEX128.test(p.proof)) return null;
  if (typeof p.cert !== 'string' || !HEX128.test(p.cert)) return null;
  if (typeof p.allowance !== 'string' || !DECIMAL.test(p.allowance)) return null;
  const pairing = {
    key: p.key as KeyHex,
    proof: fromHex(p.proof),
    cert: fromHex(p.cert),
    allowance: BigInt(p.allowance),
  };
  return { key: key as KeyHex, setup: { ...base, pairing } };
}
