// Rejected records as a person finds them: the line in the file (header counted) on the list, and the whole inbox
// as a CSV download with reasons, formula-like cells defused. A real (in-memory PGlite) store through app.request().
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fixture from '../../test/fixtures/graphs/csv-map-workspace.json';
import { fileLine, Integration, PublishResult, RejectedRecord, StartRunResult, type Graph } from '../../shared';
import { withFilePreview } from '../../shared/graph/kinds/csv-source';
import type { Store } from '../store/types';
import type { createApi } from './app';
import { openApiApp, type ApiApp } from '../../test/support/api-app';
import { csvRows } from './rejected-csv';

let store: Store;
let app: ReturnType<typeof createApi>;
let rig: ApiApp;

beforeAll(async () => {
  rig = await openApiApp({ name: 'rejected-csv', maxUploadBytes: 64 * 1024, temporalHealthy: true });
  ({ app, store } = rig);
});
afterAll(async () => {
  await rig?.close();
});

const post = (path: string, body: unknown) => app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

/** A published file integration (source -> map -> filter -> workspace) with a started run holding `rejected`. */
async function runWithRejections(sourceConfig: Record<string, unknown>, rejected: { nodeId: string; rowNumber: number; source: Record<string, unknown>; reason: string }[]) {
  const up = await app.request('/api/files?name=people.csv', { method: 'POST', body: 'Email,Full Name\na@x.io,Ann\n', headers: { 'content-type': 'application/octet-stream' } });
  const file = (await up.json()) as { id: string };
  const graph = structuredClone(fixture) as Graph;
  graph.nodes[0]!.config = withFilePreview({ ...graph.nodes[0]!.config, fileId: file.id, ...sourceConfig });
  graph.nodes[1]!.label = 'Map to people';
  graph.nodes[2]!.label = 'Only active';
  const integration = Integration.parse(await (await post('/api/integrations', { name: 'People', graph })).json());
  PublishResult.parse(await (await post(`/api/integrations/${integration.id}/publish`, {})).json());
  const { runId } = StartRunResult.parse(await (await post(`/api/integrations/${integration.id}/runs`, {})).json());
  await store.commitBatch({ runId, pipelineId: 'p1', batch: 1, cursor: null, counts: {}, rejected: rejected.map((r) => ({ ...r, mapped: null })) });
  return runId;
}

describe('fileLine', () => {
  it('counts the header of a CSV or a sheet, not of an NDJSON file, and gives no line for a JSON array or a table', () => {
    expect(fileLine({ kind: 'csv-source', config: { format: 'csv', hasHeader: true } }, 1)).toBe(2);
    expect(fileLine({ kind: 'csv-source', config: {} }, 41)).toBe(42);
    expect(fileLine({ kind: 'csv-source', config: { format: 'csv', hasHeader: false } }, 41)).toBe(41);
    expect(fileLine({ kind: 'csv-source', config: { format: 'excel' } }, 9)).toBe(10);
    expect(fileLine({ kind: 'csv-source', config: { format: 'ndjson' } }, 9)).toBe(9);
    expect(fileLine({ kind: 'csv-source', config: { format: 'json' } }, 9)).toBeUndefined();
    expect(fileLine({ kind: 'sql-source', config: {} }, 9)).toBeUndefined();
  });
});

describe('csvRows', () => {
  it("quotes as RFC 4180 says and starts formula-like cells with '", () => {
    const text = csvRows([['=HYPERLINK("http://x")', '+1', '-2', '@SUM(A1)', 'plain, "quoted"', 'line\nbreak']]);
    expect(text).toBe(`"'=HYPERLINK(""http://x"")",'+1,'-2,'@SUM(A1),"plain, ""quoted""","line\nbreak"\r\n`);
  });
});

describe('rejected records of a file run', () => {
  it('name the line in the file, header counted, on the list', async () => {
    const runId = await runWithRejections({}, [
      { nodeId: 'map', rowNumber: 41, source: { Email: 'x', 'Full Name': 'X' }, reason: 'email is not an email address' },
      { nodeId: 'source', rowNumber: 3, source: { line: '3,"broken' }, reason: 'row 3 has a quote (") that is never closed' },
    ]);
    const res = await app.request(`/api/runs/${runId}/rejected`);
    expect(res.status).toBe(200);
    const items = ((await res.json()) as { items: unknown[] }).items.map((i) => RejectedRecord.parse(i));
    expect(items.map((r) => [r.nodeId, r.rowNumber, r.line])).toEqual([
      ['source', 3, 4],
      ['map', 41, 42],
    ]);
  });

  it('download as CSV with line, step, reason and every source column, formulas defused', async () => {
    const runId = await runWithRejections({ hasHeader: false }, [
      { nodeId: 'map', rowNumber: 7, source: { Email: '=cmd|"/c calc"!A0', 'Full Name': 'Ann' }, reason: 'Email is not an email address' },
      { nodeId: 'filter', rowNumber: 9, source: { Email: 'b@x.io', Plan: '-5' }, reason: '@active: not a yes/no value' },
    ]);
    const res = await app.request(`/api/runs/${runId}/rejected/download`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".*People rejected \d{4}-\d\d-\d\d\.csv"/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    // A byte order mark first, so Excel reads UTF-8.
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(new TextDecoder().decode(bytes), { relax_column_count: false }) as string[][];
    expect(rows).toEqual([
      ['Line in file', 'Row', 'Step', 'Reason', 'Email', 'Full Name', 'Plan'],
      ['7', '7', 'Map to people', 'Email is not an email address', `'=cmd|"/c calc"!A0`, 'Ann', ''],
      ['9', '9', 'Only active', "'@active: not a yes/no value", 'b@x.io', '', "'-5"],
    ]);
  });

  it('download with U+0000 in values, column names and reasons shown as ␀, never a NUL byte', async () => {
    const runId = await runWithRejections({}, [{ nodeId: 'map', rowNumber: 2, source: { Email: 'a\u0000b@x.io', 'Full\u0000Name': '\u0000' }, reason: 'Email has a \u0000 in it' }]);
    const res = await app.request(`/api/runs/${runId}/rejected/download`);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.includes(0)).toBe(false);
    const rows = parse(new TextDecoder().decode(bytes)) as string[][];
    expect(rows).toEqual([
      ['Line in file', 'Row', 'Step', 'Reason', 'Email', 'Full␀Name'],
      ['3', '2', 'Map to people', 'Email has a ␀ in it', 'a␀b@x.io', '␀'],
    ]);
  });

  it('answers 404 for a run that does not exist', async () => {
    expect((await app.request('/api/runs/run_missing/rejected/download')).status).toBe(404);
  });
});
