import { describe, expect, it } from 'vitest';
import { startedByLabel } from './run-labels';

describe('startedByLabel', () => {
  it('says which set started a member run, and keeps the other triggers', () => {
    expect(startedByLabel({ trigger: 'set', startedBy: 'Nightly chain' })).toBe('Set: Nightly chain');
    expect(startedByLabel({ trigger: 'api', startedBy: 'trigger:nightly' })).toBe('API · trigger token nightly');
    expect(startedByLabel({ trigger: 'schedule', startedBy: null })).toBe('Scheduled');
  });
});
