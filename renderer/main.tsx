// The renderer entry. It only builds the app store from what the platform offers and mounts
// the app; all the page may ask of the outside world goes through window.gpow (see
// renderer/bridge/types.d.ts) and, in browser mode, the in-page signer (window.gpowWeb).
// renderer/bridge/platform.ts decides which platform that is.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { choosePlatform } from './bridge/platform.ts';
import { webRandom } from './platform/webRandom.ts';
import { browserWrtc } from './platform/webRtc.ts';
import { createAppStore } from './state/appStore.ts';
import { scopedLogName, scopedStorage } from './state/identityScope.ts';
import { openIndexedDbLogStore } from './storage/indexedDbLogStore.ts';

/**
 * A Web Lock held until released, or null when another tab of this browser holds it. Where
 * the page has no Web Locks (not a secure context), there is nothing to coordinate with.
 */
function webLock(name: string): Promise<(() => void) | null> {
  if (typeof navigator.locks === 'undefined') return Promise.resolve(() => undefined);
  return new Promise((resolve, reject) => {
    navigator.locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          resolve(null);
          return undefined;
        }
        return new Promise<void>((release) => resolve(release));
      })
      .catch(reject);
  });
}

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element to mount GPoW in');

// The desktop app signs through main and keeps its log there; browser mode signs in the page.
const platform = choosePlatform(window, (name) => openIndexedDbLogStore(name));

/**
 * The page opens for the install's current identity (docs/keys.md, "In the app"): its storage and
 * logs are that identity's part of the browser's (or main's). Switching identity reloads.
 */
async function start(root: HTMLElement): Promise<void> {
  const list = await platform.bridge?.listIdentities().catch(() => null);
  const slot = list?.current ?? 0;
  const store = createAppStore({
    bridge: platform.bridge,
    signerSource: platform.signerSource,
    storage: scopedStorage(localStorage, slot),
    rootStorage: localStorage,
    reload: () => window.location.reload(),
    openLog: (name) => platform.openLog(scopedLogName(slot, name)),
    wrtc: browserWrtc(),
    random: webRandom,
    clock: { now: () => Date.now() },
    exclusive: webLock,
    // Native notifications (desktop) only when the user is not looking at the window.
    away: () => document.hidden || !document.hasFocus(),
  });

  createRoot(root).render(
    <StrictMode>
      <App store={store} />
    </StrictMode>,
  );
}

void start(container);
