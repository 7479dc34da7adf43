// The canvas benchmark runs on the browser tests' setup (fresh Weft, Debian's Chromium), from bench/.
import { resolve } from 'node:path';
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import base from '../playwright.config';

const server = base.webServer as NonNullable<PlaywrightTestConfig['webServer']> & object;

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: 'canvas.bench.ts',
  timeout: 600_000,
  outputDir: resolve(import.meta.dirname, '../test-results/bench'),
  // No Playwright trace: with it on (the browser tests keep one for failures), every mouse move snapshots the whole
  // page's DOM inside the page (its snapshotter's visitNode), which at 500 steps took more of each frame than Weft did.
  use: { ...base.use, trace: 'off', screenshot: 'off' },
  // The server starts from the project root, as in the browser tests.
  webServer: { ...(server as object), cwd: resolve(import.meta.dirname, '..') } as PlaywrightTestConfig['webServer'],
});
