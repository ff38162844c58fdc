import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    coverage: {
      provider: 'v8',
      include: ['shared/**/*.ts', 'node/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      // The pure core carries the protocol; it must stay thoroughly tested.
      thresholds: { 'shared/**/*.ts': { lines: 90 } },
    },
  },
});
