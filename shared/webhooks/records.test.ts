import { describe, expect, it } from 'vitest';
import { webhookRows } from './records';

describe('webhookRows', () => {
  it('says a body nested past what flattening can follow is unreadable, instead of throwing in every run that reads it', () => {
    const deep = `{"a":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`;
    expect(webhookRows(deep, '')).toEqual({ ok: false, reason: 'The body nests objects or arrays too deeply to read (thousands of levels)' });
    const deepArray = `{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    expect(webhookRows(deepArray, '')).toMatchObject({ ok: false });
    expect(webhookRows('{"a":{"b":1}}', '')).toEqual({ ok: true, rows: [{ 'a.b': '1' }] });
  });

  it('refuses, in words and at once, a body whose nested names would add up past the budget (a long key over many fields)', () => {
    // 1 MiB of key over 2,000 fields: 1 MiB of JSON, 2 GB of dotted names (review15a: the process died).
    const body = JSON.stringify({ ['k'.repeat(1 << 20)]: Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`f${i}`, i])) });
    const started = process.hrtime.bigint();
    expect(webhookRows(body, '')).toEqual({ ok: false, reason: expect.stringMatching(/^The body cannot be read: its nested field names add up to more than 16,000,000 characters/) });
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5_000);
    // A wide and deep ordinary record is far inside it.
    const wide = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`field_${i}`, { address: { city: 'Oslo', zip: '0150' } }]));
    const read = webhookRows(JSON.stringify(wide), '');
    expect(read.ok && Object.keys(read.rows[0]!).length).toBe(4_000);
  });
});
