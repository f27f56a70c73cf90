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
    // expect.poll waits 1 s by default: on a loaded CI machine a deferred render in the page can take longer, and
    // waiting changes no verdict (a wrong value stays wrong), so the e2e tests poll for up to 15 s.
    expect: { poll: { timeout: 15_000 } },
  },
});
