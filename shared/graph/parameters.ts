// Run parameters an integration declares: each run gives values (or takes the defaults), formulas read them with
// PARAM("name") and SQL filters with {{name}} (a bind parameter). Declared on the graph, so a version freezes them.
import { z } from 'zod';

export const ParameterType = z.enum(['text', 'number', 'date', 'boolean']);
export type ParameterType = z.infer<typeof ParameterType>;

export const PARAMETER_TYPE_LABELS: Record<ParameterType, string> = { text: 'Text', number: 'Number', date: 'Date', boolean: 'Boolean' };

/** A parameter name: what PARAM("…") and {{…}} name, so letters, digits and underscores only. */
export const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const isRealDate = (s: string) => ISO_DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

export const RunParameter = z.object({
  // Lenient on purpose (a half-typed draft still saves); the compiler reports a bad name or default.
  name: z.string().max(64),
  type: ParameterType,
  required: z.boolean().default(false),
  /** Used when a run gives no value: text, a number, TRUE/FALSE, or a date as YYYY-MM-DD. */
  default: z.union([z.string(), z.number(), z.boolean()]).nullable().optional(),
  description: z.string().max(500).optional(),
});
export type RunParameter = z.infer<typeof RunParameter>;

/** The zod schema of one value of a parameter of this type. Dates are calendar dates written YYYY-MM-DD. */
export function parameterValueSchema(type: ParameterType): z.ZodType<string | number | boolean> {
  switch (type) {
    case 'text':
      return z
        .string({ error: 'must be text' })
        .max(10_000, 'must be at most 10,000 characters')
        .refine((s) => !s.includes('\u0000'), 'cannot contain the character U+0000 (NUL)');
    case 'number':
      return z
        .number({
          // "007" (or "7") as text is not taken for 7: a JSON number is what a Number parameter reads.
          error: (iss) => (typeof iss.input === 'string' ? `must be a number, not the text ${JSON.stringify(iss.input.slice(0, 40))}` : 'must be a number'),
        })
        .finite('must be a finite number')
        // Past 2^53 a JSON number has already lost digits when it is read (9007199254740993 arrives as …992).
        .refine((n) => Math.abs(n) <= Number.MAX_SAFE_INTEGER, 'is too large to keep exactly (beyond ±9,007,199,254,740,991, 2^53 − 1)');
    case 'boolean':
      return z.boolean({ error: 'must be true or false' });
    case 'date':
      return z.string({ error: 'must be a date written YYYY-MM-DD' }).refine(isRealDate, 'must be a date written YYYY-MM-DD');
  }
}

export interface ParameterIssue {
  /** `params.<name>`, as the API names the field. */
  path: string;
  message: string;
}

/**
 * A run's parameter values checked against the declarations: each declared one of its type, every required one
 * given (a default counts), defaults filled in. Values for names nobody declared are refused, so a typo is not
 * silently ignored. With no declarations at all, anything goes (runs before parameters existed passed free params).
 */
/** Run settings given like parameters but never declared: the verdict's share of rejections, two-way sync's "Rebuild matching". */
const RUN_SETTINGS = new Set(['maxRejectedPercent', 'rebuildMatching']);

/**
 * A run setting's value as the run reads it (run-verdict.ts `rejectLimit`, the two-way engine's rebuild), or why not.
 * They were passed on unchecked (sched13): any value of any size went into the run and its workflow input, where a large
 * one made Temporal refuse the start (a 503 that blamed the engine) and a wrong one was silently ignored.
 */
function runSettingIssue(name: string, value: unknown): string | null {
  if (value === null) return null;
  if (name === 'maxRejectedPercent') {
    const n = typeof value === 'string' && /^\d{1,3}(\.\d{1,6})?$/.test(value) ? Number(value) : value;
    return typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 100 ? null : 'The run setting "maxRejectedPercent" must be a number from 0 to 100';
  }
  if (name === 'rebuildMatching') return value === true || value === false || value === 'true' || value === 'false' ? null : 'The run setting "rebuildMatching" must be true or false';
  return null;
}

/** Without declarations any parameters pass, within bounds a run's record and its workflow input can carry. */
export const MAX_UNDECLARED_PARAMS = 100;
export const MAX_UNDECLARED_VALUE_CHARS = 10_000;
function undeclaredIssues(given: Record<string, unknown>): ParameterIssue[] {
  const names = Object.keys(given);
  if (names.length > MAX_UNDECLARED_PARAMS) return [{ path: 'params', message: `At most ${MAX_UNDECLARED_PARAMS} parameters (this run gives ${names.length})` }];
  return names.flatMap((name) => {
    if (name.length > 64) return [{ path: `params.${name.slice(0, 64)}…`, message: 'A parameter name has at most 64 characters' }];
    const setting = RUN_SETTINGS.has(name) ? runSettingIssue(name, given[name]) : null;
    if (setting) return [{ path: `params.${name}`, message: setting }];
    const size = JSON.stringify(given[name] ?? null).length;
    return size > MAX_UNDECLARED_VALUE_CHARS ? [{ path: `params.${name}`, message: `The parameter "${name}" is too large (${size.toLocaleString('en-US')} characters as JSON; at most ${MAX_UNDECLARED_VALUE_CHARS.toLocaleString('en-US')})` }] : [];
  });
}

export function resolveRunParams(
  declared: readonly RunParameter[] | undefined,
  given: Record<string, unknown>,
): { ok: true; params: Record<string, unknown> } | { ok: false; issues: ParameterIssue[] } {
  if (!declared || declared.length === 0) {
    const issues = undeclaredIssues(given);
    return issues.length > 0 ? { ok: false, issues } : { ok: true, params: { ...given } };
  }
  const issues: ParameterIssue[] = [];
  const params: Record<string, unknown> = Object.create(null);
  const byName = new Map(declared.map((p) => [p.name, p]));
  for (const name of Object.keys(given)) {
    // maxRejectedPercent is a run setting the verdict reads (run-verdict.ts), not a declared parameter.
    if (!byName.has(name) && !RUN_SETTINGS.has(name)) {
      issues.push({ path: `params.${name}`, message: `Unknown parameter "${name}"; this integration declares ${declared.map((p) => `"${p.name}"`).join(', ')}` });
    } else if (RUN_SETTINGS.has(name)) {
      const problem = runSettingIssue(name, given[name]);
      if (problem) issues.push({ path: `params.${name}`, message: problem });
      else params[name] = given[name];
    }
  }
  for (const p of declared) {
    const raw = Object.hasOwn(given, p.name) ? given[p.name] : undefined;
    const value = raw === undefined || raw === null || raw === '' ? (p.default ?? null) : raw;
    if (value === null || value === '') {
      if (p.required) issues.push({ path: `params.${p.name}`, message: `The parameter "${p.name}" is required` });
      continue;
    }
    const parsed = parameterValueSchema(p.type).safeParse(value);
    if (!parsed.success) issues.push({ path: `params.${p.name}`, message: `The parameter "${p.name}" ${parsed.error.issues[0]?.message ?? 'has the wrong type'}` });
    else params[p.name] = parsed.data;
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, params: { ...params } };
}

/**
 * An earlier run's values as a run of the version declaring `declared` takes them when no one can give new ones (a
 * resubmit of records that run rejected): the values of the parameters the version still declares, when they still
 * fit their type, and the run settings; the others are left out, so the version's defaults apply (probe21: a parameter
 * removed since answered "Unknown parameter" for ever). Without declarations, every value (free parameters).
 */
export function carriedParams(declared: readonly RunParameter[] | undefined, earlier: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (!declared || declared.length === 0) return { ...earlier };
  const byName = new Map(declared.map((p) => [p.name, p]));
  const out: Record<string, unknown> = Object.create(null);
  for (const name of Object.keys(earlier)) {
    const p = byName.get(name);
    const value = earlier[name];
    if (RUN_SETTINGS.has(name) ? runSettingIssue(name, value) === null : p !== undefined && parameterValueSchema(p.type).safeParse(value).success) out[name] = value;
  }
  return { ...out };
}

/**
 * Why an earlier run's values do not fit the version declaring `declared`, in words ("it gave "region", which the
 * version no longer declares; …"), or null ("Run again with the same settings" of a run from before a change).
 */
export function earlierParamsProblem(declared: readonly RunParameter[] | undefined, earlier: Readonly<Record<string, unknown>>): string | null {
  const checked = resolveRunParams(declared, earlier);
  if (checked.ok) return null;
  const byName = new Map((declared ?? []).map((p) => [p.name, p]));
  const words = checked.issues.map((issue) => {
    const name = issue.path.slice('params.'.length);
    if (declared && declared.length > 0 && !byName.has(name) && !RUN_SETTINGS.has(name)) return `it gave "${name}", which the version no longer declares`;
    return issue.message.replace(/^The parameter /, 'the parameter ');
  });
  return words.join('; ');
}

/** What is wrong with the declarations themselves (for the compiler): names, duplicates, defaults of the wrong type. */
export function parameterDeclarationIssues(declared: readonly RunParameter[] | undefined): { index: number; field: 'name' | 'default'; message: string }[] {
  const out: { index: number; field: 'name' | 'default'; message: string }[] = [];
  const seen = new Set<string>();
  for (const [index, p] of (declared ?? []).entries()) {
    if (!PARAMETER_NAME.test(p.name)) out.push({ index, field: 'name', message: `Parameter ${index + 1}: a name is letters, digits and _ (not starting with a digit), such as since` });
    else if (seen.has(p.name)) out.push({ index, field: 'name', message: `Two parameters are named "${p.name}"` });
    seen.add(p.name);
    if (p.default !== undefined && p.default !== null && p.default !== '' && !parameterValueSchema(p.type).safeParse(p.default).success) {
      out.push({ index, field: 'default', message: `The default of "${p.name}" ${parameterValueSchema(p.type).safeParse(p.default).error?.issues[0]?.message ?? 'has the wrong type'}` });
    }
  }
  return out;
}
