// Old runs must still replay: every saved history of a real run replays against today's workflow code.
// To add or refresh histories (after a deliberate, compatible change): npx tsx test/tools/record-histories.ts
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { historyFromProtoJson } from '../runtime/temporal/history-json';
import { quietTemporalLogs } from '../test/support/temporal-harness';
import { workflowBundle } from '../runtime/temporal/worker';

const HISTORIES = resolve(import.meta.dirname, '../test/fixtures/histories');
const files = (await readdir(HISTORIES)).filter((f) => f.startsWith('sync-integration-') && f.endsWith('.json')).sort();

quietTemporalLogs('ERROR');

describe('syncIntegration replays saved histories', () => {
  it('has saved histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of files) {
    it(`replays ${file}`, async () => {
      const history = historyFromProtoJson(JSON.parse(await readFile(join(HISTORIES, file), 'utf8')));
      await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history)).resolves.toBeUndefined();
    });
  }
});
