// A local Salesforce REST API for tests and benchmarks, written from Salesforce's public REST API Developer Guide:
// the OAuth 2.0 token endpoint (client credentials and username-password flows), describeGlobal and describe,
// SOQL through `query` with `nextRecordsUrl` pages (Sforce-Query-Options batchSize 200..2000), sObject Collections
// create/update and upsert by an external id field (at most 200 records, allOrNone=false answers one result per
// record in order), /limits and the Sforce-Limit-Info header, INVALID_SESSION_ID for an expired token, and the
// JSON error bodies ([{ message, errorCode, fields }]). Numbers travel as exact JSON numbers both ways.
// It checks what the client sends and keeps every breach of the documented limits in `violations`.
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { isLosslessNumber, parse as losslessParse } from 'lossless-json';
import { parseSoql, SoqlError, type Condition, type Literal, type SoqlQuery } from './soql';

export type SfType = 'id' | 'string' | 'textarea' | 'email' | 'phone' | 'url' | 'picklist' | 'reference' | 'double' | 'int' | 'currency' | 'percent' | 'date' | 'datetime' | 'boolean';

export interface SfField {
  name: string;
  label: string;
  type: SfType;
  length: number;
  precision: number;
  scale: number;
  nillable: boolean;
  unique: boolean;
  externalId: boolean;
  idLookup: boolean;
  createable: boolean;
  updateable: boolean;
  calculated: boolean;
  defaultedOnCreate: boolean;
  restrictedPicklist: boolean;
  picklistValues: { active: boolean; defaultValue: boolean; label: string; validFor: null; value: string }[];
  referenceTo: string[];
  soapType: string;
}

type Value = string | boolean | null;
interface SObjectType {
  name: string;
  label: string;
  custom: boolean;
  keyPrefix: string;
  fields: Map<string, SfField>;
  records: Map<string, Map<string, Value>>;
}

export interface SalesforceServerOptions {
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  /** false: the org refuses the username-password flow (as orgs may). */
  allowPasswordFlow?: boolean;
  apiVersion?: string;
}

export interface RecordedSfRequest {
  method: string;
  path: string;
  body: unknown;
  authorization: string | null;
  queryOptions: string | null;
}

const SOAP: Record<SfType, string> = { id: 'tns:ID', string: 'xsd:string', textarea: 'xsd:string', email: 'xsd:string', phone: 'xsd:string', url: 'xsd:string', picklist: 'xsd:string', reference: 'tns:ID', double: 'xsd:double', int: 'xsd:int', currency: 'xsd:double', percent: 'xsd:double', date: 'xsd:date', datetime: 'xsd:dateTime', boolean: 'xsd:boolean' };
const NUMERIC = new Set<SfType>(['double', 'int', 'currency', 'percent']);

export function sfField(name: string, type: SfType, extra: Partial<SfField> = {}): SfField {
  return {
    name,
    label: extra.label ?? name.replace(/__c$/, '').replace(/_/g, ' '),
    type,
    length: extra.length ?? (['string', 'email', 'phone', 'url', 'picklist'].includes(type) ? 255 : type === 'textarea' ? 32_768 : type === 'id' || type === 'reference' ? 18 : 0),
    precision: extra.precision ?? (NUMERIC.has(type) ? 18 : 0),
    scale: extra.scale ?? (type === 'int' ? 0 : NUMERIC.has(type) ? 6 : 0),
    nillable: extra.nillable ?? true,
    unique: extra.unique ?? false,
    externalId: extra.externalId ?? false,
    idLookup: extra.idLookup ?? (type === 'id' || !!extra.externalId),
    createable: extra.createable ?? type !== 'id',
    updateable: extra.updateable ?? type !== 'id',
    calculated: extra.calculated ?? false,
    defaultedOnCreate: extra.defaultedOnCreate ?? type === 'boolean',
    restrictedPicklist: extra.restrictedPicklist ?? false,
    picklistValues: extra.picklistValues ?? [],
    referenceTo: extra.referenceTo ?? [],
    soapType: SOAP[type],
  };
}

const picklist = (values: string[]) => values.map((value, k) => ({ active: true, defaultValue: k === 0, label: value, validFor: null, value }));
const systemFields = () => [
  sfField('Id', 'id', { nillable: false, label: 'Record ID' }),
  sfField('CreatedDate', 'datetime', { nillable: false, createable: false, updateable: false, defaultedOnCreate: true }),
  sfField('LastModifiedDate', 'datetime', { nillable: false, createable: false, updateable: false, defaultedOnCreate: true }),
  sfField('SystemModstamp', 'datetime', { nillable: false, createable: false, updateable: false, defaultedOnCreate: true }),
];

/** Salesforce's datetime format: `2026-02-01T00:01:01.007+0000`. */
const sfDatetime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
const errors = (errorCode: string, message: string, fields?: string[]) => [{ message, errorCode, ...(fields && { fields }) }];

export class SalesforceServer {
  readonly requests: RecordedSfRequest[] = [];
  readonly violations: string[] = [];
  readonly faults: { status: number; body: unknown; headers?: Record<string, string> }[] = [];
  recordRequests = true;
  /**
   * A misbehaving server (tests): answers a request itself when it returns a Response (after the request is recorded,
   * before faults and authentication); undefined lets the server answer as documented.
   */
  intercept: ((c: Context) => Response | undefined | Promise<Response | undefined>) | null = null;
  /** Tokens issued, and how many times each flow was used. */
  readonly issued: { grant: string }[] = [];
  private readonly objects = new Map<string, SObjectType>();
  private readonly tokens = new Set<string>();
  private readonly locators = new Map<string, { rows: Map<string, Value>[]; fields: string[]; object: SObjectType; size: number }>();
  private nextId = 1;
  private nextPrefix = 1;
  private lastStamp = 0;
  private apiCalls = 0;
  private server: ServerType | undefined;
  port = 0;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;

  constructor(private readonly options: SalesforceServerOptions = {}) {
    this.clientId = options.clientId ?? '3MVG9local.test.client';
    this.clientSecret = options.clientSecret ?? 'local-test-client-secret-0123';
    this.username = options.username ?? 'integration@example.com';
    this.password = options.password ?? 'local-test-password';
    this.define('Account', 'Account', false, [
      sfField('Name', 'string', { nillable: false, label: 'Account Name' }),
      sfField('AccountNumber', 'string', { length: 40 }),
      sfField('Industry', 'picklist', { picklistValues: picklist(['Agriculture', 'Banking', 'Technology', 'Retail']) }),
      sfField('Rating', 'picklist', { picklistValues: picklist(['Hot', 'Warm', 'Cold']), restrictedPicklist: true }),
      sfField('AnnualRevenue', 'currency', { scale: 0 }),
      sfField('NumberOfEmployees', 'int', { precision: 8 }),
      sfField('External_Id__c', 'string', { externalId: true, unique: true, length: 80 }),
      sfField('OwnerId', 'reference', { referenceTo: ['User'] }),
    ]);
    this.define('Contact', 'Contact', false, [
      sfField('LastName', 'string', { nillable: false, length: 80 }),
      sfField('FirstName', 'string', { length: 40 }),
      sfField('Email', 'email'),
      sfField('Birthdate', 'date'),
      sfField('HasOptedOutOfEmail', 'boolean', { nillable: false }),
      sfField('AccountId', 'reference', { referenceTo: ['Account'] }),
      sfField('Legacy_Key__c', 'string', { externalId: true, unique: true, length: 80 }),
    ]);
    this.define('User', 'User', false, [
      sfField('Username', 'string', { nillable: false, unique: true }),
      sfField('Email', 'email', { nillable: false }),
      sfField('FirstName', 'string'),
      sfField('LastName', 'string', { nillable: false }),
      sfField('Name', 'string', { createable: false, updateable: false, calculated: true }),
      sfField('IsActive', 'boolean', { nillable: false }),
    ]);
    this.insert(
      'User',
      Array.from({ length: 7 }, (_, k) => ({ Username: `user${k + 1}@example.com.org`, Email: `user${k + 1}@example.com`, FirstName: `User`, LastName: `Number ${k + 1}`, Name: `User Number ${k + 1}`, IsActive: k !== 6 })),
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get version(): string {
    return this.options.apiVersion ?? '62.0';
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => {
      this.server = serve({ fetch: this.app().fetch, port, hostname: '127.0.0.1' }, (info) => {
        this.port = info.port;
        resolve();
      });
    });
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    (s as { closeAllConnections?: () => void }).closeAllConnections?.();
  }

  /** Every token issued so far stops working (a session timeout): the next call gets 401 INVALID_SESSION_ID. */
  expireTokens(): void {
    this.tokens.clear();
  }

  private stamp(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return sfDatetime(this.lastStamp);
  }

  // ---------- the test's own door ----------

  define(name: string, label: string, custom: boolean, fields: SfField[]): string {
    const keyPrefix = custom ? `a${String(this.nextPrefix++).padStart(2, '0')}` : ({ Account: '001', Contact: '003', User: '005' } as Record<string, string>)[name] ?? `a${String(this.nextPrefix++).padStart(2, '0')}`;
    this.objects.set(name.toLowerCase(), { name, label, custom, keyPrefix, fields: new Map([...systemFields(), ...fields].map((f) => [f.name.toLowerCase(), f])), records: new Map() });
    return name;
  }

  drop(name: string): void {
    this.objects.delete(name.toLowerCase());
  }

  /** Stores records directly (numbers as decimal text); returns their ids. */
  insert(object: string, rows: Record<string, Value | number>[], modifiedAt?: (k: number) => string): string[] {
    const o = this.objects.get(object.toLowerCase())!;
    return rows.map((row, k) => {
      const id = this.newId(o);
      const at = modifiedAt?.(k) ?? this.stamp();
      const values = new Map<string, Value>();
      for (const [name, v] of Object.entries(row)) values.set(o.fields.get(name.toLowerCase())?.name ?? name, typeof v === 'number' ? String(v) : v);
      values.set('Id', id);
      values.set('CreatedDate', at);
      values.set('LastModifiedDate', at);
      values.set('SystemModstamp', at);
      o.records.set(id, values);
      return id;
    });
  }

  records(object: string): Record<string, Value>[] {
    return [...this.objects.get(object.toLowerCase())!.records.values()].map((r) => Object.assign(Object.create(null) as Record<string, Value>, Object.fromEntries(r)));
  }

  private newId(o: SObjectType): string {
    return `${o.keyPrefix}${String(this.nextId++).padStart(12, '0')}AAA`;
  }

  // ---------- the API ----------

  private app(): Hono {
    const app = new Hono();
    const v = `/services/data/v${this.version}`;

    app.use('*', async (c, next) => {
      const raw = c.req.method === 'GET' ? '' : await c.req.text();
      let body: unknown = null;
      if (raw && c.req.path !== '/services/oauth2/token') {
        try {
          body = losslessParse(raw);
        } catch {
          return c.json(errors('JSON_PARSER_ERROR', 'Unexpected character in the JSON body'), 400);
        }
        if (!/application\/json/.test(c.req.header('content-type') ?? '')) this.violations.push(`${c.req.method} ${c.req.path}: Content-Type is not application/json`);
      }
      c.set('raw' as never, raw as never);
      c.set('body' as never, body as never);
      if (this.recordRequests) this.requests.push({ method: c.req.method, path: c.req.path, body, authorization: c.req.header('authorization') ?? null, queryOptions: c.req.header('sforce-query-options') ?? null });
      const intercepted = await this.intercept?.(c);
      if (intercepted) return intercepted;
      const fault = this.faults.shift();
      if (fault) {
        for (const [k, val] of Object.entries(fault.headers ?? {})) c.header(k, val);
        return c.json(fault.body as object, fault.status as 503);
      }
      if (c.req.path.startsWith('/services/data/')) {
        const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
        if (!token || !this.tokens.has(token)) return c.json(errors('INVALID_SESSION_ID', 'Session expired or invalid'), 401);
        this.apiCalls++;
        c.header('Sforce-Limit-Info', `api-usage=${this.apiCalls}/15000`);
      }
      await next();
    });

    app.post('/services/oauth2/token', (c) => {
      const form = new URLSearchParams(c.get('raw' as never) as string);
      if (!/application\/x-www-form-urlencoded/.test(c.req.header('content-type') ?? '')) this.violations.push('token: Content-Type is not application/x-www-form-urlencoded');
      const grant = form.get('grant_type');
      if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) return c.json({ error: 'invalid_client', error_description: 'invalid client credentials' }, 400);
      if (grant === 'password') {
        if (this.options.allowPasswordFlow === false) return c.json({ error: 'invalid_grant', error_description: 'authentication failure' }, 400);
        if (form.get('username') !== this.username || form.get('password') !== this.password) return c.json({ error: 'invalid_grant', error_description: 'authentication failure' }, 400);
      } else if (grant !== 'client_credentials') return c.json({ error: 'unsupported_grant_type', error_description: 'grant type not supported' }, 400);
      const token = `00Dlocal!${crypto.randomUUID().replace(/-/g, '')}`;
      this.tokens.add(token);
      this.issued.push({ grant });
      return c.json({ access_token: token, instance_url: this.url, id: `${this.url}/id/00Dlocal/005000000000001AAA`, token_type: 'Bearer', issued_at: String(Date.now()), signature: 'bG9jYWw=' });
    });

    app.get(`${v}/limits`, (c) => c.json({ DailyApiRequests: { Max: 15_000, Remaining: 15_000 - this.apiCalls } }));

    app.get(`${v}/sobjects`, (c) =>
      c.json({
        encoding: 'UTF-8',
        maxBatchSize: 200,
        sobjects: [...this.objects.values()].map((o) => ({ name: o.name, label: o.label, labelPlural: o.label, custom: o.custom, keyPrefix: o.keyPrefix, queryable: true, createable: o.name !== 'User', updateable: true, deletable: true, urls: { sobject: `${v}/sobjects/${o.name}`, describe: `${v}/sobjects/${o.name}/describe` } })),
      }),
    );

    app.get(`${v}/sobjects/:name/describe`, (c) => {
      const o = this.objects.get(c.req.param('name').toLowerCase());
      if (!o) return c.json(errors('NOT_FOUND', 'The requested resource does not exist'), 404);
      return c.json({ name: o.name, label: o.label, custom: o.custom, keyPrefix: o.keyPrefix, queryable: true, createable: true, updateable: true, fields: [...o.fields.values()] });
    });

    app.get(`${v}/query`, (c) => this.query(c, c.req.query('q') ?? ''));
    app.get(`${v}/query/:locator`, (c) => {
      const [id, offset] = c.req.param('locator').split('-');
      const l = this.locators.get(id ?? '');
      if (!l) return c.json(errors('INVALID_QUERY_LOCATOR', 'invalid query locator'), 400);
      return this.page(c, id!, l, Number(offset));
    });

    app.post(`${v}/composite/sobjects`, (c) => this.collection(c, 'create'));
    app.patch(`${v}/composite/sobjects`, (c) => this.collection(c, 'update'));
    app.patch(`${v}/composite/sobjects/:object/:field`, (c) => this.collection(c, 'upsert', c.req.param('object'), c.req.param('field')));

    app.notFound((c) => c.json(errors('NOT_FOUND', 'The requested resource does not exist'), 404));
    return app;
  }

  private query(c: Context, text: string) {
    let q: SoqlQuery;
    try {
      q = parseSoql(text);
    } catch (e) {
      return c.json(errors('MALFORMED_QUERY', e instanceof SoqlError ? e.message : String(e)), 400);
    }
    const o = this.objects.get(q.object.toLowerCase());
    if (!o) return c.json(errors('INVALID_TYPE', `sObject type '${q.object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.`), 400);
    const names = [...q.fields, ...q.orderBy.map((x) => x.field), ...conditionFields(q.where)];
    for (const n of names) if (!o.fields.has(n.toLowerCase())) return c.json(errors('INVALID_FIELD', `No such column '${n}' on entity '${o.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`), 400);
    let rows = [...o.records.values()].filter((r) => !q.where || evaluate(q.where, r, o));
    if (q.count) return c.json({ totalSize: rows.length, done: true, records: [] });
    if (q.orderBy.length > 0) {
      rows.sort((a, b) => {
        for (const { field, desc } of q.orderBy) {
          const f = o.fields.get(field.toLowerCase())!;
          const cmp = compareValue(a.get(f.name) ?? null, b.get(f.name) ?? null, f.type);
          if (cmp !== 0) return desc ? -cmp : cmp;
        }
        return 0;
      });
    }
    if (q.limit !== null) rows = rows.slice(0, q.limit);
    const options = c.req.header('sforce-query-options');
    let size = 2000;
    if (options) {
      const m = /batchSize=(\d+)/.exec(options);
      if (m) {
        size = Number(m[1]);
        if (size < 200 || size > 2000) {
          this.violations.push(`query: batchSize ${size} outside 200..2000`);
          size = Math.min(2000, Math.max(200, size));
        }
      }
    }
    const id = `01g${crypto.randomUUID().replace(/-/g, '').slice(0, 15)}`;
    const l = { rows, fields: q.fields.map((n) => o.fields.get(n.toLowerCase())!.name), object: o, size };
    if (rows.length > size) this.locators.set(id, l);
    return this.page(c, id, l, 0);
  }

  private page(c: Context, id: string, l: { rows: Map<string, Value>[]; fields: string[]; object: SObjectType; size: number }, offset: number) {
    const slice = l.rows.slice(offset, offset + l.size);
    const done = offset + l.size >= l.rows.length;
    if (done) this.locators.delete(id);
    const records = slice.map((r) => this.recordJson(l.object, r, l.fields));
    const next = done ? '' : `,"nextRecordsUrl":${JSON.stringify(`/services/data/v${this.version}/query/${id}-${offset + l.size}`)}`;
    return c.body(`{"totalSize":${l.rows.length},"done":${done}${next},"records":[${records.join(',')}]}`, 200, { 'content-type': 'application/json;charset=UTF-8' });
  }

  /** One record as JSON text, numbers written as their exact decimal text. */
  private recordJson(o: SObjectType, r: Map<string, Value>, fields: string[]): string {
    const parts = [`"attributes":${JSON.stringify({ type: o.name, url: `/services/data/v${this.version}/sobjects/${o.name}/${String(r.get('Id'))}` })}`];
    for (const name of fields) {
      const f = o.fields.get(name.toLowerCase())!;
      const value = r.get(f.name) ?? null;
      parts.push(`${JSON.stringify(f.name)}:${value === null ? 'null' : NUMERIC.has(f.type) ? String(value) : JSON.stringify(value)}`);
    }
    return `{${parts.join(',')}}`;
  }

  private collection(c: Context, action: 'create' | 'update' | 'upsert', object?: string, extField?: string) {
    const body = c.get('body' as never) as { allOrNone?: boolean; records?: Record<string, unknown>[] } | null;
    if (!body || !Array.isArray(body.records)) return c.json(errors('JSON_PARSER_ERROR', 'records is required'), 400);
    if (body.records.length > 200) {
      this.violations.push(`composite/sobjects ${action}: ${body.records.length} records over 200`);
      return c.json(errors('EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call'), 400);
    }
    let o: SObjectType | undefined;
    let ext: SfField | undefined;
    if (action === 'upsert') {
      o = this.objects.get(object!.toLowerCase());
      if (!o) return c.json(errors('NOT_FOUND', `The requested resource does not exist`), 404);
      ext = o.fields.get(extField!.toLowerCase());
      if (!ext || (!ext.externalId && ext.name !== 'Id')) return c.json(errors('INVALID_FIELD', `Field name provided, ${extField}, is not an External ID or indexed field for ${o.name}`), 400);
    }
    const seen = new Set<string>();
    const results = body.records.map((input) => {
      const type = (input.attributes as { type?: string } | undefined)?.type;
      if (!type) {
        this.violations.push(`composite/sobjects ${action}: a record without attributes.type`);
        return { success: false, errors: errors('INVALID_TYPE', 'When using sObject Collections, each record must have an attributes.type'), id: null };
      }
      const target = o ?? this.objects.get(type.toLowerCase());
      if (!target || (o && target.name.toLowerCase() !== type.toLowerCase())) return { success: false, errors: errors('INVALID_TYPE', `Record type ${type} does not match the collection ${o?.name ?? ''}`), id: null };
      const fail = (code: string, message: string, fields: string[] = []) => ({ id: null, success: false, errors: [{ statusCode: code, message, fields }], ...(action === 'upsert' && { created: false }) });
      // Which record: by Id (update), by the external id (upsert), none (create).
      let existing: Map<string, Value> | undefined;
      if (action === 'update') {
        const id = input.id ?? input.Id;
        if (typeof id !== 'string') return fail('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
        existing = target.records.get(id);
        if (!existing) return fail('ENTITY_IS_DELETED', 'entity is deleted', []);
      } else if (action === 'upsert') {
        if ('Id' in input || 'id' in input) {
          this.violations.push('composite/sobjects upsert: a record carries Id');
          return fail('INVALID_FIELD', 'Id not allowed in an upsert by external id', ['Id']);
        }
        const key = scalar(input[ext!.name]);
        if (key === null || key === '') return fail('MISSING_ARGUMENT', `${ext!.name} not specified`, [ext!.name]);
        if (seen.has(String(key))) return fail('DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${String(key)}`, [ext!.name]);
        seen.add(String(key));
        for (const r of target.records.values()) if (String(r.get(ext!.name)) === String(key)) existing = r;
      }
      const values = new Map<string, Value>();
      for (const [name, raw] of Object.entries(input)) {
        if (name === 'attributes' || (action === 'update' && (name === 'id' || name === 'Id'))) continue;
        const f = target.fields.get(name.toLowerCase());
        if (!f) return fail('INVALID_FIELD', `No such column '${name}' on sobject of type ${target.name}`, [name]);
        if (existing ? !f.updateable : !f.createable) {
          if (action === 'upsert' && f === ext) {
            values.set(f.name, scalar(raw));
            continue;
          }
          return fail('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${f.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, [f.name]);
        }
        const accepted = accept(f, raw);
        if ('code' in accepted) return fail(accepted.code, accepted.message, [f.name]);
        values.set(f.name, accepted.value);
      }
      if (!existing) {
        const missing = [...target.fields.values()].filter((f) => !f.nillable && f.createable && !f.defaultedOnCreate && (values.get(f.name) ?? null) === null).map((f) => f.name);
        if (missing.length > 0) return fail('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
      }
      for (const [name, value] of values) {
        const f = target.fields.get(name.toLowerCase())!;
        if (!f.unique || value === null) continue;
        for (const r of target.records.values()) if (r !== existing && r.get(f.name) === value) return fail('DUPLICATE_VALUE', `duplicate value found: ${f.name} duplicates value on record with id: ${String(r.get('Id'))}`, [f.name]);
      }
      const at = this.stamp();
      let record = existing;
      if (!record) {
        record = new Map();
        const id = this.newId(target);
        record.set('Id', id);
        record.set('CreatedDate', at);
        for (const f of target.fields.values()) if (f.type === 'boolean' && !values.has(f.name)) record.set(f.name, false);
        target.records.set(id, record);
      }
      for (const [name, value] of values) record.set(name, value);
      record.set('LastModifiedDate', at);
      record.set('SystemModstamp', at);
      return { id: record.get('Id'), success: true, errors: [], ...(action === 'upsert' && { created: !existing }) };
    });
    return c.json(results, 200);
  }
}

/** A JSON value as stored: LosslessNumber as its text. */
function scalar(raw: unknown): Value {
  if (raw === null || raw === undefined) return null;
  if (isLosslessNumber(raw)) return raw.value;
  if (typeof raw === 'boolean') return raw;
  return String(raw);
}

function accept(f: SfField, raw: unknown): { value: Value } | { code: string; message: string } {
  if (raw === null || raw === undefined) return { value: null };
  const text = isLosslessNumber(raw) ? raw.value : typeof raw === 'string' ? raw : typeof raw === 'boolean' ? String(raw) : null;
  if (text === null) return { code: 'JSON_PARSER_ERROR', message: `Cannot deserialize instance of ${f.soapType} from a JSON object or array` };
  if (NUMERIC.has(f.type)) {
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
    if (!m) return { code: 'JSON_PARSER_ERROR', message: `Cannot deserialize instance of ${f.type} from VALUE_STRING value ${text} or request may be missing a required field` };
    const intDigits = m[2]!.replace(/^0+(?=\d)/, '').length;
    if (intDigits > f.precision - f.scale || (f.type === 'int' && m[3] && /[1-9]/.test(m[3]))) return { code: 'NUMBER_OUTSIDE_VALID_RANGE', message: `${f.label}: value outside of valid range on numeric field: ${text}` };
    return { value: `${m[1]}${m[2]!.replace(/^0+(?=\d)/, '')}${m[3] && /[1-9]/.test(m[3]) ? `.${m[3].replace(/0+$/, '')}` : ''}`.replace(/^-0$/, '0') };
  }
  if (f.type === 'boolean') {
    if (typeof raw !== 'boolean' && text !== 'true' && text !== 'false') return { code: 'JSON_PARSER_ERROR', message: `Cannot deserialize instance of boolean from VALUE_STRING value ${text}` };
    return { value: text === 'true' };
  }
  if (f.type === 'date') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(text))) return { code: 'JSON_PARSER_ERROR', message: `Cannot deserialize instance of date from VALUE_STRING value ${text}` };
    return { value: text };
  }
  if (f.type === 'datetime') {
    const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (Number.isNaN(ms)) return { code: 'JSON_PARSER_ERROR', message: `Cannot deserialize instance of datetime from VALUE_STRING value ${text}` };
    return { value: sfDatetime(ms) };
  }
  if (f.type === 'picklist' && f.restrictedPicklist && !f.picklistValues.some((p) => p.value === text)) return { code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: `${f.label}: bad value for restricted picklist field: ${text}` };
  if (text.length > f.length) return { code: 'STRING_TOO_LONG', message: `${f.label}: data value too large: ${text.slice(0, 40)} (max length=${f.length})` };
  return { value: text };
}

function conditionFields(c: Condition | null): string[] {
  if (!c) return [];
  switch (c.op) {
    case 'and':
    case 'or':
      return [...conditionFields(c.left), ...conditionFields(c.right)];
    case 'not':
      return conditionFields(c.inner);
    default:
      return [c.field];
  }
}

function compareValue(a: Value, b: Value, type: SfType): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1; // Salesforce sorts nulls first by default
  if (NUMERIC.has(type)) {
    const x = Number(a);
    const y = Number(b);
    if (x !== y) return x < y ? -1 : 1;
    return 0;
  }
  if (type === 'datetime') return Date.parse(String(a).replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) - Date.parse(String(b).replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (type === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function literalValue(l: Literal): Value {
  switch (l.kind) {
    case 'null':
      return null;
    case 'bool':
      return l.value;
    default:
      return l.value;
  }
}

function evaluate(c: Condition, r: Map<string, Value>, o: SObjectType): boolean {
  switch (c.op) {
    case 'and':
      return evaluate(c.left, r, o) && evaluate(c.right, r, o);
    case 'or':
      return evaluate(c.left, r, o) || evaluate(c.right, r, o);
    case 'not':
      return !evaluate(c.inner, r, o);
    case 'in': {
      const f = o.fields.get(c.field.toLowerCase())!;
      const v = r.get(f.name) ?? null;
      return v !== null && c.values.some((l) => compareValue(v, literalValue(l), f.type) === 0);
    }
    case 'cmp': {
      const f = o.fields.get(c.field.toLowerCase())!;
      const v = r.get(f.name) ?? null;
      const lit = literalValue(c.value);
      if (lit === null) return c.cmp === '=' ? v === null : c.cmp === '!=' ? v !== null : false;
      if (v === null) return c.cmp === '!=';
      const cmp = compareValue(v, lit, f.type);
      return { '=': cmp === 0, '!=': cmp !== 0, '<': cmp < 0, '<=': cmp <= 0, '>': cmp > 0, '>=': cmp >= 0 }[c.cmp];
    }
  }
}
