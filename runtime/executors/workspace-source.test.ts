// The Workspace source over a real (in-memory PGlite) store: reads through the workspace connector, resumes from its
// checkpoint, keeps only what the filter accepts, types records as the published schema says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanStep } from '../../shared/compiler/plan';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { createExecutor, PlanError, type SourceBatch, type SourceExecutor } from '.';
import { workspaceSourceExecutor } from './workspace-source';
import { executorDeps, sessionsOver } from '../../test/support/connections';

let store: Store;
const fields = [
  { name: 'email', type: 'text' as const },
  { name: 'amount', type: 'number' as const },
  { name: 'active', type: 'boolean' as const },
];
// Keys sort as text: c00..c24.
const records = Array.from({ length: 25 }, (_, k) => ({ email: `c${String(k).padStart(2, '0')}`, amount: k * 2, active: k % 3 !== 0 }));

beforeAll(async () => {
  store = await openStore({ memory: true });
  await store.writeWorkspace({ object: 'customers', key: ['email'], fields, mode: 'upsert', rows: records });
});
afterAll(async () => store?.close());

const step = (config: Record<string, unknown>, output: PlanStep['output'] = { fields, key: ['email'] }): PlanStep => ({ nodeId: 'src', kind: 'workspace-source', label: 'Customers', config, input: null, output });

async function source(config: Record<string, unknown>, output?: PlanStep['output']): Promise<SourceExecutor> {
  const e = await createExecutor(step({ object: 'customers', ...config }, output ?? undefined), executorDeps({ store, sessions: sessionsOver(store), now: () => Date.parse('2026-01-01T00:00:00Z') }));
  if (e.role !== 'source') throw new Error('not a source');
  return e;
}

async function all(batches: AsyncIterable<SourceBatch>): Promise<SourceBatch[]> {
  const out: SourceBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

describe('workspace source executor', () => {
  it('reads every record in batches with row numbers, and resumes from a checkpoint with the rest', async () => {
    const s = await source({});
    const batches = await all(s.read(null, 10));
    expect(batches.map((b) => b.read)).toEqual([10, 10, 5]);
    expect(batches.flatMap((b) => b.rows.map((r) => r.values))).toEqual(records);
    expect(batches.flatMap((b) => b.rows.map((r) => r.rowNumber))).toEqual(records.map((_, k) => k + 1));
    const resumed = await all(s.read(batches[0]!.cursor, 10));
    expect(resumed.flatMap((b) => b.rows)).toEqual(batches.slice(1).flatMap((b) => b.rows));
  });

  it('keeps only the records the filter accepts, numbered as read', async () => {
    const s = await source({ filter: '[active] AND [amount] > 20' });
    const rows = (await all(s.read(null, 4))).flatMap((b) => b.rows);
    expect(rows.map((r) => r.values)).toEqual(records.filter((r) => r.active && r.amount > 20));
    expect(rows.map((r) => r.rowNumber)).toEqual(rows.map((_, k) => k + 1));
  });

  it('rejects a record whose value does not fit the published type, with the reason', async () => {
    // A value the attribute's type does not hold (stored before the write refused a field of another type, probe18):
    // the store keeps what it is given under a field of the attribute's own type.
    await store.writeWorkspace({ object: 'customers', key: ['email'], fields: [{ name: 'email', type: 'text' }, { name: 'amount', type: 'number' }], mode: 'upsert', rows: [{ email: 'c05', amount: 'lots' }] });
    try {
      const batches = await all((await source({})).read(null, 100));
      expect(batches.flatMap((b) => b.rejected)).toEqual([expect.objectContaining({ nodeId: 'src', rowNumber: 6, reason: 'amount: "lots" is not a number' })]);
      expect(batches.flatMap((b) => b.rows)).toHaveLength(24);
    } finally {
      await store.writeWorkspace({ object: 'customers', key: ['email'], fields, mode: 'upsert', rows: [records[5]!] });
    }
  });

  it('fails for good on a missing object, a filter that cannot work or a checkpoint it did not write; cannot be built without sessions', async () => {
    await expect(all((await source({ object: 'gone' })).read(null, 10))).rejects.toThrow(new PlanError('Customers: The workspace has no object "gone". Run an integration that writes it first, or pick one of the objects listed in the workspace.'));
    await expect(all((await source({ filter: '[nope]' })).read(null, 10))).rejects.toBeInstanceOf(PlanError);
    await expect(all((await source({})).read({ offset: 3 }, 10))).rejects.toThrow(/checkpoint of Customers cannot be read/);
    // Its dependencies are required by type, so a caller without sessions (or the run's clock) does not compile:
    // there is nothing left to check at run time (typecheck fails if `needs` stops naming them).
    // Never called: `npm run typecheck` is the check.
    // @ts-expect-error `sessions` is missing
    const _noSessions = () => workspaceSourceExecutor.create(step({ object: 'customers' }), { now: Date.now });
    // @ts-expect-error `now` is missing
    const _noClock = () => workspaceSourceExecutor.create(step({ object: 'customers' }), { sessions: sessionsOver(store) });
    await expect(createExecutor(step({ object: '' }), executorDeps({ store }))).rejects.toThrow(/no workspace object chosen/);
  });
});
