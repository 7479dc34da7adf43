// A resubmit run's source: the inbox's records in row order, in batches, typed as the source types what it reads
// (a value that still does not fit is rejected again, at the source), resuming after its checkpoint.
import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../../shared/compiler/plan';
import { inboxSource } from './inbox-source';
import { PlanError, type SourceBatch } from './types';

const step: PlanStep = {
  nodeId: 'source',
  kind: 'csv-source',
  label: 'orders.csv',
  config: {},
  input: null,
  output: { fields: [{ name: 'id', type: 'text' }, { name: 'active', type: 'boolean' }], key: [] },
};

const items = [
  { rowNumber: 1, values: { id: '9007199254740993', active: 'true' } },
  { rowNumber: 2, values: { id: '0042', active: 'maybe' } },
  { rowNumber: 3, values: { id: 'c', active: 'false' } },
];
const inbox = {
  readResubmitItems: (runId: string, nodeId: string, after: number, limit: number) =>
    Promise.resolve(runId === 'run_1' && nodeId === 'source' ? items.filter((i) => i.rowNumber > after).slice(0, limit) : []),
};

async function all(cursor: unknown, batchSize: number): Promise<SourceBatch[]> {
  const out: SourceBatch[] = [];
  for await (const b of inboxSource(step, 'run_1', inbox).read(cursor, batchSize)) out.push(b);
  return out;
}

describe('inbox source', () => {
  it('reads the run\'s records in batches, typed, keeping text exact and rejecting what still does not fit', async () => {
    const batches = await all(null, 2);
    expect(batches.map((b) => b.cursor)).toEqual([{ inboxAfter: 2 }, { inboxAfter: 3 }]);
    expect(batches.map((b) => b.read)).toEqual([2, 1]);
    const rows = batches.flatMap((b) => b.rows);
    expect(rows.map((r) => [r.rowNumber, r.values.id, r.values.active])).toEqual([
      [1, '9007199254740993', true],
      [3, 'c', false],
    ]);
    const rejected = batches.flatMap((b) => b.rejected);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ nodeId: 'source', rowNumber: 2, source: { id: '0042', active: 'maybe' } });
    expect(rejected[0]?.reason).toMatch(/^active: /);
  });

  it('resumes after its checkpoint and refuses one it cannot read', async () => {
    expect((await all({ inboxAfter: 2 }, 10)).flatMap((b) => b.rows.map((r) => r.rowNumber))).toEqual([3]);
    expect(await all({ inboxAfter: 3 }, 10)).toEqual([]);
    await expect(all({ nextRow: 4 }, 10)).rejects.toBeInstanceOf(PlanError);
  });
});
