import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests: the deployed bundle in workerd (scripts/lib/run-worker.ts) driven by a
 * real Chromium. They run in Node, one file at a time, since each starts its own workerd.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
