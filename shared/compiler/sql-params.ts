// Run parameters in a SQL filter: `{{since}}` becomes a bind parameter ($1 on Postgres), its value sent apart from
// the text. Never spliced into the SQL: a value holding SQL stays a value. Placeholders inside quotes or comments are
// left alone (they are text there).

const PLACEHOLDER = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/;

export class SqlParamError extends Error {}

/** The parameter names a filter's placeholders use, in order of appearance (repeats kept once). */
export function sqlParamNames(sql: string): string[] {
  const names: string[] = [];
  scan(sql, (name) => {
    if (!names.includes(name)) names.push(name);
    return '';
  });
  return names;
}

/**
 * The filter with each `{{name}}` replaced by `$<n>` (numbered from `first`; the same name reuses its number), and
 * the values in order. A name with no value (not declared, or blank in this run) is an error naming it.
 */
export function bindSqlParams(sql: string, params: ReadonlyMap<string, unknown>, first = 1): { text: string; values: unknown[] } {
  const numbers = new Map<string, number>();
  const values: unknown[] = [];
  const text = scan(sql, (name) => {
    let n = numbers.get(name);
    if (n === undefined) {
      if (!params.has(name)) throw new SqlParamError(`The SQL filter uses {{${name}}}, but the run has no parameter "${name}"; declare it on the integration (or give it a value)`);
      values.push(params.get(name) ?? null);
      n = first + values.length - 1;
      numbers.set(name, n);
    }
    return `$${n}`;
  });
  return { text, values };
}

/** Walks the SQL, replacing placeholders outside string literals, quoted identifiers, dollar quotes and comments. */
function scan(sql: string, replace: (name: string) => string): string {
  let out = '';
  let i = 0;
  const copyUntil = (end: number) => {
    out += sql.slice(i, end);
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i];
    const rest = sql.slice(i);
    if (c === "'" || c === '"') {
      // '...' and "..." with doubled quotes inside; E'..' backslashes are rare in filters and end at the same quote.
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '\\' && c === "'" && /[eE]$/.test(sql.slice(0, i))) j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      copyUntil(Math.min(sql.length, j + 1));
    } else if (rest.startsWith('--')) {
      const end = sql.indexOf('\n', i);
      copyUntil(end < 0 ? sql.length : end);
    } else if (rest.startsWith('/*')) {
      const end = sql.indexOf('*/', i + 2);
      copyUntil(end < 0 ? sql.length : end + 2);
    } else if (c === '$' && /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.test(rest) && !/[A-Za-z0-9_]$/.test(sql.slice(0, i))) {
      const tag = (/^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(rest) as RegExpExecArray)[0];
      const end = sql.indexOf(tag, i + tag.length);
      copyUntil(end < 0 ? sql.length : end + tag.length);
    } else {
      const m = c === '{' ? PLACEHOLDER.exec(rest) : null;
      if (m) {
        out += replace(m[1] as string);
        i += m[0].length;
      } else {
        out += c;
        i++;
      }
    }
  }
  return out;
}
