// The pipeline driver under each slow stage in turn: batches alive stay under the bound, counted exactly, and the
// heap stays flat in a child process that can force a collection.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ALIVE, drivePipeline, type PipelineStages } from './drive';

type Stage = 'read' | 'transform' | 'write' | 'commit';
const STAGES: readonly Stage[] = ['read', 'transform', 'write', 'commit'];

/** A few macrotask turns: slow against stages that answer at once, without depending on the clock. */
const turns = async (n: number) => {
  for (let i = 0; i < n; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

interface Probe {
  /** Batches whose read started and whose commit has not ended. */
  alive: number;
  maxAlive: number;
  /** The most batches ever inside each stage at once. */
  maxIn: Record<Stage, number>;
  committed: number[];
  reads: number;
  sourceClosed: boolean;
}

/**
 * Stages of `batches` batches where `slow` takes 20 turns per batch and the others none, counting every batch
 * from the start of its read to the end of its commit. `failAt` makes one stage throw on one batch.
 */
function probed(batches: number, slow: Stage | null, failAt?: { stage: Stage; batch: number }) {
  const probe: Probe = { alive: 0, maxAlive: 0, maxIn: { read: 0, transform: 0, write: 0, commit: 0 }, committed: [], reads: 0, sourceClosed: false };
  const inside: Record<Stage, number> = { read: 0, transform: 0, write: 0, commit: 0 };
  const enter = (s: Stage) => {
    inside[s] += 1;
    probe.maxIn[s] = Math.max(probe.maxIn[s], inside[s]);
  };
  const leave = (s: Stage) => {
    inside[s] -= 1;
  };
  const work = async (s: Stage, batch: number) => {
    if (slow === s) await turns(20);
    if (failAt?.stage === s && failAt.batch === batch) throw new Error(`${s} failed on batch ${batch}`);
  };
  async function* source(): AsyncGenerator<number> {
    try {
      for (let b = 1; b <= batches; b += 1) {
        probe.reads += 1;
        probe.alive += 1;
        probe.maxAlive = Math.max(probe.maxAlive, probe.alive);
        enter('read');
        try {
          await work('read', b);
        } finally {
          leave('read');
        }
        yield b;
      }
    } finally {
      probe.sourceClosed = true;
    }
  }
  const stages: PipelineStages<number, number, number> = {
    read: source(),
    async transform(b) {
      enter('transform');
      try {
        await work('transform', b);
        return b;
      } finally {
        leave('transform');
      }
    },
    async write(b) {
      enter('write');
      try {
        await work('write', b);
        return b;
      } finally {
        leave('write');
      }
    },
    async commit(b, index) {
      enter('commit');
      try {
        expect(index).toBe(b);
        await work('commit', b);
        probe.committed.push(b);
        probe.alive -= 1;
      } finally {
        leave('commit');
      }
    },
  };
  return { probe, stages };
}

describe('drivePipeline', () => {
  for (const slow of [null, ...STAGES]) {
    it(`keeps at most ${DEFAULT_MAX_ALIVE} batches alive and one per stage ${slow ? `with a slow ${slow}` : 'when every stage is fast'}`, async () => {
      const { probe, stages } = probed(60, slow);
      expect(await drivePipeline(stages)).toBe(60);
      expect(probe.committed).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      expect(probe.maxAlive).toBeLessThanOrEqual(DEFAULT_MAX_ALIVE);
      expect(probe.maxIn).toEqual({ read: 1, transform: 1, write: 1, commit: 1 });
      expect(probe.alive).toBe(0);
    });
  }

  it('overlaps the stages: a slow commit still has the next batches read, transformed and written meanwhile', async () => {
    const { probe, stages } = probed(30, 'commit');
    await drivePipeline(stages);
    expect(probe.maxAlive).toBe(DEFAULT_MAX_ALIVE);
  });

  it('takes another bound', async () => {
    const { probe, stages } = probed(40, 'commit');
    await drivePipeline(stages, { maxAlive: 2 });
    expect(probe.maxAlive).toBe(2);
    expect(probe.committed).toHaveLength(40);
    await expect(drivePipeline(probed(1, null).stages, { maxAlive: 1 })).rejects.toThrow(/maxAlive must be an integer >= 2/);
  });

  it('runs two writes at once when asked, started in batch order, committed in order, one more batch alive', async () => {
    const { probe, stages } = probed(40, 'write');
    const starts: number[] = [];
    const write = stages.write.bind(stages);
    stages.write = (b, index) => {
      starts.push(index);
      return write(b, index);
    };
    expect(await drivePipeline(stages, { writers: 2 })).toBe(40);
    expect(starts).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(probe.committed).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(probe.maxIn.write).toBe(2);
    expect(probe.maxAlive).toBeLessThanOrEqual(DEFAULT_MAX_ALIVE + 1);
  });

  it('with two writers, a failed write stops the run: no commit after it, the error thrown', async () => {
    const { probe, stages } = probed(30, 'write', { stage: 'write', batch: 5 });
    await expect(drivePipeline(stages, { writers: 2 })).rejects.toThrow('write failed on batch 5');
    expect(probe.committed).toEqual([1, 2, 3, 4]);
    expect(probe.sourceClosed).toBe(true);
  });

  for (const stage of STAGES) {
    it(`stops reading when the ${stage} fails, lets what started land, closes the source and throws the error`, async () => {
      const { probe, stages } = probed(50, 'commit', { stage, batch: 5 });
      await expect(drivePipeline(stages)).rejects.toThrow(`${stage} failed on batch 5`);
      expect(probe.committed).toEqual([1, 2, 3, 4]);
      expect(probe.reads).toBeLessThanOrEqual(4 + DEFAULT_MAX_ALIVE);
      expect(probe.sourceClosed).toBe(true);
      expect(probe.maxAlive).toBeLessThanOrEqual(DEFAULT_MAX_ALIVE);
    });
  }

  it('checks before each batch and stops when the check throws (a cancelled run)', async () => {
    const { probe, stages } = probed(50, 'write');
    let n = 0;
    await expect(
      drivePipeline({
        ...stages,
        check: () => {
          if (++n === 7) throw new Error('cancelled');
        },
      }),
    ).rejects.toThrow('cancelled');
    expect(probe.committed).toEqual([1, 2, 3, 4, 5, 6]);
    expect(probe.sourceClosed).toBe(true);
  });

  it('commits nothing for an empty source', async () => {
    const { probe, stages } = probed(0, null);
    expect(await drivePipeline(stages)).toBe(0);
    expect(probe.sourceClosed).toBe(true);
  });
});

describe('drivePipeline heap', () => {
  // 300 batches of 1,000 ten-field rows (~150 MB if every batch were kept) with each stage slow in turn, in a
  // child process started with --expose-gc so the live heap is measured after a full collection.
  it('stays flat whichever stage is slow', { timeout: 120_000 }, async () => {
    const child = join(import.meta.dirname, 'drive-heap.child.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--max-old-space-size=512', '--import', 'tsx', child], {
      cwd: join(import.meta.dirname, '..', '..'),
      timeout: 110_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<Stage, { committed: number; maxAlive: number; peakMb: number }>;
    for (const stage of STAGES) {
      expect(result[stage], stage).toMatchObject({ committed: 300 });
      expect(result[stage].maxAlive, stage).toBeLessThanOrEqual(DEFAULT_MAX_ALIVE);
      // Four batches of ~0.5 MB each, plus what the collector has not given back yet; unbounded is ~150 MB.
      expect(result[stage].peakMb, stage).toBeLessThan(25);
    }
  });
});
