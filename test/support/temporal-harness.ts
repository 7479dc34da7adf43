// Test support for runs on a real Temporal server: a typical integration, its file, its run (also used by the history recorder and the load bench).
import { createHash, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { compile } from '../../shared/compiler';
import type { Graph } from '../../shared/graph/schema';
import { sniffCsv } from '../../runtime/files/csv';
import type { createActivities } from '../../runtime/activities';
import type { BatchCommit, NewRunFile, Store } from '../../runtime/store/types';
import type { IntegrationVersion, Run } from '../../shared';
import { createRunLauncher, type RunLauncher } from '../../runtime/temporal/client';
import { createWorker, type WeftWorker } from '../../runtime/temporal/worker';
import { graphFixture, withPreviewedFile } from './graph-fixtures';

export interface CustomerRow {
  email: string;
  name: string;
  amount: string;
  active: string;
  /** Extra values that make the line malformed. */
  extra?: string[];
}

/** Customers.csv: Email, Name, Amount, Active. */
export function customersCsv(rows: readonly CustomerRow[]): string {
  const lines = rows.map((r) => [r.email, `"${r.name.replace(/"/g, '""')}"`, r.amount, r.active, ...(r.extra ?? [])].join(','));
  return `Email,Name,Amount,Active\n${lines.join('\n')}\n`;
}

/**
 * CSV source -> Map (Email is the key; Amount a number; Active a boolean) -> [Filter active] -> workspace object
 * (test/fixtures/graphs/customers-csv-map[-filter]-workspace.json). The file reads Amount as text and the Map
 * converts it, so an unconvertible Amount is the Map's rejection. Stamped as previewed: publishing a file source
 * needs its preview loaded.
 */
export function customersGraph(opts: { fileId: string; fileName?: string; object: string; filterActive?: boolean }): Graph {
  return withPreviewedFile(
    graphFixture(opts.filterActive ? 'customers-csv-map-filter-workspace' : 'customers-csv-map-workspace', {
      source: { fileId: opts.fileId, fileName: opts.fileName ?? 'customers.csv' },
      target: { object: opts.object },
    }),
  );
}

/** Saves `csv` as an uploaded file (under `filesDir`) and returns its id. `missing`: register it but leave no bytes. */
export async function saveCsvFile(store: Store, filesDir: string, csv: string, opts: { name?: string; missing?: boolean } = {}): Promise<string> {
  const id = `file_${randomUUID()}`;
  const path = join(filesDir, id);
  await writeFile(path, csv);
  const sniff = await sniffCsv(path);
  await store.saveFile({
    id,
    name: opts.name ?? 'customers.csv',
    size: Buffer.byteLength(csv),
    sha256: createHash('sha256').update(csv).digest('hex'),
    columns: sniff.columns,
    delimiter: sniff.delimiter,
    sampleRows: sniff.sampleRows,
    format: 'csv',
    compression: 'none',
    createdAt: new Date().toISOString(),
    path: opts.missing ? join(filesDir, `${id}.gone`) : path,
  });
  return id;
}

/** Compiles and publishes `graph`, and creates a scheduled run on the new version. */
export async function publishAndCreateRun(store: Store, graph: Graph, name = 'Customers sync'): Promise<{ runId: string; versionId: string }> {
  const { plan, diagnostics } = compile(graph);
  if (!plan) throw new Error(`The test graph does not compile: ${diagnostics.map((d) => d.message).join('; ')}`);
  const integration = await store.createIntegration({ name, description: '', graph });
  const version = await store.createVersion(integration.id, graph, plan, createHash('sha256').update(JSON.stringify(plan)).digest('hex'));
  const run = await createRunOf(store, version);
  return { runId: run.id, versionId: version.id };
}

/** A scheduled manual run of `version`, one pending step per plan step, reading `files` (as the API records them). */
export function createRunOf(store: Store, version: IntegrationVersion, files?: NewRunFile[]): Promise<Run> {
  return store.createRun({
    integrationId: version.integrationId,
    versionId: version.id,
    trigger: 'manual',
    params: {},
    steps: version.plan.steps.map((s) => ({ nodeId: s.nodeId, kind: s.kind, label: s.label })),
    ...(files && { files }),
  });
}

export async function connectClient(address: string, namespace = 'default'): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection, namespace }), close: () => connection.close() };
}

/** Pipeline tuning for tests: a dead worker is noticed in a couple of seconds and retried at once. */
export const FAST_PIPELINE = { heartbeatTimeoutMs: 2_000, initialRetryIntervalMs: 200, maximumAttempts: 5 } as const;

let quiet = false;
/** Temporal's worker logs at WARN and above only (call before the first NativeConnection in a process). */
export function quietTemporalLogs(level: 'WARN' | 'ERROR' = 'WARN'): void {
  if (quiet) return;
  quiet = true;
  Runtime.install({ logger: new DefaultLogger(level) });
}

/** The store, but `commitBatch` fails whenever `fail` says so (a dropped connection, say); every attempt is logged in `commits`. */
export function failingCommits(store: Store, fail: (c: BatchCommit) => boolean, commits: number[], message = 'Connection terminated unexpectedly'): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'commitBatch') {
        return async (c: BatchCommit) => {
          commits.push(c.batch);
          if (fail(c)) throw new Error(message);
          return target.commitBatch(c);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A client and workers on the real dev server: each `worker()` gets its own task queue; `close()` stops them all. */
export async function openTemporalRig(address: string) {
  const connection = await NativeConnection.connect({ address });
  const { client, close: closeClient } = await connectClient(address);
  const workers: { worker: WeftWorker; running: Promise<void> }[] = [];
  return {
    client,
    async worker(activities: ReturnType<typeof createActivities>, pipeline?: Parameters<typeof createRunLauncher>[0]['pipeline']): Promise<RunLauncher> {
      const taskQueue = `test-${randomUUID()}`;
      const worker = await createWorker({ connection, taskQueue, activities });
      workers.push({ worker, running: worker.run() });
      return createRunLauncher({ client, taskQueue, pipeline });
    },
    async close() {
      for (const w of workers) w.worker.shutdown();
      await Promise.all(workers.map((w) => w.running));
      await connection.close();
      await closeClient();
    },
  };
}
export type TemporalRig = Awaited<ReturnType<typeof openTemporalRig>>;

/** A workflow history as `fetchHistory()` answers it. */
type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;

/**
 * Every attempt of an activity type the history records (issue 16: a pipeline runs first as a local activity): one per
 * local-activity marker of that type (its `attempt`, failed or not) plus the ordinary activity's, which the history
 * records as the last attempt's ActivityTaskStarted (the earlier attempts are not events: its `attempt` counts them).
 */
export function activityAttempts(history: History, activityType = 'runPipeline'): { local: number; activity: number; total: number } {
  const events = history.events ?? [];
  let local = 0;
  for (const e of events) {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') continue;
    const data = marker.details?.['data']?.payloads?.[0]?.data;
    if (!data) continue;
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string; attempt?: number };
    if (parsed.activity_type === activityType) local += parsed.attempt ?? 1;
  }
  const scheduled = new Map<string, string>();
  for (const e of events) {
    const a = e.activityTaskScheduledEventAttributes;
    if (a) scheduled.set(String(e.eventId), a.activityType?.name ?? '');
  }
  let activity = 0;
  for (const e of events) {
    const a = e.activityTaskStartedEventAttributes;
    if (a && scheduled.get(String(a.scheduledEventId)) === activityType) activity += a.attempt ?? 1;
  }
  return { local, activity, total: local + activity };
}
