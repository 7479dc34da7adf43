import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Graph } from './schema';
import { checkFormula, compileFormula } from '../formula';
import { compile } from '../compiler';
import { carriedParams, earlierParamsProblem, parameterDeclarationIssues, resolveRunParams, type RunParameter } from './parameters';

const DECLARED: RunParameter[] = [
  { name: 'since', type: 'date', required: true },
  { name: 'limit', type: 'number', required: false, default: 100 },
  { name: 'region', type: 'text', required: false },
  { name: 'dryRun', type: 'boolean', required: false, default: false },
];

describe('run parameters', () => {
  it('fills defaults and keeps typed values', () => {
    expect(resolveRunParams(DECLARED, { since: '2024-03-01', region: 'EU' })).toEqual({
      ok: true,
      params: { since: '2024-03-01', limit: 100, region: 'EU', dryRun: false },
    });
  });

  it('names each parameter of the wrong type, the missing required one and an undeclared one', () => {
    const result = resolveRunParams(DECLARED, { limit: '100', dryRun: 'yes', regoin: 'EU' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { path: 'params.regoin', message: 'Unknown parameter "regoin"; this integration declares "since", "limit", "region", "dryRun"' },
      { path: 'params.since', message: 'The parameter "since" is required' },
      { path: 'params.limit', message: 'The parameter "limit" must be a number, not the text "100"' },
      { path: 'params.dryRun', message: 'The parameter "dryRun" must be true or false' },
    ]);
  });

  it('refuses a date that is not a real calendar date', () => {
    const bad = resolveRunParams(DECLARED, { since: '2024-02-31' });
    expect(bad.ok).toBe(false);
    expect(resolveRunParams(DECLARED, { since: '2024-02-29' }).ok).toBe(true);
  });

  it('takes any params when nothing is declared (runs before parameters existed)', () => {
    expect(resolveRunParams(undefined, { anything: 1 })).toEqual({ ok: true, params: { anything: 1 } });
  });

  it('checks the run settings it lets through, declared parameters or not (sched13: they were passed on unchecked)', () => {
    for (const declared of [DECLARED, []]) {
      const given = declared.length > 0 ? { since: '2024-03-01' } : {};
      expect(resolveRunParams(declared, { ...given, maxRejectedPercent: 5, rebuildMatching: true })).toMatchObject({ ok: true, params: { maxRejectedPercent: 5, rebuildMatching: true } });
      expect(resolveRunParams(declared, { ...given, maxRejectedPercent: '12.5', rebuildMatching: 'false' }).ok).toBe(true);
      expect(resolveRunParams(declared, { ...given, maxRejectedPercent: 'x'.repeat(3_000_000), rebuildMatching: 'yes please' })).toEqual({
        ok: false,
        issues: [
          { path: 'params.maxRejectedPercent', message: 'The run setting "maxRejectedPercent" must be a number from 0 to 100' },
          { path: 'params.rebuildMatching', message: 'The run setting "rebuildMatching" must be true or false' },
        ],
      });
      expect(resolveRunParams(declared, { ...given, maxRejectedPercent: 101 }).ok).toBe(false);
      expect(resolveRunParams(declared, { ...given, maxRejectedPercent: { valueOf: 5 } }).ok).toBe(false);
    }
  });

  it('bounds what an integration without declarations takes: 100 parameters, 10,000 characters each', () => {
    expect(resolveRunParams([], { note: 'x'.repeat(10_000 - 2) }).ok).toBe(true);
    expect(resolveRunParams([], { note: 'x'.repeat(3_000_000) })).toEqual({
      ok: false,
      issues: [{ path: 'params.note', message: 'The parameter "note" is too large (3,000,002 characters as JSON; at most 10,000)' }],
    });
    expect(resolveRunParams([], Object.fromEntries(Array.from({ length: 101 }, (_, k) => [`p${k}`, k])))).toEqual({ ok: false, issues: [{ path: 'params', message: 'At most 100 parameters (this run gives 101)' }] });
  });

  it('reports bad names, duplicates and defaults of the wrong type', () => {
    expect(
      parameterDeclarationIssues([
        { name: '1st', type: 'text', required: false },
        { name: 'a', type: 'number', required: false, default: 'x' },
        { name: 'a', type: 'text', required: false },
      ]).map((i) => [i.index, i.field]),
    ).toEqual([
      [0, 'name'],
      [1, 'default'],
      [2, 'name'],
    ]);
  });
});

describe('PARAM against the declarations', () => {
  const params = DECLARED.map((p) => ({ name: p.name, type: p.type }));

  it('gives the declared type, so a Number parameter takes part in arithmetic', () => {
    expect(checkFormula('PARAM("limit") * 2', { fields: [], params }).type).toEqual({ kind: 'Number' });
    expect(checkFormula('PARAM("since")', { fields: [], params }).type).toEqual({ kind: 'Date' });
    expect(checkFormula('IF(PARAM("dryRun"), 1, 0)', { fields: [], params }).diagnostics).toEqual([]);
    const f = compileFormula('PARAM("limit") * 2', { fields: [], params });
    expect(f.ok && f.evaluate({}, { params: new Map([['limit', 21]]) })).toEqual({ ok: true, value: 42 });
  });

  it('refuses a name the integration does not declare, with a suggestion', () => {
    const { diagnostics } = checkFormula('PARAM("limt")', { fields: [], params });
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([['unknown-param', 'Unknown parameter "limt". Did you mean "limit"?']]);
  });

  it('refuses a declared type used wrongly', () => {
    const { diagnostics } = checkFormula('UPPER(PARAM("limit"))', { fields: [], params });
    expect(diagnostics[0]?.severity).toBe('error');
  });

  it('is checked by the compiler with the graph\'s declarations, which the plan keeps', () => {
    const base = Graph.parse(JSON.parse(readFileSync(resolve(import.meta.dirname, '../../test/fixtures/graphs/customers-csv-map-workspace.json'), 'utf8')));
    const map = base.nodes.find((n) => n.kind === 'map');
    if (!map) throw new Error('the fixture has a map');
    const withFormula = (formula: string) => ({
      ...base,
      nodes: [...base.nodes.filter((n) => n.id !== map.id), { ...map, config: { ...map.config, fields: [...((map.config.fields as unknown[]) ?? []), { from: 'formula', target: 'Batch size', type: 'number', formula }] } }],
      parameters: DECLARED,
    });
    // (The fixture's file source has no preview stamp, so the compiler asks for one; the formula itself is fine.)
    expect(compile(withFormula('PARAM("limit") * 2')).diagnostics.filter((d) => d.code.startsWith('formula-'))).toEqual([]);
    expect(compile(withFormula('PARAM("limit")')).diagnostics.filter((d) => d.code.startsWith('formula-')).map((d) => d.message)).toEqual([]);
    const { diagnostics } = compile(withFormula('PARAM("nope")'));
    expect(diagnostics.some((d) => d.code === 'formula-unknown-param' && d.nodeId === map.id)).toBe(true);
    const graph = withFormula('1');
    expect(compile({ ...graph, parameters: [{ name: 'bad name', type: 'text', required: false }] }).diagnostics.some((d) => d.code === 'bad-parameter' && d.path === 'parameters.0.name')).toBe(true);
  });
});

describe('run parameters without declarations, from a hostile body', () => {
  it('keeps __proto__ and constructor as plain names, checks the run settings, and never touches a prototype', () => {
    const given = JSON.parse('{"__proto__":{"polluted":true},"constructor":"a\\u0000b","big":9007199254740993,"zip":"007"}') as Record<string, unknown>;
    const result = resolveRunParams(undefined, given);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.keys(result.params).sort()).toEqual(['__proto__', 'big', 'constructor', 'zip']);
    expect(Object.getPrototypeOf(result.params)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(result.params.constructor).toBe('a\u0000b');
    expect(result.params.zip).toBe('007');
    // A run setting past 2^53 or out of range is refused by name; a leading zero in its text is its number.
    for (const bad of [9007199254740993, -1, '1e3', 'NaN', Infinity]) {
      const r = resolveRunParams(undefined, { maxRejectedPercent: bad });
      expect(r.ok, String(bad)).toBe(false);
      if (!r.ok) expect(r.issues[0]!.path).toBe('params.maxRejectedPercent');
    }
    expect(resolveRunParams(undefined, { maxRejectedPercent: '007' }).ok).toBe(true);
  });
});

describe('an earlier run\'s values under a changed version (probe21)', () => {
  const declared: RunParameter[] = [
    { name: 'since', type: 'date', required: false, default: '2026-01-01' },
    { name: 'limit', type: 'number', required: false, default: 10 },
  ];
  it('keeps the declared values that still fit and the run settings, and leaves out the rest', () => {
    const earlier = JSON.parse('{"since":"2026-05-01","limit":"many","region":"us","maxRejectedPercent":50,"__proto__":{"x":1}}') as Record<string, unknown>;
    const carried = carriedParams(declared, earlier);
    expect(carried).toEqual({ since: '2026-05-01', maxRejectedPercent: 50 });
    expect(Object.getPrototypeOf(carried)).toBe(Object.prototype);
    expect(resolveRunParams(declared, carried)).toEqual({ ok: true, params: { since: '2026-05-01', limit: 10, maxRejectedPercent: 50 } });
    // Without declarations: free parameters, all kept.
    expect(carriedParams(undefined, { region: 'us' })).toEqual({ region: 'us' });
  });
  it('says in words what no longer fits', () => {
    expect(earlierParamsProblem(declared, { since: '2026-05-01' })).toBeNull();
    expect(earlierParamsProblem(declared, { region: 'us', limit: 'many' })).toBe('it gave "region", which the version no longer declares; the parameter "limit" must be a number, not the text "many"');
  });
});
