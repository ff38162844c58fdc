// The UI: renderer/ built to .vite/renderer/main_window, which the main process serves from
// app://gpow/. Also the dev server that `npm start` proxies app://gpow/ to.
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { PROJECT_ROOT, RENDERER_DIR } from './vite.base.config.ts';

export default defineConfig({
  root: resolve(PROJECT_ROOT, 'renderer'),
  base: './',
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    // Hot reloading needs an inline script (React Refresh's preamble), which the app's CSP
    // refuses; in the desktop app, reload the window (Ctrl+R / Cmd+R) after a change instead.
    hmr: false,
  },
  build: {
    outDir: resolve(PROJECT_ROOT, RENDERER_DIR),
    emptyOutDir: true,
    target: 'chrome140',
    // Chromium supports modulepreload; the polyfill is code we would ship for nothing.
    modulePreload: { polyfill: false },
    // One bundle (the ledger core, WebRTC and React), loaded from disk or loopback, never over
    // a slow network: splitting it would buy nothing.
    chunkSizeWarningLimit: 1536,
  },
});
