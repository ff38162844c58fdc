// Browser mode: `npm run web` serves the renderer on http://127.0.0.1:5173 for any Chromium,
// with the browser bridge (renderer/web.ts) installed when there is no window.gpow. For
// developing the UI only: the page has no CSP and no separate process guarding the keystore.
import { defineConfig, mergeConfig, type Plugin } from 'vite';
import rendererConfig from './vite.renderer.config.ts';

/** Adds renderer/web.ts ahead of the app's own entry, so the bridge exists when it starts. */
const installBrowserBridge: Plugin = {
  name: 'gpow:install-browser-bridge',
  apply: 'serve',
  transformIndexHtml: () => [
    { tag: 'script', attrs: { type: 'module', src: '/web.ts' }, injectTo: 'head-prepend' },
  ],
};

export default mergeConfig(
  rendererConfig,
  defineConfig({
    plugins: [installBrowserBridge],
    // Loopback only: the page can create and unlock a keystore.
    server: { host: '127.0.0.1', port: 5173, strictPort: true, hmr: true },
  }),
);
