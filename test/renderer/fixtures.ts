// A complete app store for tests: the real browser bridge and in-page vault over memory
// storage, IndexedDB from fake-indexeddb, and no WebRTC (no relay is configured, so none is
// ever needed).
import { IDBFactory } from 'fake-indexeddb';
import type { GpowBridge } from '../../shared/bridge/contract.ts';
import type { WrtcLike } from '../../shared/replication/guardedWrtc.ts';
import { createBrowserBridge } from '../../renderer/bridge/browserBridge.ts';
import { InPageVault } from '../../renderer/bridge/inPageVault.ts';
import { createAppStore, type AppDeps, type AppStore } from '../../renderer/state/appStore.ts';
import type { KeyValueStorage } from '../../renderer/state/persisted.ts';
import { openIndexedDbLogStore } from '../../renderer/storage/indexedDbLogStore.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';

export const PHRASE =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

export function memoryStorage(): KeyValueStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/** WebRTC that must never be used: the tests configure no relay. */
export const NO_WEBRTC: WrtcLike = {
  RTCPeerConnection: class {
    constructor() {
      throw new Error('no WebRTC in unit tests');
    }
  },
  RTCSessionDescription: null,
  RTCIceCandidate: null,
};

export interface TestApp {
  readonly store: AppStore;
  readonly storage: ReturnType<typeof memoryStorage>;
  readonly vault: InPageVault;
  readonly factory: IDBFactory;
}

/**
 * A fresh app; pass `from` to reopen the same browser (storage and IndexedDB) in a new page.
 * `wrapBridge` lets a test stand between the store and the browser bridge (to watch a method,
 * or to present as the desktop app).
 */
export function testApp(
  label: string,
  from?: TestApp,
  overrides: Partial<AppDeps> = {},
  wrapBridge: (bridge: GpowBridge) => GpowBridge = (bridge) => bridge,
): TestApp {
  const storage = from?.storage ?? memoryStorage();
  const factory = from?.factory ?? new IDBFactory();
  const vault = new InPageVault();
  const random = deterministicRandom(label);
  let now = 1_800_000_000_000;
  const store = createAppStore({
    bridge: wrapBridge(
      createBrowserBridge({
        storage,
        random,
        version: '0.0.0-test',
        scryptN: 2 ** 10,
        vault,
      }),
    ),
    signerSource: vault,
    storage,
    openLog: (name) => openIndexedDbLogStore(name, factory),
    wrtc: NO_WEBRTC,
    random,
    clock: { now: () => (now += 1000) },
    voteDelayMs: 5,
    ...overrides,
  });
  return { store, storage, vault, factory };
}
