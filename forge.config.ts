// Electron Forge: `npm start` runs the app in development through the Vite plugin. Installers
// are made by electron-builder (electron-builder.yml), so there are no makers here.
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { VitePlugin } from '@electron-forge/plugin-vite';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { FUSES } from './electron/fuses.ts';

const config: ForgeConfig = {
  packagerConfig: {
    name: 'GPoW',
    executableName: 'gpow',
    appBundleId: 'org.gpow.desktop',
    icon: 'build/icon',
    // Required by the OnlyLoadAppFromAsar and asar integrity fuses.
    asar: true,
    protocols: [{ name: 'GPoW', schemes: ['gpow'] }],
  },
  rebuildConfig: {},
  makers: [],
  plugins: [
    new VitePlugin({
      build: [
        { entry: 'electron/main.ts', config: 'vite.main.config.ts', target: 'main' },
        { entry: 'electron/preload.ts', config: 'vite.preload.config.ts', target: 'preload' },
      ],
      renderer: [{ name: 'main_window', config: 'vite.renderer.config.ts' }],
    }),
    // The only place fuses are configured; see electron/fuses.ts.
    new FusesPlugin(FUSES),
  ],
};

export default config;
