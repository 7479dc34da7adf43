import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../shared';
import { diagnosticsAt, diagnosticsUnder, getAt, setAt, unplacedDiagnostics } from './config-path';

describe('config paths', () => {
  it('gets and sets immutably', () => {
    const cfg = { fields: [{ source: 'a', target: 'a' }], mode: 'upsert' };
    const next = setAt(cfg, 'fields.0.target', 'b');
    expect(getAt(next, 'fields.0.target')).toBe('b');
    expect(cfg.fields[0]?.target).toBe('a');
    expect(next.mode).toBe('upsert');
    expect(setAt({}, 'a.0.b', 1)).toEqual({ a: [{ b: 1 }] });
    expect(getAt(cfg, 'nope.deeper')).toBeUndefined();
  });

  it('matches diagnostics to fields', () => {
    const d = (path?: string): Diagnostic => ({ severity: 'error', code: 'x', message: path ?? '-', ...(path ? { path } : {}) });
    const ds = [d('fields'), d('fields.1.type'), d('mode'), d(), d('fileName')];
    expect(diagnosticsAt(ds, 'fields').map((x) => x.path)).toEqual(['fields']);
    expect(diagnosticsUnder(ds, 'fields').map((x) => x.path)).toEqual(['fields', 'fields.1.type']);
    expect(unplacedDiagnostics(ds, ['fields', 'mode']).map((x) => x.message)).toEqual(['-', 'fileName']);
  });
});
