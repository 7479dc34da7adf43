// How a "database or app" source or target is worded once its connection is chosen: a database has tables and a
// query filter in SQL, HubSpot and Salesforce have objects, a REST API has endpoints. The canvas label, the summary
// under it, the inspector's field labels and the object picker's prompts all read it, from the connector id the
// connection picker keeps in the node's config.

export interface ObjectWording {
  /** "Read HubSpot object", "Write REST endpoint", "Read database table". */
  label: string;
  /** What one object is called, capitalised for a field label: "Table", "Object", "Endpoint". */
  object: string;
  /** Lower case, for sentences: "table", "object", "endpoint". */
  noun: string;
  /** Plural, for "Reading the …" */
  plural: string;
  /** The system has SQL: the query filter is offered. */
  sql: boolean;
}

const SYSTEMS: Record<string, { name: string; noun: string; plural: string; sql: boolean }> = {
  postgres: { name: 'database', noun: 'table', plural: 'tables', sql: true },
  mysql: { name: 'database', noun: 'table', plural: 'tables', sql: true },
  hubspot: { name: 'HubSpot', noun: 'object', plural: 'objects', sql: false },
  salesforce: { name: 'Salesforce', noun: 'object', plural: 'objects', sql: false },
  rest: { name: 'REST', noun: 'endpoint', plural: 'endpoints', sql: false },
};

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The wording for a source (`read`) or target (`write`) on connector `connector`; a database's when none is chosen yet. */
export function objectWording(connector: string | undefined, role: 'read' | 'write'): ObjectWording {
  const known = connector ? (Object.hasOwn(SYSTEMS, connector) ? SYSTEMS[connector] : undefined) : undefined;
  if (!known) {
    // No connection yet (or a system without its own words): the palette's wording, tables or objects.
    return connector
      ? { label: `${cap(role)} ${connector} object`, object: 'Object', noun: 'object', plural: 'objects', sql: false }
      : { label: role === 'read' ? 'Read database or app' : 'Write database or app', object: 'Table or object', noun: 'table or object', plural: 'tables and objects', sql: true };
  }
  return { label: `${cap(role)} ${known.name} ${known.noun}`, object: cap(known.noun), noun: known.noun, plural: known.plural, sql: known.sql };
}

/**
 * A node's kind label where its connection decides it: a database-or-app source or target with a connection chosen
 * says what that system holds ("Read HubSpot object", "Write database table"); undefined for every other node. The
 * canvas and the compiled plan's step labels (so the run page) both read it.
 */
export function connectorKindLabel(node: { kind: string; config?: unknown }): string | undefined {
  if (node.kind !== 'sql-source' && node.kind !== 'sql-target') return undefined;
  const config = node.config as { connector?: unknown; connectionId?: unknown } | null | undefined;
  if (typeof config?.connectionId !== 'string' || config.connectionId === '') return undefined;
  const connector = typeof config.connector === 'string' && config.connector !== '' ? config.connector : 'postgres';
  return objectWording(connector, node.kind === 'sql-source' ? 'read' : 'write').label;
}
