// Unit, API, store and workflow tests (Node). Browser tests live in test/e2e and run under Playwright.
import { defineConfig } from 'vitest/config';
import { routeAddressesPlugin } from './vite.route-addresses';

export default defineConfig({
  // web/api.ts reads the routes' addresses from this plugin's virtual module, as in the Vite build.
  plugins: [routeAddressesPlugin()],
  test: {
    include: ['shared/**/*.test.ts', 'runtime/**/*.test.ts', 'workflows/**/*.test.ts', 'web/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    // The heaviest fault tests run by `npm run test:faults` (vitest.faults.config.ts), not in every `npm test`.
    exclude: ['node_modules/**', 'test/e2e/**', 'dist/**', 'test/faults/**/*.heavy.test.ts'],
    pool: 'forks',
    // Two files at a time (vitest's default is cores − 1: one on this 2-core machine). Most long files wait on Temporal,
    // on sleeps or on a database, so two overlap well; every test makes its own databases, queues and ports.
    maxWorkers: 2,
    globalSetup: ['test/setup/temporal.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
