import { defineConfig } from 'vitest/config';

/**
 * Tests that run in Node rather than inside workerd: checks of the repository itself
 * (test/node: schema drift, asset budgets) and end-to-end tests (test/e2e), which start the
 * deployed bundle in workerd (scripts/lib/run-worker.ts) and drive a real Chromium. One file
 * at a time, since each end-to-end file starts its own workerd.
 */
export default defineConfig({
  test: {
    include: ['test/node/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
