// What the designer's database source asks a saved connection: its tables, and the first rows of one
// (optionally filtered by a query) with Weft types, or why not, in the user's words.
import type { Field, FieldType } from '../../shared/graph/field-types';
import { sqlPreviewHash } from '../../shared/graph/kinds/sql-source';
import type { DiscoveredObjectInfo, SourcePreview, SourcePreviewInput } from '../../shared';
import { ConnectorError, type ConnectorSession, type DiscoveredObject } from '../connectors/types';
import { suggest } from '../../shared/util/suggest';
import { redact } from '../secrets';

export const PREVIEW_ROWS = 10;

export const toObjectInfo = (o: DiscoveredObject): DiscoveredObjectInfo => ({
  name: o.name,
  label: o.label,
  fields: o.fields.map((f) => ({ name: f.name, type: f.type, nativeType: f.nativeType, nullable: f.nullable })),
  primaryKey: [...o.primaryKey],
  cursorFields: [...o.cursorFields],
});

/** A column a query made up (e.g. `count(*) AS n`): typed from its values. */
function guessType(values: unknown[]): FieldType {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return 'text';
  if (present.every((v) => typeof v === 'boolean')) return 'boolean';
  if (present.every((v) => typeof v === 'number' || typeof v === 'bigint')) return 'number';
  if (present.every((v) => v instanceof Date)) return 'datetime';
  return 'text';
}

export async function previewSource(session: ConnectorSession, connectionId: string, input: SourcePreviewInput, now = new Date()): Promise<SourcePreview> {
  const objects = await session.discover();
  const found = objects.find((o) => o.name === input.object) ?? objects.find((o) => o.label === input.object);
  if (!found) throw new ConnectorError('not_found', `Table "${input.object}" not found. Pick one of the tables the connection can reach.`);
  const query = input.query?.trim() ?? '';
  let rows: Record<string, unknown>[] = [];
  try {
    for await (const batch of session.read(found.name, { batchSize: PREVIEW_ROWS, ...(query ? { query } : {}) })) {
      rows = batch.rows.slice(0, PREVIEW_ROWS);
      break;
    }
  } catch (err) {
    throw withSuggestion(err, found.fields.map((f) => f.name));
  }
  const byName = new Map(found.fields.map((f) => [f.name, f]));
  // A query may pick, rename or compute columns: its rows say which there are.
  const names = query && rows[0] ? Object.keys(rows[0]) : found.fields.map((f) => f.name);
  const columns: Field[] = names.map((name) => ({ name, type: byName.get(name)?.type ?? guessType(rows.map((r) => r[name])) }));
  const key = found.primaryKey.every((k) => names.includes(k)) ? [...found.primaryKey] : [];
  return {
    columns,
    key,
    rows,
    preview: { loadedAt: now.toISOString(), hash: sqlPreviewHash({ connectionId, object: input.object, query }) },
  };
}

/** An unknown column the database named without a hint: Weft suggests the table's closest column. */
export function withSuggestion(err: unknown, columns: readonly string[]): unknown {
  if (!(err instanceof ConnectorError) || !err.reason || err.suggestion) return err;
  const unknown = /column "([^"]+)" does not exist|Unknown column '([^']+)'/i.exec(err.reason);
  const name = unknown?.[1] ?? unknown?.[2];
  const bare = name?.split('.').pop();
  // Two letters swapped ("piad") is the likeliest typo: that column first, then the closest by edit distance.
  const letters = (t: string) => [...t.toLowerCase()].sort().join('');
  const meant = bare ? (columns.find((c) => letters(c) === letters(bare)) ?? suggest(bare, columns)) : undefined;
  return meant ? new ConnectorError(err.code, err.message, { cause: err.cause, reason: err.reason, suggestion: meant }) : err;
}

/** A connector failure as the designer shows it: what happened in plain words, then the system's own. */
export function describeReadFailure(err: unknown, object: string, secrets: unknown = {}): { code: ConnectorError['code']; message: string } {
  const code = err instanceof ConnectorError ? err.code : 'unknown';
  const detail = redact(err instanceof Error ? err.message : String(err), secrets).trim();
  const say = (headline: string) => (detail && !detail.startsWith(headline) ? `${headline} (${detail})` : headline);
  // The database's own reason leads when it says what to fix: `column "stat" does not exist — did you mean state?`.
  if (err instanceof ConnectorError && code === 'invalid_query' && err.reason) {
    const reason = redact(err.reason, secrets).trim();
    return { code, message: err.suggestion ? `${reason} — did you mean ${err.suggestion}?` : reason };
  }
  switch (code) {
    case 'invalid_query':
      // The guard's own refusals explain themselves; the database's are errors in an otherwise valid SELECT.
      return { code, message: say(/^(The query is not valid|Query filters only read)/.test(detail) ? 'Only a single SELECT (or WITH ... SELECT) can filter a source, and the database refused this one' : 'Only a single SELECT (or WITH ... SELECT) can filter a source') };
    case 'permission':
      // The host policy's refusal names the setting; it is not about the user's grants.
      if (/^Weft may not connect/.test(detail)) return { code, message: detail };
      return { code, message: say(`The connection's user may not read "${object}". Ask for SELECT permission on it`) };
    case 'timeout':
      return { code, message: say('The database took too long to answer. Narrow the query or raise the connection’s query timeout') };
    case 'not_found':
      return { code, message: /^Table "/.test(detail) ? detail : say(`Table "${object}" not found`) };
    case 'auth':
      return { code, message: say('The connection’s user name or password is refused. Edit the connection on the Connections page') };
    case 'unreachable':
    case 'tls':
      return { code, message: say('The database cannot be reached. Test the connection on the Connections page') };
    default:
      return { code, message: say('Reading the table failed') };
  }
}
