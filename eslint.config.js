// @ts-check
// Layer boundaries are lint errors, not conventions:
//   shared/   pure core: no Node, no Electron, no React, no DOM, no clock or randomness of its own
//   node/     Node platform adapters (storage, native crypto): never Electron or the renderer
//   electron/ main + preload: never the renderer's code
//   renderer/ UI: reaches main only through the typed bridge, so no Electron and no Node
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'node:*'];

/** @param {string[]} layers */
const layerPatterns = (layers) =>
  layers.map((layer) => ({
    group: [`**/${layer}/*`, `${layer}/*`],
    message: `This layer may not import from ${layer}/.`,
  }));

const noNode = {
  paths: nodeBuiltins.map((name) => ({
    name,
    message: 'Node built-ins are not allowed in this layer.',
  })),
};

// Globals the pure core must not touch: the DOM, Node's process objects, and ambient clocks,
// randomness and I/O. They reach shared/ through ports (shared/ports.ts).
const forbiddenInShared = [
  'window',
  'document',
  'navigator',
  'localStorage',
  'sessionStorage',
  'indexedDB',
  'fetch',
  'WebSocket',
  'RTCPeerConnection',
  'crypto',
  'self',
  'location',
  'XMLHttpRequest',
  'process',
  'Buffer',
  'require',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'performance',
  'TextEncoder',
  'TextDecoder',
  'structuredClone',
  'alert',
  'console',
].map((name) => ({ name, message: `shared/ is pure: '${name}' must come in through a port.` }));

export default tseslint.config(
  {
    ignores: ['node_modules', 'coverage', 'out', 'dist', '.vite', 'test/vectors', 'bench/results'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { ...globals.node },
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noNode,
          paths: [
            ...noNode.paths,
            { name: 'electron', message: 'shared/ must not import Electron.' },
            { name: 'react', message: 'shared/ must not import React.' },
            { name: 'react-dom', message: 'shared/ must not import React.' },
          ],
          patterns: layerPatterns(['electron', 'renderer', 'node', 'engine']),
        },
      ],
      'no-restricted-globals': ['error', ...forbiddenInShared],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the Clock port.' },
        { object: 'Math', property: 'random', message: 'Use the Random port.' },
        { object: 'globalThis', message: 'shared/ is pure: no ambient globals.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date']", message: 'Use the Clock port.' },
      ],
    },
  },
  {
    // The peer engine runs on every platform: it may import the pure core and the replication
    // libraries, nothing else, and reaches time, timers, randomness, storage, WebRTC, the key
    // and threads only through its ports (engine/ports.ts).
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\.|yjs$|y-webrtc$|y-protocols/|lib0/|@noble/)',
              message:
                'engine/ imports only shared/, its own modules and the replication libraries (yjs, y-webrtc, y-protocols, lib0).',
            },
            ...layerPatterns(['node', 'renderer', 'electron', 'bench', 'test']),
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...forbiddenInShared.map(({ name }) => ({
          name,
          message: `engine/ runs on every platform: '${name}' must come in through a port.`,
        })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the clock port.' },
        { object: 'Math', property: 'random', message: 'Use the random port.' },
        { object: 'globalThis', message: 'engine/ reaches the platform only through ports.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date']", message: 'Use the clock port.' },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noNode,
          paths: [
            ...noNode.paths,
            {
              name: 'electron',
              message: 'The renderer reaches main only through the preload bridge.',
            },
          ],
          patterns: layerPatterns(['electron', 'node']),
        },
      ],
    },
  },
  {
    files: ['node/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'node/ is plain Node, shared by the CLI and Electron main.',
            },
          ],
          patterns: layerPatterns(['electron', 'renderer']),
        },
      ],
    },
  },
  {
    files: ['electron/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': ['error', { patterns: layerPatterns(['renderer']) }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', '*.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
);
