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

  // Issue 16 (weft-16-local-pipeline): a run that ended in the local part, and one whose local part handed over.
  it('has the local pipeline part recorded, ending there and handing over', async () => {
    const shape = async (name: string) => {
      const { events } = JSON.parse(await readFile(join(HISTORIES, `sync-integration-${name}.json`), 'utf8')) as { events: { eventType?: string; markerRecordedEventAttributes?: { markerName?: string; details?: { data?: { payloads?: { data?: string }[] } } }; activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }[] };
      return events.flatMap((e) => {
        const marker = e.markerRecordedEventAttributes;
        const data = marker?.markerName === 'core_local_activity' ? marker.details?.data?.payloads?.[0]?.data : undefined;
        if (data) return [`local ${(JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { activity_type: string }).activity_type}`];
        const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
        return scheduled ? [`activity ${scheduled}`] : [];
      });
    };
    expect(files).toEqual(expect.arrayContaining(['sync-integration-local-pipeline-completed.json', 'sync-integration-local-pipeline-handed-over.json']));
    expect(await shape('local-pipeline-completed')).toEqual(['local beginRun', 'local runPipeline', 'local finishRun']);
    expect(await shape('local-pipeline-handed-over')).toEqual(['local beginRun', 'local runPipeline', 'activity runPipeline', 'local finishRun']);
  });

  for (const file of files) {
    it(`replays ${file}`, async () => {
      const history = historyFromProtoJson(JSON.parse(await readFile(join(HISTORIES, file), 'utf8')));
      await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history)).resolves.toBeUndefined();
    });
  }
});
