import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // examples/ holds a recipe that is a vitest file: it runs with the suite.
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
