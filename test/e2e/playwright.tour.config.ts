// The UI tour (ui-tour.tour.ts): screenshots of every main page at 1440x900 and 1024x700 for a person to look at,
// on the browser tests' setup. Not part of `npm test` (its files end in .tour.ts): `npm run ui:tour`, ~3 minutes.
import { resolve } from 'node:path';
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import base from '../../playwright.config';

const server = base.webServer as NonNullable<PlaywrightTestConfig['webServer']> & object;

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: '*.tour.ts',
  testIgnore: [],
  webServer: { ...(server as object), cwd: resolve(import.meta.dirname, '../..') } as PlaywrightTestConfig['webServer'],
});
