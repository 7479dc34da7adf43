// Unit, API, store and workflow tests (Node). Browser tests live in test/e2e and run under Playwright.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'runtime/**/*.test.ts', 'workflows/**/*.test.ts', 'web/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'test/e2e/**', 'dist/**'],
    pool: 'forks',
    globalSetup: ['test/setup/temporal.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
