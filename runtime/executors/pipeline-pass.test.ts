// One pass of a pipeline without Temporal or a store: executors in memory, the commit a recorded callback.
import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../../shared/compiler/plan';
import { executorDeps } from '../../test/support/connections';
import { describeStages, failedStep, runPipelinePass, type PassCheckpoint, type StageTiming } from './pipeline-pass';
import type { BatchEffect } from './pipeline';
import type { Executor, FlowRow, SourceBatch } from './types';

const step = (nodeId: string): PlanStep => ({ nodeId, kind: 'map', label: nodeId.toUpperCase(), config: {}, input: null, output: null });
const steps = [step('src'), step('double'), step('dst')];
const owned = new Set(['src', 'double', 'dst']);

/** A source of `n` batches of two rows each; batch k's cursor is k. Records where it was asked to start. */
function source(n: number, opts: { failAt?: number; starts?: unknown[] } = {}): Executor {
  return {
    role: 'source',
    async *read(cursor) {
      opts.starts?.push(cursor);
      for (let k = typeof cursor === 'number' ? cursor + 1 : 1; k <= n; k++) {
        if (k === opts.failAt) throw new Error(`source broke at batch ${k}`);
        const rows: FlowRow[] = [2 * k - 1, 2 * k].map((v) => ({ rowNumber: v, values: { v }, source: { v } }));
        yield { rows, rejected: [], read: 2, cursor: k } satisfies SourceBatch;
      }
    },
  };
}

const double: Executor = { role: 'transform', apply: (rows) => ({ rows: rows.map((r) => ({ ...r, values: { v: Number(r.values.v) * 2 } })), rejected: [] }) };

/** A target outside the store: records each write, and closes once. */
function target(log: { written: unknown[][]; closed: number }, failAt?: number): Executor {
  let writes = 0;
  return {
    role: 'target',
    async write(rows) {
      writes += 1;
      if (writes === failAt) throw new Error('the table went away');
      log.written.push(rows.map((r) => r.values.v));
      return { counts: { written: rows.length, created: rows.length, updated: 0, unchanged: 0, rejected: 0 }, rejected: [] };
    },
    async close() {
      log.closed += 1;
    },
  };
}

function pass(executors: Record<string, Executor>, from: PassCheckpoint = { batch: 0, cursor: null }) {
  const commits: { next: PassCheckpoint; effect: BatchEffect }[] = [];
  const run = () =>
    runPipelinePass({
      steps,
      owned,
      deps: executorDeps(),
      batchSize: 2,
      from,
      create: async (s) => {
        const e = executors[s.nodeId];
        if (!e) throw new Error(`no executor for ${s.nodeId}`);
        return e;
      },
      commit: async (next, effect) => {
        commits.push({ next, effect });
      },
    });
  return { run, commits };
}

describe('runPipelinePass', () => {
  it('reports how long each stage was busy, so the stage the others wait on can be found', async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const slowWrite: Executor = {
      role: 'target',
      async write(rows) {
        await sleep(40);
        return { counts: { written: rows.length, created: rows.length, updated: 0, unchanged: 0, rejected: 0 }, rejected: [] };
      },
    };
    const timings: (StageTiming & { wall: number; batches: number })[] = [];
    const committed = await runPipelinePass({
      steps,
      owned,
      deps: executorDeps(),
      batchSize: 2,
      from: { batch: 0, cursor: null },
      create: async (s) => ({ src: source(4), double, dst: slowWrite })[s.nodeId]!,
      commit: async () => {
        await sleep(10);
      },
      stages: (t) => timings.push(t),
    });
    expect(committed).toBe(4);
    expect(timings).toHaveLength(1);
    const t = timings[0]!;
    expect(t.batches).toBe(4);
    // Four writes of 40 ms one at a time: the write stage is busy most of the pass, the commit a quarter of that.
    expect(t.write).toBeGreaterThanOrEqual(4 * 39);
    expect(t.commit).toBeGreaterThanOrEqual(4 * 9);
    expect(t.commit).toBeLessThan(t.write);
    expect(t.wall).toBeGreaterThanOrEqual(t.write);
    expect(t.read).toBeGreaterThanOrEqual(0);
    expect(t.transform).toBeGreaterThanOrEqual(0);
    expect(describeStages(t)).toMatch(/^wall \d+\.\d\d s for 4 batches; busy: read \d+\.\d\d s, transform \d+\.\d\d s, write 0\.\d\d s \(summed over writes in flight\), commit 0\.\d\d s$/);
  });

  it('reads, transforms, writes and commits every batch in order, numbering checkpoints from the start', async () => {
    const log = { written: [] as unknown[][], closed: 0 };
    const { run, commits } = pass({ src: source(3), double, dst: target(log) });
    expect(await run()).toBe(3);
    expect(commits.map((c) => c.next)).toEqual([
      { batch: 1, cursor: 1 },
      { batch: 2, cursor: 2 },
      { batch: 3, cursor: 3 },
    ]);
    expect(log.written).toEqual([
      [2, 4],
      [6, 8],
      [10, 12],
    ]);
    expect(commits[0]?.effect.counts).toEqual({
      src: { read: 2, written: 2, rejected: 0 },
      double: { read: 2, written: 2, rejected: 0 },
      dst: { read: 2, written: 2, created: 2, updated: 0, unchanged: 0, rejected: 0 },
    });
    expect(log.closed).toBe(1);
  });

  it('resumes after the checkpoint: the source starts from its cursor and batches are numbered on from it', async () => {
    const log = { written: [] as unknown[][], closed: 0 };
    const starts: unknown[] = [];
    const { run, commits } = pass({ src: source(4, { starts }), double, dst: target(log) }, { batch: 2, cursor: 2 });
    expect(await run()).toBe(2);
    expect(starts).toEqual([2]);
    expect(commits.map((c) => c.next.batch)).toEqual([3, 4]);
    expect(log.written).toEqual([
      [10, 12],
      [14, 16],
    ]);
  });

  it('tags a failure with the step it came from, and closes the executors either way', async () => {
    const fromSource = { written: [] as unknown[][], closed: 0 };
    const broken = pass({ src: source(3, { failAt: 2 }), double, dst: target(fromSource) });
    const sourceError = await broken.run().catch((e: unknown) => e);
    expect(sourceError).toEqual(new Error('source broke at batch 2'));
    expect(failedStep(sourceError)).toBe('src');
    expect(broken.commits.map((c) => c.next.batch)).toEqual([1]);
    expect(fromSource.closed).toBe(1);

    const fromTarget = { written: [] as unknown[][], closed: 0 };
    const writeFails = pass({ src: source(3), double, dst: target(fromTarget, 2) });
    const targetError = await writeFails.run().catch((e: unknown) => e);
    expect(failedStep(targetError)).toBe('dst');
    expect(writeFails.commits.map((c) => c.next.batch)).toEqual([1]);
    expect(fromTarget.closed).toBe(1);

    const missing = await pass({ src: source(1), dst: target({ written: [], closed: 0 }) }).run().catch((e: unknown) => e);
    expect(failedStep(missing)).toBe('double');
    // A failure outside the executors (the commit) names no step: the activity leaves it to Temporal's retries.
    expect(failedStep(new Error('commit failed'))).toBeUndefined();
  });

  it('stops before the next batch when the check throws (a cancelled run)', async () => {
    const log = { written: [] as unknown[][], closed: 0 };
    let checks = 0;
    const stopped = runPipelinePass({
      steps,
      owned,
      deps: executorDeps(),
      batchSize: 2,
      from: { batch: 0, cursor: null },
      create: async (s) => ({ src: source(5), double, dst: target(log) })[s.nodeId]!,
      check: () => {
        if (++checks === 3) throw new Error('cancelled');
      },
      commit: async () => undefined,
    });
    await expect(stopped).rejects.toThrow('cancelled');
    expect(log.written.length).toBeLessThanOrEqual(2);
    expect(log.closed).toBe(1);
  });
});
