import { defineConfig } from 'vitest/config';

// Unit tests live beside the code they test (src/**/*.test.ts), tests of the project's tooling in tools/; browser tests in e2e/.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tools/**/*.test.ts', 'e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
