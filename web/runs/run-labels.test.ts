import { describe, expect, it } from 'vitest';
import { startedByLabel, TRIGGER_LABELS } from './run-labels';

describe('who or what started a run', () => {
  it('names each of the ways a run starts: person, schedule, set, trigger API, resubmit', () => {
    expect(startedByLabel({ trigger: 'manual', startedBy: 'Ada Lovelace' })).toBe('Manual · Ada Lovelace');
    expect(startedByLabel({ trigger: 'rerun', startedBy: 'Ada Lovelace' })).toBe('Run again · Ada Lovelace');
    expect(startedByLabel({ trigger: 'schedule', startedBy: null })).toBe('Scheduled');
    expect(startedByLabel({ trigger: 'api', startedBy: 'trigger:nightly' })).toBe('API · trigger token nightly');
    expect(startedByLabel({ trigger: 'api', startedBy: 'token:ci' })).toBe('API · token ci');
    expect(startedByLabel({ trigger: 'resubmit', startedBy: 'Ada Lovelace' })).toBe('Resubmit · Ada Lovelace');
    expect(startedByLabel({ trigger: 'resubmit', startedBy: null })).toBe('Resubmit');
  });

  it('says which set started a member run when it knows, and "Set" when it does not', () => {
    expect(startedByLabel({ trigger: 'set', startedBy: null, setName: 'Nightly ERP' })).toBe('Set: Nightly ERP');
    expect(startedByLabel({ trigger: 'set', startedBy: 'set:Nightly ERP' })).toBe('Set: Nightly ERP');
    expect(startedByLabel({ trigger: 'schedule', startedBy: 'set:Month end' })).toBe('Set: Month end');
    expect(startedByLabel({ trigger: 'set', startedBy: null })).toBe('Set');
    expect(startedByLabel({ trigger: 'set', startedBy: null, setName: '' })).toBe('Set');
  });

  it('shows a trigger it does not know as stored, and never reads a label off the prototype', () => {
    expect(startedByLabel({ trigger: 'carrier-pigeon', startedBy: null })).toBe('carrier-pigeon');
    expect(startedByLabel({ trigger: 'webhook', startedBy: null, webhookRequests: 1250 })).toBe('Webhook · 1,250 requests');
    expect(startedByLabel({ trigger: 'constructor', startedBy: null })).toBe('constructor');
    expect(startedByLabel({ trigger: '__proto__', startedBy: 'x' })).toBe('__proto__ · x');
    expect(Object.keys(TRIGGER_LABELS).sort()).toEqual(['api', 'manual', 'rerun', 'resubmit', 'schedule', 'set', 'webhook']);
  });
});

describe('a set member run as the set records it', () => {
  it('reads the set name from startedBy', () => {
    expect(startedByLabel({ trigger: 'set', startedBy: 'Nightly chain' })).toBe('Set: Nightly chain');
    expect(startedByLabel({ trigger: 'api', startedBy: 'trigger:nightly' })).toBe('API · trigger token nightly');
    expect(startedByLabel({ trigger: 'schedule', startedBy: null })).toBe('Scheduled');
  });
});
