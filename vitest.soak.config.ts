import { defineConfig } from 'vitest/config';

// `npm run test:soak`: long runs kept out of the default suite, one file at a time.
// - test/soak: long network runs.
// - test/fuzz: the same fuzz targets as in `npm test`, each with 100 times its cases (over
//   10^6 in all; GPOW_FUZZ_SCALE overrides the factor, GPOW_FUZZ_SEED the seeds). To run only
//   them: `npx vitest run --config vitest.soak.config.ts test/fuzz`.
export default defineConfig({
  test: {
    include: ['test/soak/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 3_600_000,
    hookTimeout: 60_000,
    env: { GPOW_FUZZ_SCALE: process.env.GPOW_FUZZ_SCALE ?? '100' },
  },
});
