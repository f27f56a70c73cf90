import { defineConfig } from 'vitest/config';

// Unit tests live beside the code they test (src/**/*.test.ts); browser tests in e2e/.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
