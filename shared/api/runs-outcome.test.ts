import { describe, expect, it } from 'vitest';
import { outcomeSummary } from './runs';

describe('outcomeSummary', () => {
  it('says a second run of the same file left every row unchanged, without zeros', () => {
    expect(outcomeSummary({ created: 0, updated: 0, unchanged: 3400, rejected: 0 })).toBe('3,400 unchanged');
  });
  it('names each outcome that happened, in order', () => {
    expect(outcomeSummary({ created: 12, updated: 3, unchanged: 3385, rejected: 2 })).toBe('12 created, 3 updated, 3,385 unchanged, 2 rejected');
    expect(outcomeSummary({ created: 0, updated: 0, unchanged: 0, rejected: 0 })).toBe('Nothing written');
  });
});
