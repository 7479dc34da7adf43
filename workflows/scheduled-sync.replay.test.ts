// What a Temporal Schedule starts must replay too: the saved history of a scheduled run (scheduledSync recording the
// run, then syncIntegration as its child) replays against today's workflow code.
// To refresh it: npx tsx test/tools/record-histories.ts scheduled
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { historyFromProtoJson } from '../runtime/temporal/history-json';
import { workflowBundle } from '../runtime/temporal/worker';
import { quietTemporalLogs } from '../test/support/temporal-harness';

quietTemporalLogs('ERROR');

describe('scheduledSync replays its saved history', () => {
  it('replays scheduled-sync-triggered.json', async () => {
    const json = JSON.parse(await readFile(resolve(import.meta.dirname, '../test/fixtures/histories/scheduled-sync-triggered.json'), 'utf8')) as { events: { eventType?: string }[] };
    // The history holds the run's creation and its child: a replay that skipped either would not be this one.
    const types = json.events.map((e) => e.eventType);
    expect(types).toContain('EVENT_TYPE_ACTIVITY_TASK_COMPLETED');
    expect(types).toContain('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED');
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, historyFromProtoJson(json))).resolves.toBeUndefined();
  });
});
