import { describe, expect, it } from 'vitest';
import { bindSqlParams, SqlParamError, sqlParamNames } from './sql-params';

describe('SQL filter parameters', () => {
  it('turns each {{name}} into a numbered bind parameter, reusing the number of a repeated name', () => {
    const bound = bindSqlParams('SELECT * FROM orders WHERE created_at >= {{since}} AND region = {{ region }} OR updated_at >= {{since}}', new Map<string, unknown>([['since', '2024-01-01'], ['region', 'EU']]));
    expect(bound).toEqual({ text: 'SELECT * FROM orders WHERE created_at >= $1 AND region = $2 OR updated_at >= $1', values: ['2024-01-01', 'EU'] });
  });

  it('numbers after the parameters Weft already uses', () => {
    expect(bindSqlParams('SELECT 1 WHERE a = {{x}}', new Map([['x', 1]]), 3).text).toBe('SELECT 1 WHERE a = $3');
  });

  it('keeps a value holding SQL out of the text', () => {
    const evil = "x'; DROP TABLE orders; --";
    const bound = bindSqlParams('SELECT * FROM t WHERE name = {{who}}', new Map([['who', evil]]));
    expect(bound.text).toBe('SELECT * FROM t WHERE name = $1');
    expect(bound.text).not.toContain('DROP');
    expect(bound.values).toEqual([evil]);
  });

  it('leaves placeholders inside strings, quoted names, dollar quotes and comments alone', () => {
    const sql = `SELECT '{{a}}', "{{a}}", $q$ {{a}} $q$ -- {{a}}\n /* {{a}} */ , {{a}}`;
    expect(bindSqlParams(sql, new Map([['a', 1]])).text).toBe(`SELECT '{{a}}', "{{a}}", $q$ {{a}} $q$ -- {{a}}\n /* {{a}} */ , $1`);
    expect(sqlParamNames(sql)).toEqual(['a']);
  });

  it('names a placeholder the run has no parameter for', () => {
    expect(() => bindSqlParams('SELECT {{nope}}', new Map())).toThrow(SqlParamError);
    expect(() => bindSqlParams('SELECT {{nope}}', new Map())).toThrow(/no parameter "nope"/);
  });
});
