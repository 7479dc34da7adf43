// Run by drive.test.ts with --expose-gc: drives 300 batches of realistic rows with each stage slow in turn and
// prints, per slow stage, the batches committed, the most alive at once and the live heap's peak growth in MB.
import { drivePipeline } from './drive';

const BATCHES = 300;
const ROWS = 1_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

type Row = Record<string, unknown>;
const batchOf = (b: number): Row[] =>
  Array.from({ length: ROWS }, (_, i) => {
    const id = b * ROWS + i;
    return {
      id,
      uuid: `${id.toString(16).padStart(12, '0')}-4a1b-9c2d-${(id * 7919).toString(16).padStart(12, '0')}`,
      name: `Customer ${id}`,
      email: `user${id}@example.com`,
      amount: (id % 10_000) / 100,
      quantity: id % 100,
      score: (id % 997) / 997,
      created_at: new Date(1_767_225_600_000 + id * 1000).toISOString(),
      updated_at: id % 3 === 0 ? null : new Date(1_780_000_000_000 + id * 1000).toISOString(),
      note: id % 5 === 0 ? null : `note ${id}`,
    };
  });

/** Slow: waits for the timers phase a few times, so the other stages race ahead if nothing holds them back. */
const slowly = async () => {
  for (let i = 0; i < 3; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

async function measure(slow: 'read' | 'transform' | 'write' | 'commit') {
  gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  let alive = 0;
  let maxAlive = 0;
  const sample = () => {
    gc?.();
    peak = Math.max(peak, process.memoryUsage().heapUsed - base);
  };
  async function* read(): AsyncGenerator<Row[]> {
    for (let b = 0; b < BATCHES; b += 1) {
      alive += 1;
      maxAlive = Math.max(maxAlive, alive);
      if (slow === 'read') await slowly();
      yield batchOf(b);
    }
  }
  const committed = await drivePipeline({
    read: read(),
    async transform(rows) {
      if (slow === 'transform') await slowly();
      return rows.map((r) => ({ ...r, commission: Number(r.amount) * 0.1 }));
    },
    async write(rows) {
      if (slow === 'write') await slowly();
      return rows;
    },
    async commit(_rows, index) {
      if (slow === 'commit') await slowly();
      if (index % 10 === 0) sample();
      alive -= 1;
    },
  });
  return { committed, maxAlive, peakMb: Math.round((peak / 1048576) * 10) / 10 };
}

const result: Record<string, unknown> = {};
for (const slow of ['read', 'transform', 'write', 'commit'] as const) result[slow] = await measure(slow);
console.log(JSON.stringify(result));
