// Which source fields name a rejected record across runs (the inbox's one entry per record, inbox14).
import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../compiler/plan';
import { rejectedKeyFields, rejectedRecordKey } from './rejected-key';

const field = (name: string) => ({ name, type: 'text' as const });
const step = (nodeId: string, kind: string, config: Record<string, unknown> = {}, key: string[] = []): PlanStep => ({
  nodeId,
  kind,
  label: nodeId,
  config,
  input: { fields: [field('email'), field('name')], key },
  output: { fields: [field('Email'), field('Name'), field('__proto__')], key: [] },
});
const map = (fields: Record<string, unknown>[]) => step('map', 'map', { fields });

describe('rejectedKeyFields', () => {
  it('traces the target key back through Maps, filters and calculated fields to the source fields', () => {
    const steps = [step('src', 'csv-source'), step('f', 'filter'), map([{ from: 'field', source: 'Email', target: 'email', key: true }]), step('calc', 'calculated-field', { field: 'other' }), step('dst', 'workspace-target', {}, ['email'])];
    expect(rejectedKeyFields(steps)).toEqual(['Email']);
    expect(rejectedKeyFields([step('src', 'csv-source'), map([{ source: '__proto__', target: 'email' }]), step('dst', 'workspace-target', {}, ['email'])])).toEqual(['__proto__']);
  });

  it('is null (each rejection its own entry) when the key is not a source field', () => {
    const target = step('dst', 'workspace-target', {}, ['email']);
    expect(rejectedKeyFields([step('src', 'csv-source'), map([{ from: 'formula', formula: 'LOWER([Email])', target: 'email' }]), target])).toBeNull();
    expect(rejectedKeyFields([step('src', 'csv-source'), map([{ from: 'constant', value: 'x', target: 'email' }]), target])).toBeNull();
    expect(rejectedKeyFields([step('src', 'csv-source'), step('calc', 'calculated-field', { field: 'email' }), target])).toBeNull();
    expect(rejectedKeyFields([step('src', 'csv-source'), step('dst', 'workspace-target')])).toBeNull(); // no key mapped
    expect(rejectedKeyFields([step('tw', 'two-way-sync')])).toBeNull();
    expect(rejectedKeyFields([step('src', 'csv-source'), map([{ source: 'Missing', target: 'email' }]), target])).toBeNull();
  });
});

describe('rejectedRecordKey', () => {
  it('keeps text exactly (past 2^53, leading zeros) and has no key for a missing or empty value', () => {
    expect(rejectedRecordKey(['Id'], { Id: '9007199254740993' })).not.toBe(rejectedRecordKey(['Id'], { Id: '9007199254740992' }));
    expect(rejectedRecordKey(['Id'], { Id: '007' })).not.toBe(rejectedRecordKey(['Id'], { Id: '7' }));
    expect(rejectedRecordKey(['Id'], { Id: 'a\u0000b' })).toBe('["a\\u0000b"]');
    expect(rejectedRecordKey(['Id'], { Id: ' ' })).toBeNull();
    expect(rejectedRecordKey(['Id'], {})).toBeNull();
    expect(rejectedRecordKey(['Id'], Object.create({ Id: 'inherited' }) as Record<string, unknown>)).toBeNull();
    expect(rejectedRecordKey(null, { Id: '1' })).toBeNull();
  });
});
