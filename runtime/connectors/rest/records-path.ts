// Where the records are in a response: a JSONPath-like path (`$.data.items`, `data.items`, `results[0].rows`,
// `$['odd key']`), and the candidates a picker offers over a sample response.

/** The steps of a path; throws on text that is not one. */
export function parsePath(path: string): (string | number)[] {
  let text = path.trim();
  if (text === '' || text === '$') return [];
  if (text.startsWith('$')) text = text.slice(1);
  const steps: (string | number)[] = [];
  const re = /^(?:\.?([^.[\]'"]+)|\[(\d+)\]|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\])/;
  while (text !== '') {
    const m = re.exec(text);
    if (!m) throw new Error(`"${path}" is not a records path: write it like data.items or $.data.items`);
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else steps.push((m[3] ?? m[4]!).replace(/\\(.)/g, '$1'));
    text = text.slice(m[0].length);
  }
  return steps;
}

/** The value at `path`, or undefined where a step is missing (own properties only: `__proto__` is a name like any other). */
export function valueAt(value: unknown, path: string | (string | number)[]): unknown {
  let v = value;
  for (const step of typeof path === 'string' ? parsePath(path) : path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (typeof step === 'number') {
      if (!Array.isArray(v)) return undefined;
      v = v[step];
    } else {
      if (!Object.hasOwn(v, step)) return undefined;
      v = (v as Record<string, unknown>)[step];
    }
  }
  return v;
}

const SIMPLE = /^[A-Za-z_$][\w$-]*$/;
/** A path written back as text: dotted where it can be, bracketed where a name needs it. */
export function formatPath(steps: (string | number)[]): string {
  let out = '';
  for (const s of steps) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (SIMPLE.test(s)) out += out === '' ? s : `.${s}`;
    else out += `['${s.replace(/['\\]/g, '\\$&')}']`;
  }
  return out;
}

export interface PathCandidate {
  path: string;
  /** How many elements the array holds. */
  count: number;
  /** Whether its elements are objects (records). */
  records: boolean;
}

/** Every array in a sample response (up to a depth), records first and largest first: the picker's choices. */
export function recordsPathCandidates(sample: unknown, maxDepth = 6): PathCandidate[] {
  const out: PathCandidate[] = [];
  const walk = (v: unknown, steps: (string | number)[], depth: number) => {
    if (depth > maxDepth || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      out.push({ path: formatPath(steps), count: v.length, records: v.length > 0 && v.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e)) });
      if (v.length > 0) walk(v[0], [...steps, 0], depth + 1);
      return;
    }
    for (const [k, child] of Object.entries(v)) walk(child, [...steps, k], depth + 1);
  };
  walk(sample, [], 0);
  return out.filter((c) => !/\[0\]/.test(c.path) || c.records).sort((a, b) => Number(b.records) - Number(a.records) || b.count - a.count);
}

/** The records of a response at `path`: an array's objects; a single object at the path is one record. */
export function recordsAt(body: unknown, path: string): Record<string, unknown>[] | null {
  const v = valueAt(body, path);
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return v.map((e) => (e !== null && typeof e === 'object' && !Array.isArray(e) ? (e as Record<string, unknown>) : { value: e }));
  if (typeof v === 'object') return [v as Record<string, unknown>];
  return null;
}
