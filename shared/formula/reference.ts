// Renders the generated parts of docs/formulas.md from the function table, codes and limits.
import type { Field, Row } from '../graph/field-types';
import { counterpartOf, DIFFERENCES, REFERENCE_ERRATA } from './counterparts';
import { DIAGNOSTIC_CODES } from './diagnostics';
import { CATEGORIES } from './function-spec';
import { FUNCTIONS } from './functions';
import { LIMIT_DESCRIPTIONS, LIMITS } from './limits';
import { numberToText } from './runtime';
import type { FormulaType } from './types';
import { buildMemberDirectory } from '../members/directory';

/** The row every example in the function table runs against (the tests check each result). */
export const SAMPLE_FIELDS: Field[] = [
  { name: 'Amount', type: 'number' },
  { name: 'Discount', type: 'number' },
  { name: 'Country', type: 'text' },
  { name: 'Active', type: 'boolean' },
  { name: 'Name', type: 'text' },
  { name: 'Email', type: 'text' },
  { name: 'Notes', type: 'text' },
  { name: 'Start', type: 'date' },
  { name: 'Close Date', type: 'text' },
];

export const SAMPLE_ROW: Row = {
  Amount: 1234.5,
  Discount: null,
  Country: 'FR',
  Active: true,
  Name: ' Ada   Lovelace ',
  Email: 'ada@example.com',
  Notes: null,
  Start: '2026-01-05',
  'Close Date': '03/15/2026',
};

export const SAMPLE_VALUE_MAPS: Record<string, Record<string, unknown>> = {
  countries: { FR: 'France', US: 'United States', DE: 'Germany' },
};

/** The member alignment MEMBER's example reads: Ada is HubSpot owner 301 and Salesforce user 005A1. */
export const SAMPLE_MEMBERS = buildMemberDirectory(
  {
    systems: ['hubspot', 'salesforce'],
    members: [{ id: 'mem_ada', email: 'ada@example.com', name: 'Ada Lovelace' }],
    accounts: [
      { system: 'hubspot', externalId: '301', memberId: 'mem_ada' },
      { system: 'salesforce', externalId: '005A1', memberId: 'mem_ada' },
    ],
  },
  'salesforce',
);

/** The clock the examples run with: 2026-03-15 09:30 UTC. */
export const SAMPLE_NOW = Date.UTC(2026, 2, 15, 9, 30, 0);

/** A value as the docs show it: text quoted, dates bare, TRUE/FALSE, NULL. */
export function formatResult(value: unknown, type: FormulaType): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (type.kind === 'Text' || (type.kind === 'List' && typeof value === 'string')) return JSON.stringify(value);
  if (Array.isArray(value)) return JSON.stringify(value);
  return typeof value === 'number' ? numberToText(value) : String(value);
}

const code = (s: string) => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderFunctionReference(): string {
  const out: string[] = [];
  for (const category of CATEGORIES) {
    const fns = FUNCTIONS.filter((f) => f.category === category);
    if (fns.length === 0) continue;
    out.push(`### ${category}`, '');
    out.push('| Function | What it does | Example | Gives | Excel / Sheets / Airtable |', '| --- | --- | --- | --- | --- |');
    for (const f of fns) {
      out.push(`| ${cell(code(f.signature))} | ${cell(f.description)} | ${cell(code(f.example))} | ${cell(code(f.result))} | ${cell(renderCounterpart(f.name))} |`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

function renderCounterpart(name: string): string {
  const c = counterpartOf(name);
  if (!c) return '—';
  const names = [c.excel, c.sheets, c.airtable].map((n) => n ?? '—').join(' / ');
  return c.differs ? `${names}. Differs: ${c.differs}` : names;
}

/** The deliberate differences from Excel, as the differential test and the editor's hover know them. */
export function renderDifferences(): string {
  const lines = ['| Function or operator | How Weft differs |', '| --- | --- |'];
  for (const [name, what] of Object.entries(DIFFERENCES)) lines.push(`| ${cell(code(name))} | ${cell(what)} |`);
  return lines.join('\n');
}

export function renderErrata(): string {
  const lines = ['| Case | Excel (and Weft) vs @formulajs |', '| --- | --- |'];
  for (const [name, what] of Object.entries(REFERENCE_ERRATA)) lines.push(`| ${cell(name)} | ${cell(what)} |`);
  return lines.join('\n');
}

export function renderSampleRow(): string {
  const lines = ['| Field | Type | Value |', '| --- | --- | --- |'];
  for (const f of SAMPLE_FIELDS) {
    const v = SAMPLE_ROW[f.name];
    lines.push(`| ${cell(code(`[${f.name}]`))} | ${f.type} | ${cell(code(v === null ? 'NULL' : typeof v === 'string' ? JSON.stringify(v) : typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v)))} |`);
  }
  const maps = Object.entries(SAMPLE_VALUE_MAPS).map(([name, m]) => `\`${name}\`: ${Object.entries(m).map(([k, v]) => `${k} → ${String(v)}`).join(', ')}`);
  lines.push('', `Value map ${maps.join('; ')}. Members: ada@example.com is hubspot 301 and salesforce 005A1 (the target is salesforce). Clock: ${new Date(SAMPLE_NOW).toISOString()}.`);
  return lines.join('\n');
}

export function renderDiagnosticCodes(): string {
  const lines = ['| Code | When | Example message |', '| --- | --- | --- |'];
  for (const [c, d] of Object.entries(DIAGNOSTIC_CODES)) lines.push(`| \`${c}\` | ${cell(d.about)} | ${cell(d.example)} |`);
  return lines.join('\n');
}

export function renderLimits(): string {
  const lines = ['| Limit | Value | What it bounds |', '| --- | --- | --- |'];
  for (const [k, v] of Object.entries(LIMITS)) lines.push(`| \`${k}\` | ${v.toLocaleString('en-US')} | ${LIMIT_DESCRIPTIONS[k as keyof typeof LIMITS]} |`);
  return lines.join('\n');
}

const SECTIONS: Record<string, () => string> = {
  functions: renderFunctionReference,
  differences: renderDifferences,
  errata: renderErrata,
  sample: renderSampleRow,
  codes: renderDiagnosticCodes,
  limits: renderLimits,
};

/**
 * Replaces each `<!-- generated:NAME -->` ... `<!-- /generated:NAME -->` block of the document
 * with freshly rendered content; the prose around the blocks is left as written.
 */
export function updateFormulaDocs(doc: string): string {
  let out = doc;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const open = `<!-- generated:${name} -->`;
    const close = `<!-- /generated:${name} -->`;
    const a = out.indexOf(open);
    const b = out.indexOf(close);
    if (a < 0 || b < a) throw new Error(`docs/formulas.md is missing the ${open} ... ${close} block`);
    out = `${out.slice(0, a + open.length)}\n${render()}\n${out.slice(b)}`;
  }
  return out;
}
