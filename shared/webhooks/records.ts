// What a webhook request's body holds: one record (a JSON object) or several (an array of objects), at the top level
// or under a records path ("data.items"). Read exactly (ids past 2^53 stay exact decimal text) and flattened to
// dotted names as the JSON file source does, so the designer's sample and the run read a body the same way.
import { inferFieldType, type Field } from '../graph/field-types';
import { FlatNamesTooLong, flattenRecord, parseJsonExact } from '../util/json-exact';

/** Records one request may carry; a body with more is refused (413) when it arrives. */
export const WEBHOOK_MAX_RECORDS_PER_REQUEST = 1_000;

export type WebhookRecords = { ok: true; records: Record<string, unknown>[] } | { ok: false; reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value at a dotted path, read through own properties only (a `__proto__` step names a key, never the prototype). */
function at(value: unknown, path: string): unknown {
  if (path === '') return value;
  let here: unknown = value;
  for (const part of path.split('.')) {
    if (!isRecord(here) || !Object.hasOwn(here, part)) return undefined;
    here = here[part];
  }
  return here;
}

/** The records of a parsed body: an object is one record, an array of objects several. */
export function recordsOf(parsed: unknown, recordsPath: string): WebhookRecords {
  const found = at(parsed, recordsPath);
  const where = recordsPath ? ` at "${recordsPath}"` : '';
  if (found === undefined) return { ok: false, reason: `The body has nothing${where}` };
  const items = Array.isArray(found) ? found : [found];
  if (items.length > WEBHOOK_MAX_RECORDS_PER_REQUEST) return { ok: false, reason: `The body holds ${items.length} records${where}; at most ${WEBHOOK_MAX_RECORDS_PER_REQUEST} per request` };
  const bad = items.findIndex((r) => !isRecord(r));
  if (bad >= 0) return { ok: false, reason: Array.isArray(found) ? `Item ${bad + 1}${where} is not a JSON object` : `The body${where} is not a JSON object or an array of objects` };
  return { ok: true, records: items as Record<string, unknown>[] };
}

/** Parses a body's text exactly; null when it is not JSON. */
export function parseWebhookBody(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: parseJsonExact(text) };
  } catch (err) {
    return { ok: false, reason: `The body is not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
}

/** A body's records flattened to dotted names (values as text, as read), or why it has none. */
export function webhookRows(text: string, recordsPath: string, emptyTextIsNull = true): { ok: true; rows: Record<string, string | null>[] } | { ok: false; reason: string } {
  const parsed = parseWebhookBody(text);
  if (!parsed.ok) return parsed;
  const records = recordsOf(parsed.value, recordsPath);
  if (!records.ok) return records;
  try {
    return { ok: true, rows: records.records.map((r) => flattenRecord(r, '', undefined, emptyTextIsNull)) };
  } catch (err) {
    // JSON.parse builds any depth; flattening (and JSON.stringify of an array) recurse. A body nested thousands of
    // levels deep would otherwise throw in every run that reads it, the run never getting past it (probe16b).
    if (err instanceof RangeError) return { ok: false, reason: 'The body nests objects or arrays too deeply to read (thousands of levels)' };
    if (err instanceof FlatNamesTooLong) return { ok: false, reason: `The body cannot be read: ${err.message}` };
    throw err;
  }
}

/** Fields detected from a sample body: every name seen, in first-seen order, typed by its values. */
export function sniffWebhookSample(text: string, recordsPath: string): { ok: true; columns: Field[]; rows: Record<string, string | null>[] } | { ok: false; reason: string } {
  const read = webhookRows(text, recordsPath);
  if (!read.ok) return read;
  const names = [...new Set(read.rows.flatMap((r) => Object.keys(r)))];
  if (names.length === 0) return { ok: false, reason: 'The sample records have no fields' };
  return { ok: true, columns: names.map((name) => ({ name, type: inferFieldType(read.rows.map((r) => r[name] ?? '')) })), rows: read.rows };
}
