// What people read of an error never holds SQL text, the batch's values or server paths.
import { describe, expect, it } from 'vitest';
import { publicMessage } from './public-message';

describe('publicMessage', () => {
  it("keeps the driver's reason from a failed statement and drops the statement and its values", () => {
    const cause = Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' });
    const err = Object.assign(new Error('Failed query: insert into "workspace_records" ("values") values ($1)\nparams: {"email":"someone@else.io"}'), { query: 'insert …', params: ['x'], cause });
    const shown = publicMessage(err);
    expect(shown).toBe('The store could not save this batch: unsupported Unicode escape sequence');
  });

  it('replaces server paths and refuses to show a statement', () => {
    expect(publicMessage(new Error("ENOENT: no such file or directory, open '/srv/weft/data/files/file_123'"))).toBe("ENOENT: no such file or directory, open '[server path]'");
    expect(publicMessage(new Error('syntax error near SELECT id FROM secrets'))).toMatch(/details are in the server log/);
    expect(publicMessage(new Error('Connection terminated unexpectedly'))).toBe('Connection terminated unexpectedly');
  });

  it('cuts a long message', () => {
    expect(publicMessage(new Error('x'.repeat(140_000))).length).toBeLessThanOrEqual(500);
  });
});
