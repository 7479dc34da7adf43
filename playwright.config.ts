// Browser tests: Weft started fresh (own data dir and ports) and driven in Debian's Chromium.
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.WEFT_E2E_PORT ?? 8787);
/** Per port, so two runs on other ports (two engineers, one checkout) never clear each other's data. */
const DATA = `.tmp/e2e-${PORT}`;

export default defineConfig({
  testDir: 'test/e2e',
  // The cancel spec needs small, slow batches (a server started with WEFT_E2E_SLOW_BATCHES=1); `npm run test:e2e`
  // runs it in a second pass with that server, and only there.
  testIgnore: process.env.WEFT_E2E_SLOW_BATCHES ? [] : ['**/run-controls.spec.ts'],
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.WEFT_CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
    },
  },
  webServer: {
    // What `npm start` runs: the server compiled by esbuild (plain node, no TypeScript loader).
    command: `rm -rf ${DATA} && npm run -s build:server && node dist/server/main.mjs`,
    url: `http://127.0.0.1:${PORT}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    // SIGTERM lets Weft stop its Temporal dev server too; a SIGKILL would orphan it.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(PORT),
      WEFT_DATA_DIR: `${DATA}/data`,
      // Alert webhooks, HTTP connections and the local HubSpot/Salesforce servers listen on 127.0.0.1, which the
      // outbound-address guard refuses unless told.
      WEFT_ALLOW_PRIVATE_HOSTS: 'true',
      TEMPORAL_PORT: process.env.WEFT_E2E_TEMPORAL_PORT ?? '7288',
      TEMPORAL_UI_PORT: process.env.WEFT_E2E_TEMPORAL_UI_PORT ?? '8288',
      WEFT_SEED: 'false',
      TEMPORAL_ADDRESS: '',
      DATABASE_URL: '',
      // run-controls.spec.ts cancels a run mid-way: WEFT_E2E_SLOW_BATCHES=1 makes batches small and slow for it.
      ...(process.env.WEFT_E2E_SLOW_BATCHES ? { WEFT_BATCH_SIZE: '25', WEFT_BATCH_DELAY_MS: '250' } : {}),
    },
  },
});
