// The preload script: electron/preload.ts bundled to .vite/build/preload.cjs. A sandboxed
// preload can only be a single CommonJS file, requiring nothing but 'electron'.
import { defineConfig } from 'vite';
import { BUILD_DIR, NODE_EXTERNALS } from './vite.base.config.ts';

export default defineConfig({
  build: {
    outDir: BUILD_DIR,
    emptyOutDir: false,
    target: 'chrome140',
    minify: false,
    copyPublicDir: false,
    rollupOptions: {
      input: { preload: 'electron/preload.ts' },
      external: NODE_EXTERNALS,
      output: {
        format: 'cjs',
        codeSplitting: false,
        entryFileNames: '[name].cjs',
        chunkFileNames: '[name].cjs',
        assetFileNames: '[name].[ext]',
      },
    },
  },
});
