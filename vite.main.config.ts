// The Electron main process: electron/main.ts bundled to .vite/build/main.cjs. CommonJS, since
// that is what Forge expects and it gives the code a plain __dirname.
import { defineConfig } from 'vite';
import { BUILD_DIR, isForge, NODE_EXTERNALS, RENDERER_NAME } from './vite.base.config.ts';

export default defineConfig((env) => ({
  build: {
    outDir: BUILD_DIR,
    // main and preload share the directory; neither build may wipe the other's output.
    emptyOutDir: false,
    target: 'node22',
    minify: false,
    copyPublicDir: false,
    lib: { entry: 'electron/main.ts', formats: ['cjs'], fileName: () => 'main.cjs' },
    rollupOptions: { external: NODE_EXTERNALS },
  },
  resolve: { conditions: ['node'], mainFields: ['module', 'jsnext:main', 'jsnext'] },
  // Forge defines these itself (with the dev server URL under `npm start`); a plain build has
  // no dev server and serves the built renderer.
  define: isForge(env)
    ? {}
    : {
        MAIN_WINDOW_VITE_DEV_SERVER_URL: 'undefined',
        MAIN_WINDOW_VITE_NAME: JSON.stringify(RENDERER_NAME),
      },
}));
