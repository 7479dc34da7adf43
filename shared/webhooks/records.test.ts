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
});
