import { describe, expect, it } from 'vitest';
import { zeroCounts, type RunStep } from '../../shared';
import { runBar } from './run-progress';

const step = (label: string, read: number, progress?: RunStep['progress']): RunStep => ({
  nodeId: label,
  kind: 'csv-source',
  label,
  status: 'running',
  counts: { ...zeroCounts(), read },
  startedAt: null,
  endedAt: null,
  error: null,
  ...(progress && { progress }),
});
const started = '2026-12-06T04:00:00.000Z';
const at = (seconds: number) => Date.parse(started) + seconds * 1000;

describe('the run page progress bar', () => {
  it('reads a file source\'s bytes against its size, with the time left at the pace so far', () => {
    const run = { startedAt: started, counts: { ...zeroCounts(), read: 500 }, steps: [step('orders.csv', 500, { unit: 'bytes', done: 2_500_000, total: 10_000_000 }), step('Map', 500)] };
    expect(runBar(run, null, null, at(30))).toEqual({ fraction: 0.25, secondsLeft: 90, text: '25% of orders.csv (2.4 MB of 9.5 MB)' });
  });

  it('reads a table\'s rows against the database\'s estimate, never past 100%', () => {
    const run = { startedAt: started, counts: { ...zeroCounts(), read: 3_000 }, steps: [step('customers', 3_000, { unit: 'rows', total: 12_000 })] };
    expect(runBar(run, null, 100, at(10))).toMatchObject({ fraction: 0.25, secondsLeft: 30, text: '25% of about 12,000 rows in customers (the database\'s estimate)' });
    // An estimate below what was read (statistics out of date): full, no time left.
    const over = { ...run, steps: [step('customers', 13_000, { unit: 'rows', total: 12_000 })] };
    expect(runBar(over, null, 100, at(10))).toMatchObject({ fraction: 1, secondsLeft: 0 });
  });

  it('averages two sources, and falls back to an earlier run of the same files, else no bar', () => {
    const two = { startedAt: started, counts: zeroCounts(), steps: [step('a.csv', 0, { unit: 'bytes', done: 100, total: 100 }), step('b', 0, { unit: 'rows', total: 10 })] };
    expect(runBar(two, null, null, at(5))).toMatchObject({ fraction: 0.5, text: '50% of 2 sources' });
    const none = { startedAt: started, counts: { ...zeroCounts(), read: 40 }, steps: [step('x.xlsx', 40)] };
    expect(runBar(none, 160, 4, at(10))).toEqual({ fraction: 0.25, secondsLeft: 30, text: '25% of about 160 rows (the last run of these files)' });
    expect(runBar(none, null, 4, at(10))).toBeNull();
    // Nothing read yet: a bar at 0 with no time left to guess.
    const fresh = { startedAt: started, counts: zeroCounts(), steps: [step('a.csv', 0, { unit: 'bytes', done: 0, total: 100 })] };
    expect(runBar(fresh, null, null, at(1))).toMatchObject({ fraction: 0, secondsLeft: null });
  });
});
