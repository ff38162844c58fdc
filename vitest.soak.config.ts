import { defineConfig } from 'vitest/config';

// `npm run test:soak`: long network runs kept out of the default suite.
export default defineConfig({
  test: { include: ['test/soak/**/*.test.ts'], fileParallelism: false, testTimeout: 3_600_000 },
});
