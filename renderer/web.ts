// Browser mode (`npm run web`, `npm run build:web`): vite.web.config.ts injects this script
// ahead of main.tsx. It installs the browser bridge, unless a real one is already there, and
// the in-page vault that signs once the keystore is unlocked. Never part of the desktop build,
// so the app can never fall back to keeping its keystore in web storage.
import packageJson from '../package.json' with { type: 'json' };
import { createBrowserBridge } from './bridge/browserBridge.ts';
import { InPageVault } from './bridge/inPageVault.ts';
import { webRandom } from './platform/webRandom.ts';

if (window.gpow === undefined) {
  const vault = new InPageVault();
  window.gpow = createBrowserBridge({
    storage: localStorage,
    random: webRandom,
    version: packageJson.version,
    vault,
  });
  window.gpowWeb = { vault };
}
