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

const store = createAppStore({
  bridge: platform.bridge,
  signerSource: platform.signerSource,
  storage: localStorage,
  openLog: platform.openLog,
  wrtc: browserWrtc(),
  random: webRandom,
  clock: { now: () => Date.now() },
  exclusive: webLock,
  // Native notifications (desktop) only when the user is not looking at the window.
  away: () => document.hidden || !document.hasFocus(),
});

createRoot(container).render(
  <StrictMode>
    <App store={store} />
  </StrictMode>,
);
