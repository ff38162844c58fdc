// Browser mode: `npm run web` serves the renderer on http://127.0.0.1:5173 for any Chromium,
// with the browser bridge (renderer/web.ts) installed when there is no window.gpow, and
// `npm run build:web` builds the same page into .vite/web (the end-to-end tests serve that).
// For developing and trying the UI only: the page has no CSP and no separate process guarding
// the keystore.
import { resolve } from 'node:path';
import { defineConfig, mergeConfig, type Plugin } from 'vite';
import { PROJECT_ROOT } from './vite.base.config.ts';
import rendererConfig from './vite.renderer.config.ts';

export const WEB_BUILD_DIR = resolve(PROJECT_ROOT, '.vite/web');

/**
 * Adds renderer/web.ts ahead of the app's own entry, so the bridge exists when it starts.
 * `order: 'pre'` injects the tag before Vite processes the HTML, so a build bundles it too.
 */
const installBrowserBridge: Plugin = {
  name: 'gpow:install-browser-bridge',
  transformIndexHtml: {
    order: 'pre',
    handler: () => [
      { tag: 'script', attrs: { type: 'module', src: './web.ts' }, injectTo: 'head-prepend' },
    ],
  },
};

export default mergeConfig(
  rendererConfig,
  defineConfig({
    plugins: [installBrowserBridge],
    // Loopback only: the page can create and unlock a keystore.
    server: { host: '127.0.0.1', port: 5173, strictPort: true, hmr: true },
    build: { outDir: WEB_BUILD_DIR, emptyOutDir: true },
  }),
);
