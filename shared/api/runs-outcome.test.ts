import { describe, expect, it } from 'vitest';
import { expectedRows, outcomeSummary, runProgress } from './runs';

describe('outcomeSummary', () => {
  it('says a second run of the same file left every row unchanged, without zeros', () => {
    expect(outcomeSummary({ created: 0, updated: 0, unchanged: 3400, rejected: 0 })).toBe('3,400 unchanged');
  });
  it('names each outcome that happened, in order', () => {
    expect(outcomeSummary({ created: 12, updated: 3, unchanged: 3385, rejected: 2 })).toBe('12 created, 3 updated, 3,385 unchanged, 2 rejected');
    expect(outcomeSummary({ created: 0, updated: 0, unchanged: 0, rejected: 0 })).toBe('Nothing written');
  });
});

describe('expectedRows and runProgress', () => {
  const file = (fileId: string) => ({ nodeId: 'source', nodeLabel: 'Orders', fileId, name: 'o.csv', size: 10, format: 'csv' as const, compression: 'none' as const, replaced: false });
  const counts = (read: number) => ({ read, written: read, created: read, updated: 0, unchanged: 0, rejected: 0 });
  it('takes the total from the last finished run that read the same files', () => {
    const earlier = [
      { id: 'r3', status: 'failed' as const, files: [file('f1')], counts: counts(10) },
      { id: 'r2', status: 'completed' as const, files: [file('f2')], counts: counts(99) },
      { id: 'r1', status: 'completed_with_errors' as const, files: [file('f1')], counts: counts(3400) },
    ];
    expect(expectedRows({ id: 'r4', files: [file('f1')] }, earlier)).toBe(3400);
    expect(expectedRows({ id: 'r4', files: [file('f9')] }, earlier)).toBeNull();
    expect(expectedRows({ id: 'r4', files: [] }, earlier)).toBeNull();
  });
  it('gives the fraction done and the time left at the rate so far', () => {
    expect(runProgress(1000, 4000, 500)).toEqual({ fraction: 0.25, secondsLeft: 6 });
    expect(runProgress(5000, 4000, 500)).toEqual({ fraction: 1, secondsLeft: 0 });
    expect(runProgress(0, 4000, null)).toEqual({ fraction: 0, secondsLeft: null });
  });
});
