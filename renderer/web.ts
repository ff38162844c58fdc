// Browser mode (`npm run web`): vite.web.config.ts injects this script ahead of main.ts. It
// installs the browser bridge, unless a real one is already there. Never part of the desktop
// build, so the app can never fall back to keeping its keystore in web storage.
import packageJson from '../package.json' with { type: 'json' };
import { createBrowserBridge } from './bridge/browserBridge.ts';
import { webRandom } from './platform/webRandom.ts';

if (window.gpow === undefined) {
  window.gpow = createBrowserBridge({
    storage: localStorage,
    random: webRandom,
    version: packageJson.version,
  });
}
