// Test and fixture helpers for runs on a real Temporal server: a typical integration, its file, its run.
import { createHash, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { compile } from '../../shared/compiler';
import type { Graph } from '../../shared/graph/schema';
import { withFilePreview } from '../../shared/graph/kinds/csv-source';
import { sniffCsv } from '../files/csv';
import type { createActivities } from '../activities';
import type { BatchCommit, Store } from '../store/types';
import { createRunLauncher, type RunLauncher } from './client';
import { createWorker } from './worker';

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

/** CSV source -> Map (Email is the key; Amount a number; Active a boolean) -> [Filter active] -> workspace object. */
export function customersGraph(opts: { fileId: string; fileName?: string; object: string; filterActive?: boolean }): Graph {
  const nodes: Graph['nodes'] = [
    {
      id: 'source',
      kind: 'csv-source',
      label: 'Customers CSV',
      position: { x: 0, y: 0 },
      // Stamped as previewed: publishing a file source needs its preview loaded.
      config: withFilePreview({
        fileId: opts.fileId,
        fileName: opts.fileName ?? 'customers.csv',
        delimiter: ',',
        hasHeader: true,
        columns: [
          { name: 'Email', type: 'text' },
          { name: 'Name', type: 'text' },
          // Read as text, converted by the Map: so an unconvertible Amount is the Map's rejection.
          { name: 'Amount', type: 'text' },
          { name: 'Active', type: 'boolean' },
        ],
      }),
    },
    {
      id: 'map',
      kind: 'map',
      label: 'Map fields',
      position: { x: 300, y: 0 },
      config: {
        fields: [
          { source: 'Email', target: 'email', type: 'text', key: true },
          { source: 'Name', target: 'name', type: 'text', key: false },
          { source: 'Amount', target: 'amount', type: 'number', key: false },
          { source: 'Active', target: 'active', type: 'boolean', key: false },
        ],
      },
    },
    { id: 'target', kind: 'workspace-target', label: 'Customers', position: { x: 900, y: 0 }, config: { object: opts.object, mode: 'upsert' } },
  ];
  const edges: Graph['edges'] = [];
  if (opts.filterActive) {
    nodes.splice(2, 0, {
      id: 'filter',
      kind: 'filter',
      label: 'Active only',
      position: { x: 600, y: 0 },
      config: { match: 'all', conditions: [{ field: 'active', op: 'eq', value: 'true' }] },
    });
    edges.push({ id: 'e1', source: 'source', target: 'map' }, { id: 'e2', source: 'map', target: 'filter' }, { id: 'e3', source: 'filter', target: 'target' });
  } else {
    edges.push({ id: 'e1', source: 'source', target: 'map' }, { id: 'e2', source: 'map', target: 'target' });
  }
  return { version: 1, nodes, edges };
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
  const run = await store.createRun({
    integrationId: integration.id,
    versionId: version.id,
    trigger: 'manual',
    params: {},
    steps: plan.steps.map((s) => ({ nodeId: s.nodeId, kind: s.kind, label: s.label })),
  });
  return { runId: run.id, versionId: version.id };
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
  const workers: { worker: Worker; running: Promise<void> }[] = [];
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
