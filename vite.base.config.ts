// Shared by the Vite configs. Each config works two ways: inside Electron Forge (`npm start`),
// which merges its own defaults (output paths, CommonJS format, build-time constants) over ours,
// and on its own (`npm run build`), which needs none of Electron, so every setting Forge would
// add is also set here explicitly.
//
// Settings use `rollupOptions`, the key Forge's defaults use, so the two merge instead of
// competing (Vite 8 also reads it as `rolldownOptions`).
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ConfigEnv } from 'vite';

export const PROJECT_ROOT = fileURLToPath(new URL('.', import.meta.url));

/** Where Forge expects the output: package.json "main" points at .vite/build/main.cjs. */
export const BUILD_DIR = '.vite/build';
export const RENDERER_NAME = 'main_window';
export const RENDERER_DIR = `.vite/renderer/${RENDERER_NAME}`;

/** Provided at run time by Electron and Node, never bundled. */
export const NODE_EXTERNALS: (string | RegExp)[] = [
  'electron',
  /^electron\/.+/u,
  ...builtinModules,
  ...builtinModules.map((name) => `node:${name}`),
];

/** Forge passes its plugin config in the env; a plain `vite build` does not. */
export function isForge(env: ConfigEnv): boolean {
  return 'forgeConfig' in env;
}
