// The part of SOQL the local Salesforce server understands (what Weft sends and a little more):
// SELECT fields | COUNT() FROM object [WHERE condition] [ORDER BY field [ASC|DESC], ...] [LIMIT n], with AND/OR/NOT,
// parentheses, = != < <= > >= IN (...), and literals as Salesforce writes them: 'text' with backslash escapes,
// numbers, true/false/null, and unquoted dates (2026-01-31) and datetimes (2026-01-31T10:00:00Z, +hh:mm offsets).
export type Literal = { kind: 'string'; value: string } | { kind: 'number'; value: string } | { kind: 'bool'; value: boolean } | { kind: 'null' } | { kind: 'date'; value: string } | { kind: 'datetime'; value: string };

export type Condition =
  | { op: 'and' | 'or'; left: Condition; right: Condition }
  | { op: 'not'; inner: Condition }
  | { op: 'cmp'; field: string; cmp: '=' | '!=' | '<' | '<=' | '>' | '>='; value: Literal }
  | { op: 'in'; field: string; values: Literal[] };

export interface SoqlQuery {
  fields: string[];
  count: boolean;
  object: string;
  where: Condition | null;
  orderBy: { field: string; desc: boolean }[];
  limit: number | null;
}

export class SoqlError extends Error {}

const TOKEN = /\s*(?:('(?:[^'\\]|\\.)*')|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2}))|(\d{4}-\d{2}-\d{2})(?![\dT])|(-?\d+(?:\.\d+)?)|(!=|<=|>=|<>|[=<>(),])|([A-Za-z_][A-Za-z0-9_.]*))/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new SoqlError(`unexpected token at position ${at}: ${text.slice(at, at + 20)}`);
    out.push(m[0].trim());
    at = TOKEN.lastIndex;
  }
  return out;
}

export function parseSoql(text: string): SoqlQuery {
  const t = tokenize(text);
  let i = 0;
  const peek = () => t[i];
  const upper = () => (t[i] ?? '').toUpperCase();
  const expect = (word: string) => {
    if (upper() !== word) throw new SoqlError(`expected ${word} at '${t[i] ?? 'end'}'`);
    i++;
  };
  expect('SELECT');
  const fields: string[] = [];
  let count = false;
  if (upper() === 'COUNT' && t[i + 1] === '(' && t[i + 2] === ')') {
    count = true;
    i += 3;
  } else {
    for (;;) {
      const f = t[i++];
      if (!f || !/^[A-Za-z_]/.test(f)) throw new SoqlError(`expected a field name at '${f ?? 'end'}'`);
      fields.push(f);
      if (peek() !== ',') break;
      i++;
    }
  }
  expect('FROM');
  const object = t[i++];
  if (!object) throw new SoqlError('expected an object after FROM');

  const literal = (): Literal => {
    const v = t[i++];
    if (v === undefined) throw new SoqlError('expected a value');
    if (v.startsWith("'")) return { kind: 'string', value: v.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c) };
    if (/^-?\d+(\.\d+)?$/.test(v)) return { kind: 'number', value: v };
    if (/^\d{4}-\d{2}-\d{2}T/.test(v)) return { kind: 'datetime', value: v };
    if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return { kind: 'date', value: v };
    const u = v.toUpperCase();
    if (u === 'TRUE' || u === 'FALSE') return { kind: 'bool', value: u === 'TRUE' };
    if (u === 'NULL') return { kind: 'null' };
    throw new SoqlError(`unexpected value '${v}'`);
  };
  const primary = (): Condition => {
    if (upper() === 'NOT') {
      i++;
      return { op: 'not', inner: primary() };
    }
    if (peek() === '(') {
      i++;
      const inner = or();
      if (t[i++] !== ')') throw new SoqlError('expected )');
      return inner;
    }
    const field = t[i++];
    if (!field || !/^[A-Za-z_]/.test(field)) throw new SoqlError(`expected a field at '${field ?? 'end'}'`);
    if (upper() === 'IN') {
      i++;
      if (t[i++] !== '(') throw new SoqlError('expected ( after IN');
      const values: Literal[] = [];
      for (;;) {
        values.push(literal());
        const sep = t[i++];
        if (sep === ')') break;
        if (sep !== ',') throw new SoqlError('expected , or ) in IN list');
      }
      return { op: 'in', field, values };
    }
    const cmp = t[i++];
    if (!cmp || !['=', '!=', '<>', '<', '<=', '>', '>='].includes(cmp)) throw new SoqlError(`expected an operator after ${field}`);
    return { op: 'cmp', field, cmp: (cmp === '<>' ? '!=' : cmp) as '=', value: literal() };
  };
  const and = (): Condition => {
    let left = primary();
    while (upper() === 'AND') {
      i++;
      left = { op: 'and', left, right: primary() };
    }
    return left;
  };
  const or = (): Condition => {
    let left = and();
    while (upper() === 'OR') {
      i++;
      left = { op: 'or', left, right: and() };
    }
    return left;
  };
  let where: Condition | null = null;
  if (upper() === 'WHERE') {
    i++;
    where = or();
  }
  const orderBy: { field: string; desc: boolean }[] = [];
  if (upper() === 'ORDER') {
    i++;
    expect('BY');
    for (;;) {
      const field = t[i++];
      if (!field) throw new SoqlError('expected a field after ORDER BY');
      let desc = false;
      if (upper() === 'ASC' || upper() === 'DESC') desc = t[i++]!.toUpperCase() === 'DESC';
      orderBy.push({ field, desc });
      if (peek() !== ',') break;
      i++;
    }
  }
  let limit: number | null = null;
  if (upper() === 'LIMIT') {
    i++;
    limit = Number(t[i++]);
  }
  if (i < t.length) throw new SoqlError(`unexpected token '${t[i]}'`);
  return { fields, count, object, where, orderBy, limit };
}
