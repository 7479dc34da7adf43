// The connection form's logic without React: fields from a connector's JSON Schemas, what Save sends, and how a status reads.
import type { Connection, ConnectionPatch, ConnectorInfo } from '../../shared';
import { formFromJsonSchema, type FormField } from '../form/form-model';
import { relativeTime } from '../lib/format';

export interface ConnectorForm {
  config: FormField[];
  secrets: FormField[];
}

const ACRONYMS: Record<string, string> = { ssl: 'SSL', tls: 'TLS', url: 'URL', id: 'ID', api: 'API', dsn: 'DSN', sql: 'SQL' };

/** Generated titles read better with acronyms in capitals ("Ssl mode" -> "SSL mode") and enum values capitalised. */
function polish(field: FormField): FormField {
  const title = field.title.replace(/\b[a-z]+\b/gi, (w) => ACRONYMS[w.toLowerCase()] ?? w);
  if (field.type !== 'enum') return { ...field, title };
  const options = field.options.map((o) => (o.label === o.value ? { ...o, label: o.value.charAt(0).toUpperCase() + o.value.slice(1).replace(/-/g, ' ') } : o));
  return { ...field, title, options };
}

export const connectorForm = (info: ConnectorInfo): ConnectorForm => ({
  config: formFromJsonSchema(info.config).map(polish),
  secrets: formFromJsonSchema(info.secrets).map(polish),
});

/** A secret a person pastes as several lines (a PGP private key): `.meta({ multiline: true })` in its manifest. */
export function secretIsMultiline(info: ConnectorInfo, key: string): boolean {
  const props = info.secrets.properties;
  if (typeof props !== 'object' || props === null) return false;
  const field = (props as Record<string, unknown>)[key];
  return typeof field === 'object' && field !== null && (field as { multiline?: unknown }).multiline === true;
}

/** Short numbers (a port) sit beside the field before them; everything else takes the row. */
export const isNarrow = (f: FormField) => f.type === 'number' && f.title.length <= 12;

/** A new connection's settings: each field's default, so the form shows what the server would assume. */
export function initialConfig(fields: readonly FormField[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f.default !== undefined) out[f.key] = f.default;
  return out;
}

/** Empty text fields are left out, so the connector's default (or its "required" message) applies. */
export function configToSend(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== '' && v !== undefined));
}

/**
 * One secret field in the form: untouched (keep what is stored), being replaced with a new value, or
 * cleared. Only fields the person touched are sent, so an untouched stored password is kept.
 */
export type SecretEdit = { kind: 'keep' } | { kind: 'replace'; value: string } | { kind: 'clear' };

export function secretsToSend(edits: Record<string, SecretEdit>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [key, edit] of Object.entries(edits)) {
    if (edit.kind === 'replace' && edit.value !== '') out[key] = edit.value;
    else if (edit.kind === 'clear') out[key] = null;
  }
  return out;
}

/** The PUT body for a saved connection: only what changed. */
export function patchFor(saved: Connection, draft: { name: string; config: Record<string, unknown>; secrets: Record<string, SecretEdit> }): ConnectionPatch {
  const patch: ConnectionPatch = {};
  if (draft.name.trim() !== saved.name) patch.name = draft.name.trim();
  const config = configToSend(draft.config);
  if (JSON.stringify(config) !== JSON.stringify(saved.config)) patch.config = config;
  const secrets = secretsToSend(draft.secrets);
  if (Object.keys(secrets).length > 0) patch.secrets = secrets;
  return patch;
}

export type Tone = 'green' | 'red' | 'gray';

/** "Connected · 2 minutes ago", "Failed: Wrong user name or password", "Not tested yet". */
export function testStatus(lastTest: Connection['lastTest'], now = Date.now()): { tone: Tone; text: string; detail: string | null } {
  if (!lastTest) return { tone: 'gray', text: 'Not tested yet', detail: null };
  if (lastTest.status === 'ok') return { tone: 'green', text: `Connected · ${relativeTime(lastTest.at, now)}`, detail: null };
  const message = lastTest.message ?? 'Connection failed';
  // The headline is the part before the system's own words ("Wrong user name or password: …").
  const headline = message.split(/: |\. /)[0] ?? message;
  return { tone: 'red', text: `Failed: ${headline.charAt(0).toLowerCase()}${headline.slice(1)}`, detail: `${message} (${relativeTime(lastTest.at, now)})` };
}

export function usedByText(usedBy: Connection['usedBy']): string {
  if (usedBy.length === 0) return 'Not used by any integration yet';
  if (usedBy.length <= 2) return `Used by ${usedBy.map((u) => u.name).join(' and ')}`;
  return `Used by ${usedBy[0]!.name}, ${usedBy[1]!.name} and ${usedBy.length - 2} more`;
}

/** A free name for a new connection to this system: "Postgres", then "Postgres 2", … */
export function suggestName(systemName: string, taken: readonly string[]): string {
  const used = new Set(taken.map((t) => t.toLowerCase()));
  if (!used.has(systemName.toLowerCase())) return systemName;
  for (let n = 2; ; n++) if (!used.has(`${systemName} ${n}`.toLowerCase())) return `${systemName} ${n}`;
}

/** Server issues ("config.host", "secrets.password", "name") grouped by form field. */
export function issuesByField(issues: readonly { path: string; message: string }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of issues) (out[i.path] ??= []).push(i.message);
  return out;
}

/** A short line under a card's name: the settings a person recognises (host:port/database), never secrets. */
export function connectionSummary(config: Record<string, unknown>, secretsSet: readonly string[] = []): string {
  const host = typeof config.host === 'string' ? config.host : null;
  const port = typeof config.port === 'number' ? `:${config.port}` : '';
  const db = typeof config.database === 'string' ? `/${config.database}` : '';
  if (host) return `${config.user ? `${String(config.user)}@` : ''}${host}${port}${db}`;
  // A Files connection has no settings to show: what it holds is its key (set or not, never its value).
  if (Object.keys(config).length === 0 && secretsSet.includes('pgpPrivateKey')) return 'PGP private key set';
  return Object.entries(config)
    .filter(([, v]) => typeof v === 'string' && v !== '')
    .slice(0, 2)
    .map(([, v]) => String(v))
    .join(' · ');
}
