// The Salesforce connector (REST API): signs in with OAuth 2.0 (client credentials or username-password) and signs in
// again once when a call answers 401 INVALID_SESSION_ID; objects from describeGlobal and describe; reads with SOQL
// through `query` and `nextRecordsUrl`, ordered by (cursor field, Id) so a checkpoint resumes exactly; writes through
// sObject Collections (upsert by an external id field, create, update) at 200 records a call, after one SOQL query
// that finds the records already there, so unchanged records are not written.
import { LosslessNumber, stringify as losslessStringify } from 'lossless-json';
import { decimalText, type FieldType } from '../../../shared/graph/field-types';
import { errorJson, expectObject, guardedTransport, listAt, parseApiJson, type HttpResponse, type HttpTransport } from '../saas/http';
import { chunkUnique, emptyRow, fromApi, sameValue, toText } from '../saas/values';
import { bodySnippet } from '../../net';
import { MAX_RESPONSE_VALUES } from '../../net/json-shape';
import { seenPages } from '../../net/seen-pages';
import { ConnectorError, defineConnector, type ConnectorSession, type DiscoveredField, type DiscoveredObject, type ReadBatch, type ReadOptions, type RecordResult, type Row, type WriteOptions } from '../types';
import { SalesforceConfig, SalesforceSecrets, salesforceManifest } from './manifest';

export { SalesforceConfig, SalesforceSecrets, salesforceManifest } from './manifest';

export const SALESFORCE_LIMITS = { collection: 200, queryBatch: 2000, inClauseChars: 3500 } as const;

/** Standard objects discover describes (every custom object is described too); others are reachable by name. */
const STANDARD = new Set(['Account', 'Contact', 'Lead', 'Opportunity', 'Case', 'Campaign', 'Product2', 'User', 'Task', 'Event']);
/** Field types SOQL cannot select as one value (compound) or Weft cannot hold. */
const SKIPPED = new Set(['address', 'location', 'base64', 'anyType', 'complexvalue']);

interface SfField {
  name: string;
  label: string;
  type: string;
  nillable: boolean;
  externalId?: boolean;
  idLookup?: boolean;
  unique?: boolean;
  createable?: boolean;
  updateable?: boolean;
  calculated?: boolean;
  defaultedOnCreate?: boolean;
  picklistValues?: { active: boolean; label: string; value: string }[];
}

interface Describe {
  name: string;
  label: string;
  fields: SfField[];
}

interface ObjectInfo {
  name: string;
  label: string;
  fields: SfField[];
  byName: Map<string, SfField>;
}

/** Salesforce's field types in Weft's (docs/connectors.md, "Salesforce"). */
export function mapSalesforceType(type: string): FieldType {
  switch (type) {
    case 'double':
    case 'int':
    case 'long':
    case 'percent':
      return 'number';
    case 'currency':
      return 'currency';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'boolean':
      return 'boolean';
    default:
      return 'text';
  }
}

/** A SOQL literal for a Weft value of a field's type (text quoted with backslash escapes, datetimes unquoted). */
export function soqlLiteral(value: unknown, type: string): string {
  if (value === null || value === undefined) return 'null';
  const t = mapSalesforceType(type);
  if (t === 'number' || t === 'currency') {
    const text = typeof value === 'number' ? decimalText(value) : String(value);
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new ConnectorError('invalid_config', `"${text}" is not a number for a ${type} field.`);
    return text;
  }
  if (t === 'boolean') return value === true || value === 'true' ? 'true' : 'false';
  if (t === 'date') {
    const d = String(fromApi(value, 'date'));
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new ConnectorError('invalid_config', `"${String(value)}" is not a date.`);
    return d;
  }
  if (t === 'datetime') {
    const ms = Date.parse(String(fromApi(value, 'datetime')));
    if (Number.isNaN(ms)) throw new ConnectorError('invalid_config', `"${String(value)}" is not a date and time.`);
    // SOQL datetime literals carry whole seconds: the caller filters the rest of that second itself.
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }
  return `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

function errorOf(response: HttpResponse): { code: string; message: string } {
  const body = errorJson(response.text) as { errorCode?: string; message?: string; error?: string; error_description?: string }[] | { error?: string; error_description?: string } | null | undefined;
  if (body === undefined) return { code: `HTTP ${response.status}`, message: response.text.slice(0, 300) };
  const first = Array.isArray(body) ? body[0] : body;
  return { code: (first as { errorCode?: string })?.errorCode ?? first?.error ?? `HTTP ${response.status}`, message: (first as { message?: string })?.message ?? first?.error_description ?? response.text.slice(0, 300) };
}

export function salesforceError(response: HttpResponse, what: string): ConnectorError {
  const { code, message } = errorOf(response);
  if (response.status === 401) return new ConnectorError('auth', `Salesforce refused the session while ${what}: ${code} (${message}). Check the connected app's credentials.`);
  if (response.status === 403) return new ConnectorError('permission', `Salesforce says the integration user may not do this while ${what}: ${code}: ${message}`);
  if (response.status === 404 || code === 'INVALID_TYPE' || code === 'NOT_FOUND') return new ConnectorError('not_found', `Salesforce has no such object while ${what}: ${message}`);
  if (response.status === 429 || response.status >= 500 || code === 'REQUEST_LIMIT_EXCEEDED') return new ConnectorError('unreachable', `Salesforce answered ${response.status} ${code} while ${what}: ${message}; the run retries later.`);
  if (code === 'MALFORMED_QUERY' || code === 'INVALID_FIELD') return new ConnectorError('invalid_query', `Salesforce refused the query while ${what}: ${message}`, { reason: message });
  return new ConnectorError('invalid_config', `Salesforce refused the request while ${what}: ${code}: ${message}`, { reason: message });
}

class SalesforceClient {
  private token: { accessToken: string; instanceUrl: string } | null = null;
  private signingIn: Promise<{ accessToken: string; instanceUrl: string }> | null = null;
  private readonly described = new Map<string, Promise<ObjectInfo>>();
  readonly base: string;
  constructor(
    private readonly config: SalesforceConfig,
    private readonly secrets: SalesforceSecrets,
    readonly http: HttpTransport,
  ) {
    this.base = `/services/data/v${config.apiVersion}`;
  }

  /** POST /services/oauth2/token; one sign-in at a time however many calls found the session expired. */
  signIn(): Promise<{ accessToken: string; instanceUrl: string }> {
    this.signingIn ??= (async () => {
      try {
        const form = new URLSearchParams({ grant_type: this.config.flow, client_id: this.config.clientId, client_secret: this.secrets.clientSecret });
        if (this.config.flow === 'password') {
          form.set('username', this.config.username);
          form.set('password', this.secrets.password + this.secrets.securityToken);
        }
        const response = await this.http.send({ method: 'POST', url: `${this.config.loginUrl.replace(/\/+$/, '')}/services/oauth2/token`, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString() });
        if (response.status !== 200) {
          const { code, message } = errorOf(response);
          if (response.status === 400 || response.status === 401) {
            const which = this.config.flow === 'password' ? 'user name, password (and security token), and that the org allows the username-password flow' : "consumer key and secret, and that the connected app's client credentials flow has a Run As user";
            throw new ConnectorError('auth', `Salesforce refused the credentials: ${code} (${message}). Check the ${which}.`);
          }
          throw salesforceError(response, 'signing in');
        }
        this.token = signInAnswer(response.text);
        return this.token;
      } finally {
        this.signingIn = null;
      }
    })();
    return this.signingIn;
  }

  /**
   * A call on the instance; a 401 INVALID_SESSION_ID signs in again once and repeats the call. `path` is the
   * instance's own (a nextRecordsUrl included): one that resolves to another server is refused, since the session
   * token goes with every call.
   */
  async call(method: 'GET' | 'POST' | 'PATCH', path: string, body: string | undefined, what: string, extra: Record<string, string> = {}, signal?: AbortSignal): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      const token = this.token ?? (await this.signIn());
      const response = await this.http.send({
        method,
        url: onInstance(path, token.instanceUrl, what),
        headers: { authorization: `Bearer ${token.accessToken}`, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }), ...extra },
        ...(body !== undefined && { body }),
        ...(signal && { signal }),
      });
      if (response.status === 401 && attempt === 0 && errorOf(response).code === 'INVALID_SESSION_ID') {
        if (this.token === token) this.token = null;
        continue;
      }
      if (response.status >= 300) throw salesforceError(response, what);
      return response;
    }
  }

  async json<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body: unknown, what: string, extra?: Record<string, string>, signal?: AbortSignal): Promise<T> {
    const response = await this.call(method, path, body === undefined ? undefined : losslessStringify(body), what, extra, signal);
    return parseApiJson(response.text, 'Salesforce', what, true) as T;
  }

  object(name: string): Promise<ObjectInfo> {
    let info = this.described.get(name.toLowerCase());
    if (!info) {
      info = (async () => {
        const d = await this.json<Describe>('GET', `${this.base}/sobjects/${encodeURIComponent(name)}/describe`, undefined, `describing ${name}`).catch((e: unknown) => {
          if (e instanceof ConnectorError && e.code === 'not_found') throw new ConnectorError('not_found', `Salesforce has no object "${name}" this user can see (custom objects end in __c).`);
          throw e;
        });
        const fields = listAt<SfField>(d, 'fields', ['name', 'type'], 'Salesforce', `describing ${name}`).filter((f) => !SKIPPED.has(f.type));
        return { name: typeof d.name === 'string' ? d.name : name, label: typeof d.label === 'string' ? d.label : name, fields, byName: new Map(fields.map((f) => [f.name.toLowerCase(), f])) };
      })();
      info.catch(() => this.described.delete(name.toLowerCase()));
      this.described.set(name.toLowerCase(), info);
    }
    return info;
  }

  /**
   * Every record of a SOQL query, page by page through nextRecordsUrl. `columns`: the fields it selects, which set the
   * page size: a page of 2,000 records of a 600-field object holds over a million JSON values, more than one answer may
   * (net/json-shape.ts), so wide queries ask for fewer records a page (Salesforce's floor is 200).
   */
  async *query(soql: string, what: string, signal?: AbortSignal, columns = 0): AsyncGenerator<Record<string, unknown>[]> {
    const options = { 'sforce-query-options': `batchSize=${queryBatchSize(columns)}` };
    // A query locator never comes back (each page's is new): one seen before is a server going round in a circle.
    const followed = seenPages();
    let page = queryPage(await this.json<unknown>('GET', `${this.base}/query?q=${encodeURIComponent(soql)}`, undefined, what, options, signal), what);
    for (;;) {
      yield page.records;
      if (page.done === true) return;
      const next = page.nextRecordsUrl;
      if (typeof next !== 'string' || next === '') throw new ConnectorError('unknown', `Salesforce said more records follow (done: false) but gave no nextRecordsUrl while ${what}; Weft stopped rather than miss records.`);
      if (followed.has(next)) throw new ConnectorError('unknown', `Salesforce sent the nextRecordsUrl ${bodySnippet(next, 200)} again while ${what}: its pages go round in a circle, so Weft stopped rather than read the same records again.`);
      // Remembered up to 10,000 pages (20 million records at 2,000 a page): a longer circle goes unseen, memory bounded.
      followed.add(next);
      page = queryPage(await this.json<unknown>('GET', next, undefined, what, options, signal), what);
    }
  }
}

/** Records a query page asks for: 2,000, fewer when each record's values (its fields, its attributes) would fill half the value limit. */
export function queryBatchSize(columns: number): number {
  return Math.max(200, Math.min(SALESFORCE_LIMITS.queryBatch, Math.floor(MAX_RESPONSE_VALUES / 2 / (columns + 4))));
}

/** A query answer's page: records a list, done a boolean (nextRecordsUrl checked where it is followed). */
function queryPage(value: unknown, what: string): { done: unknown; nextRecordsUrl?: unknown; records: Record<string, unknown>[] } {
  const page = expectObject(value, 'Salesforce', what);
  if (!Array.isArray(page.records)) throw new ConnectorError('unknown', `Salesforce answered a query without its records while ${what}: ${bodySnippet(JSON.stringify(page), 200)}`);
  return page as { done: unknown; nextRecordsUrl?: unknown; records: Record<string, unknown>[] };
}

/** The token endpoint's answer: an access token and an http(s) instance URL, or an auth error saying what came. */
function signInAnswer(text: string): { accessToken: string; instanceUrl: string } {
  // Parsed as an error answer is (bounded): a token answer of millions of values is said below, not a heap exhausted.
  const parsed = errorJson(text);
  const body: Record<string, unknown> = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  const instance = typeof body.instance_url === 'string' && URL.canParse(body.instance_url) ? new URL(body.instance_url) : null;
  if (typeof body.access_token !== 'string' || body.access_token === '' || !instance || (instance.protocol !== 'https:' && instance.protocol !== 'http:')) {
    // A token answer holds a token (an access token beside a bad instance_url): its fields are named, never its text,
    // which would land in a test result or a run's history (probe19).
    const said = Object.keys(body).length > 0 ? `an answer with the fields ${Object.keys(body).slice(0, 10).join(', ')}` : bodySnippet(text, 200) || 'an empty body';
    throw new ConnectorError('auth', `Salesforce's token endpoint answered without an access token and an http(s) instance_url: ${said}. Check the login URL (it must be the org's login or My Domain address).`);
  }
  return { accessToken: body.access_token, instanceUrl: instance.href.replace(/\/+$/, '') };
}

/** A path of the instance (or a whole URL on it) as the URL to call; another server is refused. */
function onInstance(path: string, instanceUrl: string, what: string): string {
  const instance = new URL(instanceUrl);
  let url: URL;
  try {
    // A whole URL or a network-path reference (//host/...) names its server; a path is the instance's own.
    url = /^(https?:)?\/\//i.test(path) ? new URL(path, instance) : new URL(path.startsWith('/') ? instanceUrl + path : `${instanceUrl}/${path}`);
  } catch {
    throw new ConnectorError('unknown', `Salesforce sent an address Weft cannot read while ${what}: ${bodySnippet(path, 200)}`);
  }
  if (url.origin !== instance.origin) throw new ConnectorError('permission', `Salesforce sent an address on another server (${url.origin}) while ${what}; Weft only calls the instance ${instance.origin}, where the session token belongs.`);
  return url.href;
}

function describeObject(info: ObjectInfo): DiscoveredObject {
  const fields: DiscoveredField[] = info.fields.map((f) => ({
    name: f.name,
    type: mapSalesforceType(f.type),
    nativeType: f.type,
    nullable: f.nillable,
    ...(f.type.endsWith('picklist') && f.picklistValues && { options: f.picklistValues.filter((p) => p.active).map((p) => ({ value: p.value, label: p.label })) }),
  }));
  const orderable = fields.filter((f) => ['number', 'currency', 'date', 'datetime'].includes(f.type)).map((f) => f.name);
  const has = (n: string) => info.byName.has(n.toLowerCase());
  return {
    name: info.name,
    label: info.label,
    fields,
    primaryKey: ['Id'],
    cursorFields: [...new Set(['SystemModstamp', 'LastModifiedDate', 'Id', ...orderable])].filter(has),
  };
}

interface SalesforceCursor {
  v: 1;
  field: string;
  /** The cursor field's value of the last record read (Weft form) and its Id. */
  last: unknown;
  id: string | null;
}

const msOf = (v: unknown) => Date.parse(String(fromApi(v, 'datetime')));

async function* readObject(client: SalesforceClient, object: string, options: ReadOptions): AsyncGenerator<ReadBatch> {
  const info = await client.object(object);
  const fieldName = options.incremental?.field ?? 'Id';
  const field = info.byName.get(fieldName.toLowerCase());
  if (!field) throw new ConnectorError('invalid_config', `Salesforce object ${info.name} has no field "${fieldName}" to read incrementally by.`);
  const type = mapSalesforceType(field.type);
  const byId = field.name === 'Id';
  const c = options.cursor as Partial<SalesforceCursor> | null | undefined;
  if (c && (c.v !== 1 || c.field !== field.name)) throw new ConnectorError('invalid_config', `This Salesforce read cannot resume from the checkpoint it was given (made for another cursor field than ${field.name}).`);
  let last: unknown = c ? c.last : options.incremental ? options.incremental.after : null;
  let lastId: string | null = c?.id ?? null;
  const hasStart = last !== null && last !== undefined;
  // `inclusive` is the incremental branch's option (ReadOptions.incremental.inclusive: field >= after).
  const inclusive = !c && (options.incremental as { inclusive?: boolean } | undefined)?.inclusive === true;
  const start = last;
  const startId = lastId;

  const conditions: string[] = [];
  if (byId) {
    if (lastId ?? (hasStart ? String(last) : null)) conditions.push(`Id > ${soqlLiteral(lastId ?? String(last), 'string')}`);
  } else if (hasStart) {
    // Whole seconds in a datetime literal: >= the second, and the rest of it is skipped below.
    conditions.push(`${field.name} ${type === 'datetime' || c || inclusive ? '>=' : '>'} ${soqlLiteral(last, field.type)}`);
  }
  const select = info.fields.map((f) => f.name);
  const soql = `SELECT ${select.join(', ')} FROM ${info.name}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${byId ? 'Id ASC' : `${field.name} ASC, Id ASC`}`;
  const types = info.fields.map((f) => mapSalesforceType(f.type));
  const startMs = hasStart && type === 'datetime' ? msOf(last) : NaN;
  /** Whether a record comes at or before where the read starts (the rest of a second, or a resumed position). */
  const before = (value: unknown, id: string): boolean => {
    if (byId || !hasStart) return false;
    const cmp = type === 'datetime' ? Math.sign(msOf(value) - startMs) : compareStart(value, start, type);
    if (cmp < 0) return true;
    if (cmp > 0) return false;
    return c ? startId !== null && id <= startId : !inclusive;
  };
  const size = Math.max(1, options.batchSize);
  let rows: Row[] = [];
  for await (const records of client.query(soql, `reading ${info.name}`, options.signal, select.length)) {
    for (const record of records) {
      const id = String(record.Id);
      const value = fromApi(record[field.name], type);
      if (before(value, id)) continue;
      const row = emptyRow();
      for (let k = 0; k < select.length; k++) row[select[k]!] = fromApi(record[select[k]!], types[k]!);
      rows.push(row);
      last = byId ? id : value;
      lastId = id;
      if (rows.length === size) {
        yield { rows, cursor: { v: 1, field: field.name, last, id: lastId } satisfies SalesforceCursor };
        rows = [];
        options.signal?.throwIfAborted();
      }
    }
  }
  if (rows.length > 0) yield { rows, cursor: { v: 1, field: field.name, last, id: lastId } satisfies SalesforceCursor };
}

function compareStart(value: unknown, start: unknown, type: FieldType): number {
  if (value === null) return -1;
  if (type === 'number' || type === 'currency') {
    const a = Number(value);
    const b = Number(start);
    return a === b ? 0 : a < b ? -1 : 1;
  }
  const a = String(value);
  const b = String(fromApi(start, type));
  return a === b ? 0 : a < b ? -1 : 1;
}

/** A Weft value as the JSON Salesforce takes for a field: numbers exact (LosslessNumber), dates and datetimes as ISO. */
function toSalesforce(value: unknown, f: SfField): unknown {
  const t = mapSalesforceType(f.type);
  // A checkbox is never empty in Salesforce: no value is false.
  if ((value === null || value === undefined || value === '') && t === 'boolean' && !f.nillable) return false;
  if (value === null || value === undefined || value === '') return null;
  if (t === 'number' || t === 'currency') {
    const text = typeof value === 'number' ? decimalText(value) : String(value).trim();
    return /^-?\d+(\.\d+)?$/.test(text) ? new LosslessNumber(text) : String(value);
  }
  if (t === 'boolean') return typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : String(value);
  if (t === 'date' || t === 'datetime') return fromApi(value, t);
  return toText(value, 'text');
}

interface Prepared {
  index: number;
  key: string | null;
  record: Record<string, unknown>;
}

type SaveResult = { id: string | null; success: boolean; created?: boolean; errors: { statusCode: string; message: string; fields?: string[] }[] };

async function writeRows(client: SalesforceClient, object: string, rows: Row[], options: WriteOptions): Promise<RecordResult[]> {
  if (rows.length === 0) return [];
  const info = await client.object(object);
  const results: RecordResult[] = new Array<RecordResult>(rows.length);
  if (options.key.length > 1) throw new ConnectorError('invalid_config', `Salesforce finds a record by one field; this write gives ${options.key.length} (${options.key.join(', ')}).`);
  const keyField = options.key[0] ? info.byName.get(options.key[0].toLowerCase()) : undefined;
  if (options.key[0] && !keyField) throw new ConnectorError('invalid_config', `Salesforce object ${info.name} has no field "${options.key[0]}".`);
  if (options.mode !== 'insert' && !keyField) throw new ConnectorError('invalid_config', `A Salesforce ${options.mode} needs a key: Id, or an external id field.`);
  if (keyField && keyField.name !== 'Id' && !keyField.externalId && !keyField.idLookup) {
    const ext = info.fields.filter((f) => f.externalId).map((f) => f.name);
    throw new ConnectorError('invalid_config', `Salesforce upserts ${info.name} by Id or an external id field${ext.length ? ` (${ext.join(', ')})` : ''}; "${keyField.name}" is not one. Mark it External ID in Setup.`);
  }
  const unknown = new Set<string>();
  const sent = new Set<string>();
  const prepared: Prepared[] = rows.map((row, index) => {
    const record = Object.create(null) as Record<string, unknown>;
    for (const name of Object.keys(row)) {
      const f = info.byName.get(name.toLowerCase());
      if (!f) {
        unknown.add(name);
        continue;
      }
      if (f.name === 'Id' || f.calculated || (!f.createable && !f.updateable)) continue;
      record[f.name] = toSalesforce(row[name], f);
      sent.add(f.name);
    }
    const k = keyField ? row[options.key[0]!] : null;
    return { index, key: k === null || k === undefined || k === '' ? null : toText(k, mapSalesforceType(keyField!.type)), record };
  });
  if (unknown.size > 0) throw new ConnectorError('invalid_config', `Salesforce object ${info.name} has no field${unknown.size === 1 ? '' : 's'} ${[...unknown].map((n) => `"${n}"`).join(', ')} (custom fields end in __c).`);

  for (const chunk of chunkUnique(prepared, SALESFORCE_LIMITS.collection, (p) => p.key)) {
    const existing = new Map<string, Record<string, unknown>>();
    const keys = [...new Set(chunk.map((p) => p.key).filter((k): k is string => k !== null))];
    if (keyField && keys.length > 0) {
      const columns = [...new Set(['Id', keyField.name, ...sent])];
      // IN lists kept short: SOQL's WHERE clause and the URL both have length limits.
      let group: string[] = [];
      let length = 0;
      const flush = async () => {
        if (group.length === 0) return;
        const soql = `SELECT ${columns.join(', ')} FROM ${info.name} WHERE ${keyField.name} IN (${group.join(', ')})`;
        for await (const records of client.query(soql, `finding ${info.name} records`, undefined, columns.length)) for (const r of records) existing.set(toText(fromApi(r[keyField.name], mapSalesforceType(keyField.type)), mapSalesforceType(keyField.type)), r);
        group = [];
        length = 0;
      };
      for (const k of keys) {
        const literal = soqlLiteral(k, keyField.type);
        if (length + literal.length > SALESFORCE_LIMITS.inClauseChars) await flush();
        group.push(literal);
        length += literal.length + 2;
      }
      await flush();
    }
    const creates: Prepared[] = [];
    const updates: { p: Prepared; id: string }[] = [];
    const upserts: Prepared[] = [];
    for (const p of chunk) {
      if (p.key === null && options.mode !== 'insert') {
        results[p.index] = { outcome: 'rejected', reason: `The key ${keyField!.name} is empty: Salesforce cannot find a record without it.` };
        continue;
      }
      const held = p.key === null ? undefined : existing.get(p.key);
      if (held && Object.keys(p.record).every((n) => sameValue(fromApi(held[n], mapSalesforceType(info.byName.get(n.toLowerCase())!.type)), fromApi(p.record[n] instanceof LosslessNumber ? (p.record[n] as LosslessNumber).value : p.record[n], mapSalesforceType(info.byName.get(n.toLowerCase())!.type)), mapSalesforceType(info.byName.get(n.toLowerCase())!.type)))) {
        results[p.index] = { outcome: 'unchanged' };
        continue;
      }
      if (options.mode === 'insert') {
        if (held) results[p.index] = { outcome: 'rejected', reason: `A Salesforce ${info.name} record with ${keyField!.name} = ${p.key} already exists (Id ${String(held.Id)}).` };
        else creates.push(p);
      } else if (options.mode === 'update' || keyField!.name === 'Id') {
        if (!held) results[p.index] = { outcome: 'rejected', reason: `No Salesforce ${info.name} record has ${keyField!.name} = ${p.key}; ${options.mode === 'update' ? 'an update does not create one' : 'Salesforce makes record Ids itself, so a new record needs an upsert by an external id field'}.` };
        else updates.push({ p, id: String(held.Id) });
      } else upserts.push(p);
    }
    const send = async (method: 'POST' | 'PATCH', path: string, items: { p: Prepared; record: Record<string, unknown> }[], kind: 'create' | 'update' | 'upsert') => {
      if (items.length === 0) return;
      const answer = await client.json<unknown>(method, path, { allOrNone: false, records: items.map(({ record }) => ({ attributes: { type: info.name }, ...record })) }, `writing ${info.name} (${kind})`);
      // One result per record, in order (a list shorter than the records, or no list, leaves records without one).
      const saved = (Array.isArray(answer) ? answer : []) as Partial<SaveResult>[];
      items.forEach(({ p }, k) => {
        const r = saved[k];
        if (!r || typeof r !== 'object') results[p.index] = { outcome: 'rejected', reason: `Salesforce answered without a result for this record (${kind}).` };
        else if (r.success === true) results[p.index] = { outcome: kind === 'create' || (kind === 'upsert' && r.created === true) ? 'created' : 'updated' };
        else results[p.index] = { outcome: 'rejected', reason: (Array.isArray(r.errors) ? r.errors : []).map((e) => `${e?.statusCode}: ${e?.message}`).join('; ') || `Salesforce refused the record without saying why (${kind}).` };
      });
    };
    await send('POST', `${client.base}/composite/sobjects`, creates.map((p) => ({ p, record: p.record })), 'create');
    await send('PATCH', `${client.base}/composite/sobjects`, updates.map(({ p, id }) => ({ p, record: { id, ...p.record } })), 'update');
    await send('PATCH', `${client.base}/composite/sobjects/${encodeURIComponent(info.name)}/${encodeURIComponent(keyField?.name ?? 'Id')}`, upserts.map((p) => ({ p, record: { ...p.record, [keyField!.name]: p.record[keyField!.name] ?? toSalesforce(p.key, keyField!) } })), 'upsert');
  }
  return results;
}

export const salesforceConnector = defineConnector<SalesforceConfig, SalesforceSecrets>({
  manifest: salesforceManifest,
  async open(rawConfig, rawSecrets) {
    const config = SalesforceConfig.parse(rawConfig);
    const secrets = SalesforceSecrets.parse(rawSecrets);
    if (config.flow === 'password' && !config.username) throw new ConnectorError('invalid_config', 'The username-password flow needs a user name.');
    const client = new SalesforceClient(config, secrets, guardedTransport({ concurrency: config.maxConcurrency }));
    const session: ConnectorSession = {
      async test() {
        const { instanceUrl } = await client.signIn();
        const limits = await client.json<{ DailyApiRequests?: { Max: number; Remaining: number } }>('GET', `${client.base}/limits`, undefined, 'reading the org limits');
        const api = limits.DailyApiRequests;
        return `Signed in to ${new URL(instanceUrl).host} (${config.flow === 'password' ? `as ${config.username}` : 'client credentials'})${api ? `; ${api.Remaining.toLocaleString('en')} of ${api.Max.toLocaleString('en')} daily API requests left` : ''}.`;
      },
      async discover() {
        const global = { sobjects: listAt<{ name: string; queryable: boolean; custom: boolean; deprecatedAndHidden?: boolean }>(await client.json<unknown>('GET', `${client.base}/sobjects`, undefined, 'listing objects'), 'sobjects', ['name'], 'Salesforce', 'listing objects') };
        const wanted = global.sobjects.filter((s) => s.queryable && !s.deprecatedAndHidden && (s.custom || STANDARD.has(s.name)));
        const described = await Promise.all(wanted.map((s) => client.object(s.name).then(describeObject)));
        return described;
      },
      async estimateRows(object) {
        try {
          const info = await client.object(object);
          return (await client.json<{ totalSize: number }>('GET', `${client.base}/query?q=${encodeURIComponent(`SELECT COUNT() FROM ${info.name}`)}`, undefined, `counting ${info.name}`)).totalSize;
        } catch {
          return null;
        }
      },
      async *listMembers() {
        for await (const records of client.query('SELECT Id, Email, Name FROM User WHERE IsActive = true ORDER BY Id', 'listing users')) {
          for (const u of records) yield { id: String(u.Id), email: (u.Email as string | null) ?? null, name: (u.Name as string | null) ?? null };
        }
      },
      read: (object, options) => {
        // No query language of its own here: a filter the person typed must not be dropped silently.
        if (options.query && options.query.trim() !== '') throw new ConnectorError('invalid_query', `Salesforce reads have no query filter; read the whole object (or incrementally) and filter in a Filter step.`);
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
