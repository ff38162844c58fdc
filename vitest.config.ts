import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Three groups (docs/testing.md): the unit suite runs files in parallel; then the real-network
// tests (several peer processes each, real WebRTC on 127.0.0.1) run one file at a time, so they
// do not compete for this machine's two cores with each other or with the unit suite; last, the
// end-to-end tests (the built browser UI in headless Chromium, test/e2e), also one file at a time.

/**
 * Files in test/net that start no peer, socket or process (link and door parsers, property
 * tests, discovery over an in-memory bus): they run with the unit suite instead of waiting in
 * the one-at-a-time queue of the network tests.
 */
const NET_WITHOUT_PEERS = [
  'door',
  'ticket',
  'invitation',
  'discovery',
  'pairing',
  'tickets.properties',
].map((name) => `test/net/${name}.test.ts`);
const NET_WITH_PEERS = readdirSync(join(import.meta.dirname, 'test', 'net'))
  .filter((name) => name.endsWith('.test.ts'))
  .map((name) => `test/net/${name}`)
  .filter((file) => !NET_WITHOUT_PEERS.includes(file));

export default defineConfig({
  test: {
    testTimeout: 30_000,
    coverage: {
      provider: 'v8',
      include: ['shared/**/*.ts', 'engine/**/*.ts', 'node/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      // The pure core carries the protocol; it must stay thoroughly tested.
      thresholds: { 'shared/**/*.ts': { lines: 90 } },
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...NET_WITH_PEERS, 'test/soak/**', 'test/e2e/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'net',
          include: NET_WITH_PEERS,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/*.test.ts'],
          // The browser renderer is built once for all e2e files (test/e2e/globalSetup.ts).
          globalSetup: ['test/e2e/globalSetup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
