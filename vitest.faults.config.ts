// `npm run test:faults`: the whole fault suite (test/faults), the heavy tests included, with the long (20-minute)
// target outage. About 25 minutes; `npm test` runs the lighter ones (a 30 s outage) in a few.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    pool: 'forks',
    // One at a time: they kill processes and stop databases, and the machine's cores are few.
    fileParallelism: false,
    globalSetup: ['test/setup/temporal.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    env: { WEFT_FAULT_OUTAGE_MS: process.env.WEFT_FAULT_OUTAGE_MS ?? String(20 * 60_000) },
  },
});
