// The HubSpot connector (CRM v3): objects and their properties from the properties and schemas APIs, reads through the
// search API sorted by one property and paged by `after` (a new query from the last value read before the search
// API's 10,000-result limit), writes through batch create/update/upsert in batches of 100 after one batch read that
// finds the records already there (so unchanged records are not written and each result says created/updated).
import type { FieldType } from '../../../shared/graph/field-types';
import { bodySnippet } from '../../net';
import { seenPages } from '../../net/seen-pages';
import { errorJson, expectObject, guardedTransport, listAt, parseApiJson, type HttpResponse, type HttpTransport } from '../saas/http';
import { chunkUnique, emptyRow, fromApi, sameValue, toText } from '../saas/values';
import { ConnectorError, defineConnector, type ConnectorSession, type DiscoveredField, type DiscoveredObject, type ReadBatch, type ReadOptions, type RecordResult, type Row, type WriteOptions } from '../types';
import { HubSpotConfig, HubSpotSecrets, hubspotManifest } from './manifest';

export { HubSpotConfig, HubSpotSecrets, hubspotManifest } from './manifest';

/** HubSpot's documented limits. */
export const HUBSPOT_LIMITS = { batch: 100, searchPage: 200, searchTotal: 10_000 } as const;

const STANDARD = [
  { name: 'contacts', label: 'Contacts', modified: 'lastmodifieddate' },
  { name: 'companies', label: 'Companies', modified: 'hs_lastmodifieddate' },
  { name: 'deals', label: 'Deals', modified: 'hs_lastmodifieddate' },
] as const;

interface Property {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  options?: { label: string; value: string; hidden?: boolean }[];
  hasUniqueValue?: boolean;
  calculated?: boolean;
  hidden?: boolean;
  showCurrencySymbol?: boolean;
  modificationMetadata?: { readOnlyValue?: boolean };
}

interface ObjectInfo {
  /** What the API's paths take (contacts, or a custom object's fullyQualifiedName). */
  name: string;
  label: string;
  modified: string;
  required: Set<string>;
  properties: Map<string, Property>;
}

interface SearchResult {
  id: string;
  properties: Record<string, string | null>;
}

/** Where a read stands: the sort property's last value read, and the ids read that hold exactly that value. */
interface HubSpotCursor {
  v: 1;
  field: string;
  last: string | null;
  ids: string[];
}

/** HubSpot's property types in Weft's (docs/connectors.md, "HubSpot"). */
export function mapHubSpotType(p: Pick<Property, 'type' | 'showCurrencySymbol'>): FieldType {
  switch (p.type) {
    case 'number':
      return p.showCurrencySymbol ? 'currency' : 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'bool':
      return 'boolean';
    default:
      return 'text';
  }
}

const isReadOnly = (p: Property) => !!p.modificationMetadata?.readOnlyValue || !!p.calculated;

function parseBody(response: HttpResponse): Record<string, unknown> {
  if (!response.text) return {};
  const body = errorJson(response.text);
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : { message: response.text.slice(0, 300) };
}

/** An answer HubSpot refused as a whole, in the user's words. */
export function hubspotError(response: HttpResponse, what: string): ConnectorError {
  const body = parseBody(response);
  const said = typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;
  if (response.status === 401) return new ConnectorError('auth', `HubSpot refused the access token while ${what}: the credentials were denied (${said}). Check the private app's access token.`);
  if (response.status === 403) return new ConnectorError('permission', `HubSpot says the private app may not do this while ${what}: ${said}. Give the app the scope it names.`);
  if (response.status === 404 || body.category === 'OBJECT_NOT_FOUND') return new ConnectorError('not_found', `HubSpot has no such object while ${what}: ${said}`);
  if (response.status === 429) return new ConnectorError('unreachable', `HubSpot kept answering "too many requests" while ${what} (${said}); the run retries later.`);
  if (response.status >= 500) return new ConnectorError('unreachable', `HubSpot answered ${response.status} while ${what}: ${said}`);
  return new ConnectorError('invalid_config', `HubSpot refused the request while ${what}: ${said}`, { reason: said });
}

class HubSpotClient {
  private readonly base: string;
  private readonly objects = new Map<string, Promise<ObjectInfo>>();
  constructor(
    config: HubSpotConfig,
    private readonly token: string,
    readonly http: HttpTransport,
  ) {
    this.base = config.baseUrl.replace(/\/+$/, '');
  }

  async call(method: 'GET' | 'POST', path: string, body: unknown, what: string, signal?: AbortSignal): Promise<HttpResponse> {
    return this.http.send({
      method,
      url: this.base + path,
      headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      ...(signal && { signal }),
      // Searches, batch reads, updates and upserts by key may be sent again after a 5xx; a batch create may not.
      idempotent: !path.endsWith('/batch/create'),
    });
  }

  async json<T>(method: 'GET' | 'POST', path: string, body: unknown, what: string, signal?: AbortSignal): Promise<T> {
    const response = await this.call(method, path, body, what, signal);
    if (response.status >= 300) throw hubspotError(response, what);
    return parseApiJson(response.text, 'HubSpot', what) as T;
  }

  /** Standard objects first, then custom objects from the schemas API. */
  async listObjects(): Promise<{ name: string; label: string; modified: string; required: string[]; properties?: Property[] }[]> {
    const schemas = { results: listAt<{ fullyQualifiedName: string; labels?: { plural?: string }; name: string; requiredProperties?: string[]; properties?: Property[] }>(await this.json<unknown>('GET', '/crm/v3/schemas', undefined, 'listing custom objects'), 'results', ['fullyQualifiedName', 'name'], 'HubSpot', 'listing custom objects') };
    return [
      ...STANDARD.map((s) => ({ name: s.name as string, label: s.label as string, modified: s.modified as string, required: [] as string[] })),
      ...schemas.results.map((s) => ({ name: s.fullyQualifiedName, label: s.labels?.plural ?? s.name, modified: 'hs_lastmodifieddate', required: s.requiredProperties ?? [], properties: s.properties })),
    ];
  }

  object(name: string): Promise<ObjectInfo> {
    let info = this.objects.get(name);
    if (!info) {
      info = (async () => {
        const listed = (await this.listObjects()).find((o) => o.name === name || o.name.replace(/^p\d+_/, '') === name);
        if (!listed) throw new ConnectorError('not_found', `HubSpot has no object "${name}": neither a standard object (contacts, companies, deals) nor a custom object in this account.`);
        const what = `reading the properties of ${listed.name}`;
        const props = { results: listAt<Property>(await this.json<unknown>('GET', `/crm/v3/properties/${encodeURIComponent(listed.name)}`, undefined, what), 'results', ['name', 'type'], 'HubSpot', what) };
        return { name: listed.name, label: listed.label, modified: listed.modified, required: new Set(listed.required), properties: new Map(props.results.filter((p) => !p.hidden || p.name === 'hs_object_id').map((p) => [p.name, p])) };
      })();
      info.catch(() => this.objects.delete(name));
      this.objects.set(name, info);
    }
    return info;
  }

  async search(object: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<{ total: number; results: SearchResult[]; paging?: { next?: { after: string } } }> {
    const what = `searching ${object}`;
    const page = expectObject(await this.json<unknown>('POST', `/crm/v3/objects/${encodeURIComponent(object)}/search`, body, what, signal), 'HubSpot', what);
    return { ...page, results: resultsOf(page, what) } as { total: number; results: SearchResult[]; paging?: { next?: { after: string } } };
  }
}

/** A page's `results`: objects (records with their properties), or a ConnectorError saying what came instead. */
function resultsOf(page: Record<string, unknown>, what: string, withProperties = true): SearchResult[] {
  const results = page.results;
  const bad = !Array.isArray(results) ? results : results.find((r: unknown) => r === null || typeof r !== 'object' || (withProperties && ((r as SearchResult).properties === null || typeof (r as SearchResult).properties !== 'object')));
  if (!Array.isArray(results) || bad !== undefined) throw new ConnectorError('unknown', `HubSpot answered without its records while ${what}: ${bodySnippet(JSON.stringify(Array.isArray(results) ? bad : page) ?? 'nothing', 200)}`);
  return results as SearchResult[];
}

/**
 * The `after` of a page, checked against those already followed in this query: HubSpot's paging moves forward, so
 * one seen again is a server going round in a circle, which would read the same records for ever.
 */
function nextAfter(page: { paging?: { next?: { after?: unknown } } }, followed: ReturnType<typeof seenPages>, what: string): string | undefined {
  const after = page.paging?.next?.after;
  if (after === undefined || after === null || after === '') return undefined;
  const text = String(after);
  if (followed.has(text)) throw new ConnectorError('unknown', `HubSpot sent the paging cursor "${bodySnippet(text, 100)}" again while ${what}: its pages go round in a circle, so Weft stopped rather than read the same records again.`);
  followed.add(text);
  return text;
}

function describe(info: ObjectInfo): DiscoveredObject {
  const fields: DiscoveredField[] = [...info.properties.values()].map((p) => ({
    name: p.name,
    type: mapHubSpotType(p),
    nativeType: `${p.type}/${p.fieldType}`,
    nullable: p.name !== 'hs_object_id' && !info.required.has(p.name),
    ...(p.type === 'enumeration' && p.options && { options: p.options.filter((o) => !o.hidden).map((o) => ({ value: o.value, label: o.label })) }),
  }));
  const orderable = fields.filter((f) => ['number', 'currency', 'date', 'datetime'].includes(f.type)).map((f) => f.name);
  return {
    name: info.name,
    label: info.label,
    fields,
    primaryKey: ['hs_object_id'],
    cursorFields: [...new Set([info.modified, 'hs_object_id', ...orderable])].filter((n) => info.properties.has(n)),
  };
}

/** A Weft value as a search filter value: datetimes as epoch milliseconds, as HubSpot documents. */
function filterValue(value: unknown, type: FieldType): string {
  if (type === 'datetime' || type === 'date') {
    const ms = Date.parse(String(value));
    if (!Number.isNaN(ms)) return String(ms);
  }
  return toText(value, type);
}

function parseCursor(cursor: unknown, field: string): HubSpotCursor | null {
  if (cursor === null || cursor === undefined) return null;
  const c = cursor as Partial<HubSpotCursor>;
  if (c.v !== 1 || c.field !== field || !Array.isArray(c.ids)) throw new ConnectorError('invalid_config', `This HubSpot read cannot resume from the checkpoint it was given (it was made for another sort property than ${field}).`);
  return { v: 1, field, last: c.last ?? null, ids: c.ids.map(String) };
}

async function* readObject(client: HubSpotClient, object: string, options: ReadOptions): AsyncGenerator<ReadBatch> {
  const info = await client.object(object);
  const field = options.incremental?.field ?? 'hs_object_id';
  const sortProp = info.properties.get(field);
  if (!sortProp) throw new ConnectorError('invalid_config', `HubSpot object ${info.name} has no property "${field}" to read incrementally by.`);
  const sortType = mapHubSpotType(sortProp);
  const names = [...info.properties.keys()];
  const types = names.map((n) => mapHubSpotType(info.properties.get(n)!));
  const resumed = parseCursor(options.cursor, field);
  let last: string | null = resumed?.last ?? null;
  let ids = new Set(resumed?.ids ?? []);
  // The first query of an incremental read starts strictly after its cursor value; every later one (a resumed read,
  // or a new window past 10,000 results) starts at the last value read and skips the ids already read at it.
  // `inclusive` is the incremental branch's option (ReadOptions.incremental.inclusive: field >= after).
  const inclusive = (options.incremental as { inclusive?: boolean } | undefined)?.inclusive === true;
  let strict = !resumed && !inclusive && options.incremental !== undefined && options.incremental.after !== null && options.incremental.after !== undefined;
  const startAfter = options.incremental?.after;
  let from: string | null = resumed ? last : startAfter !== null && startAfter !== undefined ? filterValue(startAfter, sortType) : null;
  const size = Math.max(1, options.batchSize);
  const pageSize = HUBSPOT_LIMITS.searchPage;
  let rows: Row[] = [];

  for (;;) {
    let after: string | undefined;
    let newInWindow = 0;
    let exhausted = false;
    let windowFull = false;
    // The window's position is counted here too: an `after` that is not a number still ends the window at 10,000.
    let pages = 0;
    const followed = seenPages();
    for (;;) {
      const body = {
        ...(from !== null && { filterGroups: [{ filters: [{ propertyName: field, operator: strict ? 'GT' : 'GTE', value: from }] }] }),
        sorts: [{ propertyName: field, direction: 'ASCENDING' }],
        properties: names,
        limit: pageSize,
        ...(after !== undefined && { after }),
      };
      const page = await client.search(info.name, body, options.signal);
      pages++;
      for (const result of page.results) {
        const raw = result.properties[field] ?? null;
        if (raw !== null && raw === last && ids.has(result.id)) continue;
        newInWindow++;
        const row = emptyRow();
        for (let k = 0; k < names.length; k++) row[names[k]!] = fromApi(result.properties[names[k]!], types[k]!);
        if (raw === last) ids.add(result.id);
        else {
          last = raw;
          ids = new Set([result.id]);
        }
        rows.push(row);
        if (rows.length === size) {
          yield { rows, cursor: { v: 1, field, last, ids: [...ids] } satisfies HubSpotCursor };
          rows = [];
          options.signal?.throwIfAborted();
        }
      }
      const next = nextAfter(page, followed, `searching ${info.name}`);
      if (next === undefined) {
        exhausted = true;
        break;
      }
      if (Math.max(Number(next) || 0, pages * pageSize) + pageSize > HUBSPOT_LIMITS.searchTotal) {
        windowFull = true;
        break;
      }
      after = next;
    }
    if (exhausted) break;
    if (windowFull && newInWindow === 0) {
      throw new ConnectorError('unknown', `More than 10,000 HubSpot ${info.name} records share ${field} = ${String(last)}; the search API cannot page past them. Read by another property.`);
    }
    // The search API stops at 10,000 results: a new query from the last value read.
    from = last;
    strict = false;
  }
  if (rows.length > 0) yield { rows, cursor: { v: 1, field, last, ids: [...ids] } satisfies HubSpotCursor };
}

interface Prepared {
  index: number;
  key: string | null;
  properties: Record<string, string>;
}

interface BatchResult {
  results?: { id: string; new?: boolean; objectWriteTraceId?: string }[];
  errors?: { message: string; category?: string; context?: { objectWriteTraceId?: string[]; ids?: string[] }; errors?: { message: string; code?: string }[] }[];
}

async function writeRows(client: HubSpotClient, object: string, rows: Row[], options: WriteOptions): Promise<RecordResult[]> {
  if (rows.length === 0) return [];
  const info = await client.object(object);
  const results: RecordResult[] = new Array<RecordResult>(rows.length);
  const keyName = options.key[0] ?? null;
  if (options.key.length > 1) throw new ConnectorError('invalid_config', `HubSpot finds a record by one property; this write gives ${options.key.length} (${options.key.join(', ')}).`);
  if (options.mode !== 'insert' && !keyName) throw new ConnectorError('invalid_config', `A HubSpot ${options.mode} needs a key property (hs_object_id, or a property with unique values).`);
  if (keyName && keyName !== 'hs_object_id' && !info.properties.get(keyName)?.hasUniqueValue) {
    const unique = [...info.properties.values()].filter((p) => p.hasUniqueValue).map((p) => p.name);
    throw new ConnectorError('invalid_config', `HubSpot can only find ${info.name} records by hs_object_id or a property with unique values${unique.length ? ` (${unique.join(', ')})` : ''}; "${keyName}" is not one.`);
  }
  const unknown = new Set<string>();
  const prepared: Prepared[] = rows.map((row, index) => {
    const properties = Object.create(null) as Record<string, string>;
    for (const name of Object.keys(row)) {
      if (name === 'hs_object_id') continue;
      const p = info.properties.get(name);
      if (!p) {
        unknown.add(name);
        continue;
      }
      if (isReadOnly(p)) continue;
      properties[name] = toText(row[name], mapHubSpotType(p));
    }
    const k = keyName ? row[keyName] : null;
    return { index, key: k === null || k === undefined || k === '' || !keyName ? null : toText(k, keyName === 'hs_object_id' ? 'number' : mapHubSpotType(info.properties.get(keyName)!)), properties };
  });
  if (unknown.size > 0) throw new ConnectorError('invalid_config', `HubSpot object ${info.name} has no propert${unknown.size === 1 ? 'y' : 'ies'} ${[...unknown].map((n) => `"${n}"`).join(', ')}. Create them in HubSpot or map to existing ones.`);

  for (const chunk of chunkUnique(prepared, HUBSPOT_LIMITS.batch, (p) => p.key)) {
    // Which records are there already, and what they hold.
    const existing = new Map<string, SearchResult>();
    const keyed = chunk.filter((p) => p.key !== null);
    if (keyName && keyed.length > 0) {
      const wanted = [...new Set(chunk.flatMap((p) => Object.keys(p.properties)))];
      const response = await client.call('POST', `/crm/v3/objects/${encodeURIComponent(info.name)}/batch/read`, { ...(keyName !== 'hs_object_id' && { idProperty: keyName }), inputs: keyed.map((p) => ({ id: p.key })), properties: wanted }, `finding ${info.name} records`);
      if (response.status >= 300 && response.status !== 207) throw hubspotError(response, `finding ${info.name} records`);
      const found = expectObject(parseApiJson(response.text, 'HubSpot', `finding ${info.name} records`), 'HubSpot', `finding ${info.name} records`);
      for (const r of resultsOf({ results: found.results ?? [] }, `finding ${info.name} records`)) {
        const k = keyName === 'hs_object_id' ? r.id : r.properties[keyName];
        if (k !== null && k !== undefined) existing.set(k, r);
      }
    }
    const creates: Prepared[] = [];
    const updates: { p: Prepared; id: string }[] = [];
    const upserts: Prepared[] = [];
    for (const p of chunk) {
      if (p.key === null && options.mode !== 'insert') {
        results[p.index] = { outcome: 'rejected', reason: `The key ${keyName} is empty: HubSpot cannot find a record without it.` };
        continue;
      }
      const held = p.key === null ? undefined : existing.get(p.key);
      const same = held && Object.keys(p.properties).every((n) => sameValue(held.properties[n] ?? null, p.properties[n], mapHubSpotType(info.properties.get(n)!)));
      if (held && same) {
        results[p.index] = { outcome: 'unchanged' };
        continue;
      }
      if (options.mode === 'insert') {
        if (held) results[p.index] = { outcome: 'rejected', reason: `A HubSpot ${info.name} record with ${keyName} = ${p.key} already exists (id ${held.id}).` };
        else creates.push(p);
      } else if (options.mode === 'update') {
        if (!held) results[p.index] = { outcome: 'rejected', reason: `No HubSpot ${info.name} record has ${keyName} = ${p.key}; an update does not create one.` };
        else updates.push({ p, id: held.id });
      } else if (held) updates.push({ p, id: held.id });
      else if (keyName === 'hs_object_id') results[p.index] = { outcome: 'rejected', reason: `No HubSpot ${info.name} record has id ${p.key}; HubSpot makes record ids itself, so a new record needs an upsert by a unique property.` };
      else upserts.push(p);
    }
    if (creates.length > 0) await sendBatch(client, info, 'create', creates.map((p) => ({ p, input: { properties: p.properties } })), results, false);
    if (updates.length > 0) await sendBatch(client, info, 'update', updates.map(({ p, id }) => ({ p, input: { id, properties: p.properties } })), results, false);
    if (upserts.length > 0) await sendBatch(client, info, 'upsert', upserts.map((p) => ({ p, input: { id: p.key, idProperty: keyName, properties: p.properties } })), results, true);
  }
  return results;
}

/** One batch call; each input's result or error is found again by its objectWriteTraceId. */
async function sendBatch(client: HubSpotClient, info: ObjectInfo, action: 'create' | 'update' | 'upsert', items: { p: Prepared; input: Record<string, unknown> }[], results: RecordResult[], upsert: boolean): Promise<void> {
  const what = `writing ${info.name} (batch ${action})`;
  const response = await client.call('POST', `/crm/v3/objects/${encodeURIComponent(info.name)}/batch/${action}`, { inputs: items.map(({ p, input }) => ({ ...input, objectWriteTraceId: String(p.index) })) }, what);
  if (response.status === 400 && items.length > 1) {
    // Refused as a whole (a validation error HubSpot did not tie to one input): each input alone finds the bad ones.
    for (const item of items) await sendBatch(client, info, action, [item], results, upsert);
    return;
  }
  if (response.status >= 300 && response.status !== 207) {
    if (response.status === 400 || response.status === 409) {
      const body = parseBody(response) as { message?: string };
      for (const { p } of items) results[p.index] = { outcome: 'rejected', reason: `HubSpot: ${body.message ?? `HTTP ${response.status}`}` };
      return;
    }
    throw hubspotError(response, what);
  }
  const body = expectObject(parseApiJson(response.text, 'HubSpot', what), 'HubSpot', what) as BatchResult;
  // Only this call's own trace ids count: one the server made up (another batch's record, a row far past the end)
  // must neither mark a record it did not write as written nor grow the results.
  const mine = new Set(items.map(({ p }) => String(p.index)));
  for (const r of Array.isArray(body.results) ? body.results : []) {
    const trace = String(r?.objectWriteTraceId);
    if (mine.has(trace)) results[Number(trace)] = { outcome: action === 'create' || (upsert && r.new === true) ? 'created' : 'updated' };
  }
  for (const e of Array.isArray(body.errors) ? body.errors : []) {
    const reason = `HubSpot ${e?.category ?? 'error'}: ${(Array.isArray(e?.errors) ? e.errors.map((x) => x?.message).join('; ') : '') || e?.message || 'no message'}`;
    const traces = e?.context?.objectWriteTraceId;
    for (const trace of Array.isArray(traces) ? traces : []) if (mine.has(String(trace))) results[Number(trace)] = { outcome: 'rejected', reason };
  }
  for (const { p } of items) results[p.index] ??= { outcome: 'rejected', reason: `HubSpot answered without a result for this record (batch ${action}).` };
}

export const hubspotConnector = defineConnector<HubSpotConfig, HubSpotSecrets>({
  manifest: hubspotManifest,
  async open(rawConfig, rawSecrets) {
    const config = HubSpotConfig.parse(rawConfig);
    const secrets = HubSpotSecrets.parse(rawSecrets);
    const client = new HubSpotClient(config, secrets.accessToken, guardedTransport({ concurrency: config.maxConcurrency }));
    const session: ConnectorSession = {
      async test() {
        const account = await client.json<{ portalId: number; uiDomain?: string; dataHostingLocation?: string }>('GET', '/account-info/v3/details', undefined, 'reading the account details');
        await client.json('GET', '/crm/v3/schemas', undefined, 'listing custom objects');
        return `The token opens HubSpot account ${account.portalId}${account.dataHostingLocation ? ` (${account.dataHostingLocation})` : ''}.`;
      },
      async discover() {
        const listed = await client.listObjects();
        const out: DiscoveredObject[] = [];
        for (const o of listed) {
          try {
            out.push(describe(await client.object(o.name)));
          } catch (error) {
            // A standard object the token has no scope for is left out, not a failure of discovery.
            if (!(error instanceof ConnectorError && error.code === 'permission')) throw error;
          }
        }
        return out;
      },
      async estimateRows(object) {
        try {
          const info = await client.object(object);
          return (await client.search(info.name, { limit: 1, properties: ['hs_object_id'] })).total;
        } catch {
          return null;
        }
      },
      async *listMembers() {
        let after: string | undefined;
        const followed = seenPages();
        do {
          const page = await client.json<{ results: { id: string; email?: string | null; firstName?: string | null; lastName?: string | null }[]; paging?: { next?: { after: string } } }>(
            'GET',
            `/crm/v3/owners?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`,
            undefined,
            'listing owners',
          );
          for (const o of resultsOf(page, 'listing owners', false)) {
            const owner = o as unknown as { id: string; email?: string | null; firstName?: string | null; lastName?: string | null };
            const name = [owner.firstName, owner.lastName].filter((x) => x).join(' ');
            yield { id: String(owner.id), email: owner.email ?? null, name: name || null };
          }
          after = nextAfter(page, followed, 'listing owners');
        } while (after);
      },
      read: (object, options) => {
        // No query language of its own here: a filter the person typed must not be dropped silently.
        if (options.query && options.query.trim() !== '') throw new ConnectorError('invalid_query', `HubSpot reads have no query filter; read the whole object (or incrementally) and filter in a Filter step.`);
        return readObject(client, object, options);
      },
      write: (object, rows, options) => writeRows(client, object, rows, options),
      async close() {
        await client.http.close?.();
      },
    };
    return session;
  },
});
