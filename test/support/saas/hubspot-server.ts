// A local HubSpot CRM v3 API for tests and benchmarks, written from HubSpot's public API reference: private-app
// bearer tokens, objects (contacts, companies, deals and custom objects made through the schemas API), properties
// with their types and enumeration options, the search endpoint (filterGroups, one sort, `after` paging, at most
// 200 a page and 10,000 results a query), batch read/create/update/upsert (at most 100 inputs, per-input errors
// correlated by objectWriteTraceId in a 207), owners, account details, the X-HubSpot-RateLimit-* headers and 429s.
// It also checks what the client sends and keeps every breach of the documented limits in `violations`.
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';

export type HubSpotType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';

export interface HubSpotProperty {
  name: string;
  label: string;
  type: HubSpotType;
  fieldType: string;
  groupName: string;
  description: string;
  options: { label: string; value: string; displayOrder: number; hidden: boolean }[];
  hasUniqueValue: boolean;
  calculated: boolean;
  showCurrencySymbol?: boolean;
  hidden: boolean;
  modificationMetadata: { archivable: boolean; readOnlyDefinition: boolean; readOnlyValue: boolean };
}

interface StoredRecord {
  id: string;
  /** Values as HubSpot keeps them: text, absent when unset. */
  values: Map<string, string>;
  createdAt: string;
  updatedAt: string;
}

interface ObjectType {
  objectTypeId: string;
  name: string;
  fullyQualifiedName: string;
  labels: { singular: string; plural: string };
  primaryDisplayProperty: string;
  requiredProperties: string[];
  custom: boolean;
  modifiedProperty: string;
  properties: Map<string, HubSpotProperty>;
  records: Map<string, StoredRecord>;
}

export interface HubSpotServerOptions {
  tokens?: string[];
  portalId?: number;
  /** Requests a token may make per rate window (X-HubSpot-RateLimit-Max); past it: 429. */
  ratePerWindow?: number;
  rateWindowMs?: number;
  /** Search requests per second (HubSpot: 5); past it: 429 with policyName SECONDLY. */
  searchPerSecond?: number;
  /** Sent with a 429 (HubSpot's own answers may omit it; the client then waits a default). */
  retryAfterSeconds?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  authorization: string | null;
}

const PORTAL = 4_201_337;
const MAX_SEARCH_RESULTS = 10_000;

const prop = (name: string, type: HubSpotType, extra: Partial<HubSpotProperty> = {}): HubSpotProperty => ({
  name,
  label: extra.label ?? name.replace(/_/g, ' '),
  type,
  fieldType: extra.fieldType ?? { string: 'text', number: 'number', date: 'date', datetime: 'date', enumeration: 'select', bool: 'booleancheckbox' }[type],
  groupName: extra.groupName ?? 'information',
  description: extra.description ?? '',
  options: extra.options ?? [],
  hasUniqueValue: extra.hasUniqueValue ?? false,
  calculated: extra.calculated ?? false,
  ...(extra.showCurrencySymbol !== undefined && { showCurrencySymbol: extra.showCurrencySymbol }),
  hidden: extra.hidden ?? false,
  modificationMetadata: extra.modificationMetadata ?? { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
});
const readOnly = { archivable: false, readOnlyDefinition: true, readOnlyValue: true };
const optionList = (values: string[]) => values.map((value, k) => ({ label: value.replace(/^./, (c) => c.toUpperCase()), value, displayOrder: k, hidden: false }));
const systemProps = (modified: string) => [
  prop('hs_object_id', 'number', { label: 'Record ID', modificationMetadata: readOnly }),
  prop('createdate', 'datetime', { label: 'Create Date', modificationMetadata: readOnly }),
  prop(modified, 'datetime', { label: 'Last Modified Date', modificationMetadata: readOnly }),
];

export const LIFECYCLE = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'];

/** HubSpot's error body: `{ status: 'error', message, correlationId, category, ... }`. */
const errorBody = (category: string, message: string, extra: Record<string, unknown> = {}) => ({ status: 'error', message, correlationId: crypto.randomUUID(), category, ...extra });

export class HubSpotServer {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  /** Answers forced onto the next requests (status and body), before anything else: for 429/5xx tests. */
  readonly faults: { status: number; body: unknown; headers?: Record<string, string> }[] = [];
  recordRequests = true;
  /**
   * A misbehaving server (tests): answers a request itself when it returns a Response (after the request is recorded,
   * before faults and authentication); undefined lets the server answer as documented.
   */
  intercept: ((c: Context) => Response | undefined | Promise<Response | undefined>) | null = null;
  private readonly objects = new Map<string, ObjectType>();
  private readonly owners: { id: string; email: string; firstName: string; lastName: string; userId: number; createdAt: string; updatedAt: string; archived: boolean; teams: unknown[] }[] = [];
  private readonly tokens: Set<string>;
  private nextId = 1;
  private nextTypeId = 1;
  private lastStamp = 0;
  private windowStart = Date.now();
  private windowCount = 0;
  private searchSecond = 0;
  private searchCount = 0;
  private server: ServerType | undefined;
  port = 0;

  constructor(private readonly options: HubSpotServerOptions = {}) {
    this.tokens = new Set(options.tokens ?? ['pat-na1-local-test-token']);
    const standard = (objectTypeId: string, name: string, singular: string, primary: string, modified: string, props: HubSpotProperty[]) =>
      this.objects.set(name, {
        objectTypeId,
        name,
        fullyQualifiedName: name,
        labels: { singular, plural: singular + 's' },
        primaryDisplayProperty: primary,
        requiredProperties: [],
        custom: false,
        modifiedProperty: modified,
        properties: new Map([...systemProps(modified), ...props].map((p) => [p.name, p])),
        records: new Map(),
      });
    for (let k = 1; k <= 12; k++) {
      this.owners.push({ id: String(60_000 + k), email: `owner${k}@example.com`, firstName: `Owner`, lastName: `Number ${k}`, userId: 9_000 + k, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z', archived: false, teams: [] });
    }
    const ownerOptions = this.owners.map((o, k) => ({ label: `${o.firstName} ${o.lastName}`, value: o.id, displayOrder: k, hidden: false }));
    standard('0-1', 'contacts', 'Contact', 'email', 'lastmodifieddate', [
      prop('email', 'string', { label: 'Email', hasUniqueValue: true }),
      prop('firstname', 'string', { label: 'First Name' }),
      prop('lastname', 'string', { label: 'Last Name' }),
      prop('phone', 'string', { label: 'Phone Number', fieldType: 'phonenumber' }),
      prop('company', 'string', { label: 'Company Name' }),
      prop('lifecyclestage', 'enumeration', { label: 'Lifecycle Stage', fieldType: 'radio', options: optionList(LIFECYCLE) }),
      prop('hubspot_owner_id', 'enumeration', { label: 'Contact owner', options: ownerOptions }),
      prop('annualrevenue', 'number', { label: 'Annual Revenue', showCurrencySymbol: true }),
      prop('hs_email_optout', 'bool', { label: 'Unsubscribed from all email' }),
      prop('date_of_birth', 'date', { label: 'Date of birth' }),
    ]);
    standard('0-2', 'companies', 'Company', 'name', 'hs_lastmodifieddate', [
      prop('name', 'string', { label: 'Company name' }),
      prop('domain', 'string', { label: 'Company Domain Name' }),
      prop('industry', 'enumeration', { label: 'Industry', options: optionList(['COMPUTER_SOFTWARE', 'FINANCIAL_SERVICES', 'RETAIL', 'HOSPITAL_HEALTH_CARE']) }),
      prop('numberofemployees', 'number', { label: 'Number of Employees' }),
      prop('annualrevenue', 'number', { label: 'Annual Revenue', showCurrencySymbol: true }),
      prop('is_public', 'bool', { label: 'Is Public' }),
      prop('external_id', 'string', { label: 'External ID', hasUniqueValue: true }),
    ]);
    standard('0-3', 'deals', 'Deal', 'dealname', 'hs_lastmodifieddate', [
      prop('dealname', 'string', { label: 'Deal Name' }),
      prop('amount', 'number', { label: 'Amount', showCurrencySymbol: true }),
      prop('dealstage', 'enumeration', { label: 'Deal Stage', options: optionList(['appointmentscheduled', 'qualifiedtobuy', 'closedwon', 'closedlost']) }),
      prop('pipeline', 'enumeration', { label: 'Pipeline', options: optionList(['default']) }),
      prop('closedate', 'datetime', { label: 'Close Date' }),
      prop('hubspot_owner_id', 'enumeration', { label: 'Deal owner', options: ownerOptions }),
      prop('deal_key', 'string', { label: 'Deal key', hasUniqueValue: true }),
    ]);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get token(): string {
    return [...this.tokens][0]!;
  }
  revoke(token: string): void {
    this.tokens.delete(token);
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

  /** Milliseconds that only grow, as an ISO datetime (HubSpot keeps modification times to the millisecond). */
  private stamp(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return new Date(this.lastStamp).toISOString();
  }

  // ---------- the test's own door (never through the API under test) ----------

  /** A custom object, as POST /crm/v3/schemas makes it; returns its fullyQualifiedName. */
  defineObject(name: string, properties: { name: string; type: HubSpotType; showCurrencySymbol?: boolean; unique?: boolean; options?: string[] }[], required: string[] = []): string {
    const n = this.nextTypeId++;
    this.version++;
    const fullyQualifiedName = `p${this.options.portalId ?? PORTAL}_${name}`;
    for (const [key, o] of this.objects) if (o.name === name && o.custom) this.objects.delete(key);
    this.objects.set(fullyQualifiedName, {
      objectTypeId: `2-${1000 + n}`,
      name,
      fullyQualifiedName,
      labels: { singular: name, plural: name },
      primaryDisplayProperty: properties[0]?.name ?? 'hs_object_id',
      requiredProperties: required,
      custom: true,
      modifiedProperty: 'hs_lastmodifieddate',
      properties: new Map([...systemProps('hs_lastmodifieddate'), ...properties.map((p) => prop(p.name, p.type, { hasUniqueValue: p.unique ?? false, ...(p.showCurrencySymbol !== undefined && { showCurrencySymbol: p.showCurrencySymbol }), ...(p.options && { options: optionList(p.options) }) }))].map((p) => [p.name, p])),
      records: new Map(),
    });
    return fullyQualifiedName;
  }

  dropObject(name: string): void {
    this.version++;
    const o = this.find(name);
    if (o) this.objects.delete(o.fullyQualifiedName);
  }

  /** Stores records directly (values as HubSpot text); returns their ids. `modifiedAt` pins the modification time. */
  insert(object: string, rows: Record<string, string | null>[], modifiedAt?: (k: number) => string): string[] {
    const o = this.find(object)!;
    this.version++;
    return rows.map((row, k) => {
      const id = String(this.nextId++);
      const at = modifiedAt?.(k) ?? this.stamp();
      const record: StoredRecord = { id, values: new Map(), createdAt: at, updatedAt: at };
      for (const [name, v] of Object.entries(row)) if (v !== null && v !== '') this.setValue(o, record, name, v);
      record.values.set('hs_object_id', id);
      record.values.set('createdate', at);
      record.values.set(o.modifiedProperty, at);
      o.records.set(id, record);
      return id;
    });
  }

  /** Reads a record's stored values back for assertions (null-prototype object). */
  records(object: string): Record<string, string>[] {
    const o = this.find(object)!;
    return [...o.records.values()].map((r) => Object.assign(Object.create(null) as Record<string, string>, Object.fromEntries(r.values)));
  }

  /** `count` contacts with every kind of value, for paging tests and benchmarks. */
  seedContacts(count: number, options: { tiesEvery?: number } = {}): void {
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    const rows = Array.from({ length: count }, (_, k) => ({
      email: `person${k}@example.com`,
      firstname: `First${k}`,
      lastname: `Last${k}`,
      phone: k % 7 === 0 ? null : `+1 555 ${String(k).padStart(7, '0')}`,
      company: `Company ${k % 97}`,
      lifecyclestage: LIFECYCLE[k % LIFECYCLE.length]!,
      hubspot_owner_id: this.owners[k % this.owners.length]!.id,
      annualrevenue: k % 11 === 0 ? '123456789012345678901' : `${k * 1000}.5`,
      hs_email_optout: k % 2 === 0 ? 'true' : 'false',
      date_of_birth: `19${String(50 + (k % 50)).padStart(2, '0')}-0${(k % 9) + 1}-1${k % 10}`,
    }));
    const ties = options.tiesEvery ?? 3;
    this.insert('contacts', rows, (k) => new Date(base + Math.floor(k / ties) * 1000).toISOString());
  }

  // ---------- the API ----------

  private find(name: string): ObjectType | undefined {
    const direct = this.objects.get(name);
    if (direct) return direct;
    for (const o of this.objects.values()) if (o.objectTypeId === name || o.name === name) return o;
    return undefined;
  }

  private rateHeaders(c: Context, remaining: number) {
    const max = this.options.ratePerWindow ?? 1_000_000;
    c.header('X-HubSpot-RateLimit-Max', String(max));
    c.header('X-HubSpot-RateLimit-Remaining', String(Math.max(0, remaining)));
    c.header('X-HubSpot-RateLimit-Interval-Milliseconds', String(this.options.rateWindowMs ?? 10_000));
    c.header('X-HubSpot-RateLimit-Daily', '1000000');
    c.header('X-HubSpot-RateLimit-Daily-Remaining', '999000');
  }

  private tooMany(c: Context, policyName: string, message: string) {
    if (this.options.retryAfterSeconds !== undefined) c.header('Retry-After', String(this.options.retryAfterSeconds));
    return c.json({ status: 'error', message, errorType: 'RATE_LIMIT', correlationId: crypto.randomUUID(), policyName, groupName: 'publicapi' }, 429);
  }

  private app(): Hono {
    const app = new Hono();

    app.use('*', async (c, next) => {
      let body: unknown = null;
      if (c.req.method !== 'GET' && c.req.method !== 'DELETE') {
        const text = await c.req.text();
        if (!/application\/json/.test(c.req.header('content-type') ?? '')) this.violations.push(`${c.req.method} ${c.req.path}: Content-Type is ${c.req.header('content-type') ?? 'missing'}, not application/json`);
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          return c.json(errorBody('VALIDATION_ERROR', 'Invalid input JSON on line 1'), 400);
        }
        c.set('body' as never, body as never);
      }
      const authorization = c.req.header('authorization') ?? null;
      if (this.recordRequests) this.requests.push({ method: c.req.method, path: c.req.path + (new URL(c.req.url).search || ''), body, authorization });
      const intercepted = await this.intercept?.(c);
      if (intercepted) return intercepted;
      const fault = this.faults.shift();
      if (fault) {
        for (const [k, v] of Object.entries(fault.headers ?? {})) c.header(k, v);
        return c.json(fault.body as object, fault.status as 429);
      }
      const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
      if (!token || !this.tokens.has(token)) {
        return c.json(
          errorBody('INVALID_AUTHENTICATION', token ? 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview' : 'Authentication credentials not found.'),
          401,
        );
      }
      const now = Date.now();
      const window = this.options.rateWindowMs ?? 10_000;
      if (now - this.windowStart >= window) {
        this.windowStart = now;
        this.windowCount = 0;
      }
      this.windowCount++;
      const max = this.options.ratePerWindow ?? 1_000_000;
      this.rateHeaders(c, max - this.windowCount);
      if (this.windowCount > max) return this.tooMany(c, 'TEN_SECONDLY_ROLLING', 'You have reached your ten_secondly_rolling limit.');
      if (c.req.path.endsWith('/search')) {
        const second = Math.floor(now / 1000);
        if (second !== this.searchSecond) {
          this.searchSecond = second;
          this.searchCount = 0;
        }
        if (++this.searchCount > (this.options.searchPerSecond ?? 1_000_000)) return this.tooMany(c, 'SECONDLY', 'You have reached your secondly limit.');
      }
      await next();
    });

    const body = <T>(c: Context): T => c.get('body' as never) as T;
    const notFound = (c: Context, objectType: string) => c.json(errorBody('OBJECT_NOT_FOUND', `Unable to infer object type from: ${objectType}`), 400);

    app.get('/account-info/v3/details', (c) => c.json({ portalId: this.options.portalId ?? PORTAL, accountType: 'STANDARD', timeZone: 'UTC', companyCurrency: 'USD', additionalCurrencies: [], utcOffset: '+00:00', utcOffsetMilliseconds: 0, uiDomain: 'app.hubspot.com', dataHostingLocation: 'na1' }));

    app.get('/crm/v3/schemas', (c) =>
      c.json({
        results: [...this.objects.values()]
          .filter((o) => o.custom)
          .map((o) => ({
            id: o.objectTypeId.split('-')[1],
            objectTypeId: o.objectTypeId,
            name: o.name,
            fullyQualifiedName: o.fullyQualifiedName,
            labels: o.labels,
            primaryDisplayProperty: o.primaryDisplayProperty,
            requiredProperties: o.requiredProperties,
            searchableProperties: [],
            secondaryDisplayProperties: [],
            properties: [...o.properties.values()],
            associations: [],
            archived: false,
            createdAt: '2026-01-01T00:00:00.000Z',
            updatedAt: '2026-01-01T00:00:00.000Z',
          })),
      }),
    );

    app.get('/crm/v3/properties/:objectType', (c) => {
      const o = this.find(c.req.param('objectType'));
      if (!o) return notFound(c, c.req.param('objectType'));
      return c.json({ results: [...o.properties.values()] });
    });

    app.get('/crm/v3/owners', (c) => {
      const limit = Number(c.req.query('limit') ?? 100);
      if (limit > 500) this.violations.push(`owners: limit ${limit} over 500`);
      const after = Number(c.req.query('after') ?? 0);
      const page = this.owners.slice(after, after + limit);
      const next = after + limit < this.owners.length ? { next: { after: String(after + limit), link: `${this.url}/crm/v3/owners?after=${after + limit}` } } : undefined;
      return c.json({ results: page, ...(next && { paging: next }) });
    });

    app.post('/crm/v3/objects/:objectType/search', (c) => {
      const o = this.find(c.req.param('objectType'));
      if (!o) return notFound(c, c.req.param('objectType'));
      const req = body<{ filterGroups?: { filters: { propertyName: string; operator: string; value?: string; values?: string[] }[] }[]; sorts?: ({ propertyName: string; direction?: string } | string)[]; properties?: string[]; limit?: number; after?: string | number }>(c) ?? {};
      const limit = req.limit ?? 10;
      if (limit > 200) {
        this.violations.push(`search: limit ${limit} over 200`);
        return c.json(errorBody('VALIDATION_ERROR', `Limit must be less than or equal to 200`), 400);
      }
      const groups = req.filterGroups ?? [];
      if (groups.length > 5 || groups.reduce((n, g) => n + g.filters.length, 0) > 18) {
        this.violations.push('search: more than 5 filter groups or 18 filters');
        return c.json(errorBody('VALIDATION_ERROR', 'Too many filters or filter groups'), 400);
      }
      for (const g of groups) for (const f of g.filters) if (!o.properties.has(f.propertyName)) return c.json(errorBody('VALIDATION_ERROR', `There was a problem with the request. Property ${f.propertyName} does not exist`), 400);
      if ((req.sorts?.length ?? 0) > 1) {
        this.violations.push('search: more than one sort');
        return c.json(errorBody('VALIDATION_ERROR', 'Only one sort is supported'), 400);
      }
      const after = Number(req.after ?? 0);
      if (!Number.isInteger(after) || after < 0) return c.json(errorBody('VALIDATION_ERROR', `Invalid after: ${String(req.after)}`), 400);
      if (after + limit > MAX_SEARCH_RESULTS) {
        this.violations.push(`search: paged past ${MAX_SEARCH_RESULTS} results (after ${after})`);
        return c.json(errorBody('VALIDATION_ERROR', `Search results are limited to 10,000 total; the requested page starts at ${after}`), 400);
      }
      const sort = req.sorts?.[0];
      const sortName = typeof sort === 'string' ? sort.replace(/^-/, '') : (sort?.propertyName ?? 'hs_object_id');
      const descending = typeof sort === 'string' ? sort.startsWith('-') : sort?.direction === 'DESCENDING';
      const sortProp = o.properties.get(sortName);
      if (!sortProp) return c.json(errorBody('VALIDATION_ERROR', `Property ${sortName} does not exist`), 400);
      const sorted = this.sorted(o, sortName, sortProp, descending);
      let matches: StoredRecord[];
      const only = groups.length === 1 && groups[0]!.filters.length === 1 ? groups[0]!.filters[0]! : null;
      if (groups.length === 0) matches = sorted.map((k) => k.r);
      else if (only && only.propertyName === sortName && !descending && (only.operator === 'GT' || only.operator === 'GTE')) {
        // The keyset case (a filter on the sort property): a binary search into the sorted order.
        const at = filterValue(String(only.value), sortProp);
        let lo = 0;
        let hi = sorted.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          const v = sorted[mid]!.v;
          const cmp = v === undefined ? 1 : compareValues(v, at, sortProp.type);
          if (cmp < 0 || (cmp === 0 && only.operator === 'GT')) lo = mid + 1;
          else hi = mid;
        }
        matches = sorted.slice(lo).filter((k) => k.v !== undefined).map((k) => k.r);
      } else matches = sorted.filter((k) => groups.some((g) => g.filters.every((f) => matchFilter(k.r, f, o.properties.get(f.propertyName)!)))).map((k) => k.r);
      const page = matches.slice(after, after + limit);
      const wanted = req.properties && req.properties.length > 0 ? req.properties : [o.primaryDisplayProperty];
      const results = page.map((r) => this.view(o, r, wanted));
      const next = after + limit < matches.length ? { next: { after: String(after + limit) } } : undefined;
      return c.json({ total: matches.length, results, ...(next && { paging: next }) });
    });

    app.post('/crm/v3/objects/:objectType/batch/read', (c) => {
      const o = this.find(c.req.param('objectType'));
      if (!o) return notFound(c, c.req.param('objectType'));
      const req = body<{ idProperty?: string; inputs: { id: string }[]; properties?: string[] }>(c);
      if (req.inputs.length > 100) this.violations.push(`batch/read: ${req.inputs.length} inputs over 100`);
      const idProperty = req.idProperty ?? 'hs_object_id';
      const by = this.index(o, idProperty);
      const results = [];
      const missing: string[] = [];
      for (const input of req.inputs) {
        const r = by.get(input.id);
        if (r) results.push(this.view(o, r, req.properties ?? [], idProperty));
        else missing.push(input.id);
      }
      const now = new Date().toISOString();
      if (missing.length === 0) return c.json({ status: 'COMPLETE', results, startedAt: now, completedAt: now });
      return c.json({ status: 'COMPLETE', results, numErrors: 1, errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Could not get some records.', context: { ids: missing } }], startedAt: now, completedAt: now }, 207);
    });

    for (const action of ['create', 'update', 'upsert'] as const) {
      app.post(`/crm/v3/objects/:objectType/batch/${action}`, (c) => {
        const o = this.find(c.req.param('objectType'));
        if (!o) return notFound(c, c.req.param('objectType'));
        const req = body<{ inputs: { id?: string; idProperty?: string; properties: Record<string, unknown>; objectWriteTraceId?: string }[] }>(c);
        if (!Array.isArray(req?.inputs)) return c.json(errorBody('VALIDATION_ERROR', 'inputs is required'), 400);
        if (req.inputs.length > 100) {
          this.violations.push(`batch/${action}: ${req.inputs.length} inputs over 100`);
          return c.json(errorBody('VALIDATION_ERROR', `Batch input has ${req.inputs.length} inputs; the limit is 100`), 400);
        }
        return this.batchWrite(c, o, action, req.inputs);
      });
    }

    app.notFound((c) => c.json(errorBody('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`), 404));
    return app;
  }

  private readonly sortCache = new Map<string, { version: number; keyed: { r: StoredRecord; v: string | undefined }[] }>();
  private version = 0;

  /** Records in search order for one sort, kept until the next write (searches page through the same order). */
  private sorted(o: ObjectType, sortName: string, sortProp: HubSpotProperty, descending: boolean): { r: StoredRecord; v: string | undefined }[] {
    const cacheKey = `${o.fullyQualifiedName}\u0000${sortName}\u0000${descending}`;
    const hit = this.sortCache.get(cacheKey);
    if (hit && hit.version === this.version) return hit.keyed;
    // Sort keys computed once per record (numbers and instants as doubles; exact text breaks ties past 2^53).
    const keyed = [...o.records.values()].map((r) => {
      const v = r.values.get(sortName);
      const n = v === undefined ? NaN : sortProp.type === 'number' ? Number(v) : sortProp.type === 'datetime' || sortProp.type === 'date' ? Date.parse(v) : NaN;
      return { r, v, n, id: Number(r.id) };
    });
    keyed.sort((a, b) => {
      let cmp: number;
      if (a.v === undefined || b.v === undefined) cmp = a.v === undefined ? (b.v === undefined ? 0 : 1) : -1;
      else if (!Number.isNaN(a.n) && !Number.isNaN(b.n) && a.n !== b.n) cmp = a.n < b.n ? -1 : 1;
      else cmp = compareValues(a.v, b.v, sortProp.type);
      return (descending ? -cmp : cmp) || a.id - b.id;
    });
    const out = keyed.map(({ r, v }) => ({ r, v }));
    this.sortCache.set(cacheKey, { version: this.version, keyed: out });
    return out;
  }

  private readonly indexes = new WeakMap<ObjectType, Map<string, Map<string, StoredRecord>>>();

  /** Records by one property's value, built once and kept up to date by every write (`setValue`). */
  private index(o: ObjectType, idProperty: string): Map<string, StoredRecord> {
    if (idProperty === 'hs_object_id') return o.records;
    let all = this.indexes.get(o);
    if (!all) this.indexes.set(o, (all = new Map()));
    let m = all.get(idProperty);
    if (!m) {
      m = new Map();
      for (const r of o.records.values()) {
        const v = r.values.get(idProperty);
        if (v !== undefined) m.set(v, r);
      }
      all.set(idProperty, m);
    }
    return m;
  }

  private setValue(o: ObjectType, r: StoredRecord, name: string, value: string): void {
    const m = this.indexes.get(o)?.get(name);
    const old = r.values.get(name);
    if (m && old !== undefined && m.get(old) === r) m.delete(old);
    if (value === '') r.values.delete(name);
    else {
      r.values.set(name, value);
      m?.set(value, r);
    }
  }

  private view(o: ObjectType, r: StoredRecord, wanted: string[], extra?: string) {
    const properties = Object.create(null) as Record<string, string | null>;
    for (const name of new Set([...wanted, 'hs_object_id', 'createdate', o.modifiedProperty, ...(extra ? [extra] : [])])) {
      if (o.properties.has(name)) properties[name] = r.values.get(name) ?? null;
    }
    return { id: r.id, properties, createdAt: r.createdAt, updatedAt: r.updatedAt, archived: false };
  }

  /** One property value as HubSpot would store it, or why it is not valid. */
  private accept(p: HubSpotProperty, value: unknown): { ok: true; value: string } | { ok: false; code: string; message: string } {
    const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
    if (text === null) return { ok: false, code: 'INVALID_TYPE', message: `Property values were not valid: ${p.name} expects a ${p.type}` };
    if (text === '') return { ok: true, value: '' };
    switch (p.type) {
      case 'number':
        if (!/^-?\d+(\.\d+)?$/.test(text)) return { ok: false, code: 'INVALID_INTEGER', message: `Property values were not valid: "${text}" is not a valid number for ${p.name}` };
        return { ok: true, value: text.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '') };
      case 'bool':
        if (text !== 'true' && text !== 'false') return { ok: false, code: 'INVALID_BOOLEAN', message: `Property values were not valid: ${text} is not a valid boolean for ${p.name}` };
        return { ok: true, value: text };
      case 'date': {
        const ms = /^\d+$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
        if (Number.isNaN(ms) || ms % 86_400_000 !== 0) return { ok: false, code: 'INVALID_DATE', message: `Property values were not valid: ${text} is not a valid date (midnight UTC) for ${p.name}` };
        return { ok: true, value: new Date(ms).toISOString().slice(0, 10) };
      }
      case 'datetime': {
        const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
        if (Number.isNaN(ms)) return { ok: false, code: 'INVALID_DATE', message: `Property values were not valid: ${text} is not a valid datetime for ${p.name}` };
        return { ok: true, value: new Date(ms).toISOString() };
      }
      case 'enumeration':
        for (const v of text.split(';')) if (!p.options.some((opt) => opt.value === v)) return { ok: false, code: 'INVALID_OPTION', message: `Property values were not valid: ${v} was not one of the allowed options for ${p.name}: [${p.options.map((opt) => opt.value).join(', ')}]` };
        return { ok: true, value: text };
      default:
        if (text.length > 65_536) return { ok: false, code: 'INVALID_LENGTH', message: `Property values were not valid: ${p.name} is longer than 65536 characters` };
        return { ok: true, value: text };
    }
  }

  private batchWrite(c: Context, o: ObjectType, action: 'create' | 'update' | 'upsert', inputs: { id?: string; idProperty?: string; properties: Record<string, unknown>; objectWriteTraceId?: string }[]) {
    const startedAt = new Date().toISOString();
    const traced = inputs.every((i) => typeof i.objectWriteTraceId === 'string');
    const errors: Record<string, unknown>[] = [];
    const plan: { input: (typeof inputs)[number]; values: Map<string, string>; existing: StoredRecord | undefined }[] = [];
    const seen = new Set<string>();
    for (const input of inputs) {
      const fail = (category: string, message: string, code?: string, propertyName?: string) =>
        errors.push({
          status: 'error',
          category,
          message,
          context: { ...(input.objectWriteTraceId !== undefined && { objectWriteTraceId: [input.objectWriteTraceId] }), ...(input.id !== undefined && { ids: [input.id] }) },
          ...(code && { errors: [{ message, code, ...(propertyName && { context: { propertyName: [propertyName] } }) }] }),
        });
      if (input.properties === null || typeof input.properties !== 'object') {
        fail('VALIDATION_ERROR', 'properties is required');
        continue;
      }
      const values = new Map<string, string>();
      let bad = false;
      for (const name of Object.keys(input.properties)) {
        const p = o.properties.get(name);
        if (!p) {
          fail('VALIDATION_ERROR', `Property values were not valid: Property "${name}" does not exist`, 'PROPERTY_DOESNT_EXIST', name);
          bad = true;
          break;
        }
        if (p.modificationMetadata.readOnlyValue) {
          fail('VALIDATION_ERROR', `Property values were not valid: ${name} is a read only property; its value cannot be set.`, 'READ_ONLY_VALUE', name);
          bad = true;
          break;
        }
        const accepted = this.accept(p, input.properties[name]);
        if (!accepted.ok) {
          fail('VALIDATION_ERROR', accepted.message, accepted.code, name);
          bad = true;
          break;
        }
        values.set(name, accepted.value);
      }
      if (bad) continue;
      let existing: StoredRecord | undefined;
      if (action !== 'create') {
        const idProperty = input.idProperty ?? 'hs_object_id';
        if (idProperty !== 'hs_object_id' && !o.properties.get(idProperty)?.hasUniqueValue) {
          fail('VALIDATION_ERROR', `${idProperty} is not a unique identifier property`);
          continue;
        }
        if (input.id === undefined || input.id === '') {
          fail('VALIDATION_ERROR', 'id is required');
          continue;
        }
        if (seen.has(`${idProperty}\u0000${input.id}`)) {
          fail('VALIDATION_ERROR', `Duplicate IDs found in batch input: [${input.id}]. IDs must be unique`);
          continue;
        }
        seen.add(`${idProperty}\u0000${input.id}`);
        existing = this.index(o, idProperty).get(input.id);
        if (!existing && action === 'update') {
          fail('OBJECT_NOT_FOUND', `Object not found. objectId are usually numeric.`, 'OBJECT_NOT_FOUND');
          continue;
        }
        if (!existing && idProperty !== 'hs_object_id') values.set(idProperty, input.id);
      }
      if (!existing) {
        const missing = o.requiredProperties.filter((r) => !values.get(r));
        if (missing.length > 0) {
          fail('VALIDATION_ERROR', `Property values were not valid: required properties are missing: ${missing.join(', ')}`, 'REQUIRED_PROPERTY', missing[0]);
          continue;
        }
      }
      // A unique property may not take a value another record holds.
      let clash = false;
      for (const [name, v] of values) {
        if (!o.properties.get(name)?.hasUniqueValue || v === '') continue;
        const holder = this.index(o, name).get(v);
        if (holder && holder !== existing) {
          fail('CONFLICT', `A record with ${name}=${v} already exists (id ${holder.id})`, 'CONFLICT', name);
          clash = true;
          break;
        }
      }
      if (clash) continue;
      plan.push({ input, values, existing });
    }
    if (errors.length > 0 && !traced) {
      // Without trace ids there is no way to say which input failed: HubSpot refuses the whole batch.
      return c.json(errorBody('VALIDATION_ERROR', (errors[0] as { message: string }).message, { errors: errors.flatMap((e) => (e.errors as unknown[]) ?? []) }), 400);
    }
    if (plan.length > 0) this.version++;
    const results = plan.map(({ input, values, existing }) => {
      const at = this.stamp();
      let record = existing;
      if (!record) {
        const id = String(this.nextId++);
        record = { id, values: new Map(), createdAt: at, updatedAt: at };
        record.values.set('hs_object_id', id);
        record.values.set('createdate', at);
        o.records.set(id, record);
      }
      for (const [name, v] of values) this.setValue(o, record, name, v);
      record.updatedAt = at;
      record.values.set(o.modifiedProperty, at);
      const view = this.view(o, record, [...values.keys()]);
      return { ...view, ...(action === 'upsert' && { new: !existing }), ...(input.objectWriteTraceId !== undefined && { objectWriteTraceId: input.objectWriteTraceId }) };
    });
    const completedAt = new Date().toISOString();
    if (errors.length > 0) return c.json({ status: 'COMPLETE', results, numErrors: errors.length, errors, startedAt, completedAt }, 207);
    return c.json({ status: 'COMPLETE', results, startedAt, completedAt }, action === 'create' ? 201 : 200);
  }
}

function compareValues(x: string, y: string, type: HubSpotType): number {
  if (type === 'number') {
    const a = Number(x);
    const b = Number(y);
    if (a !== b) return a < b ? -1 : 1;
    // Past 2^53 doubles tie: compare the text by length, then digits.
    return x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0;
  }
  if (type === 'datetime' || type === 'date') return Date.parse(x) - Date.parse(y);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A filter value as the stored form: datetimes may be given as epoch milliseconds. */
function filterValue(v: string, p: HubSpotProperty): string {
  if ((p.type === 'datetime' || p.type === 'date') && /^\d+$/.test(v)) return new Date(Number(v)).toISOString();
  return v;
}

function matchFilter(r: StoredRecord, f: { propertyName: string; operator: string; value?: string; values?: string[] }, p: HubSpotProperty): boolean {
  const v = r.values.get(f.propertyName);
  if (f.operator === 'HAS_PROPERTY') return v !== undefined;
  if (f.operator === 'NOT_HAS_PROPERTY') return v === undefined;
  if (f.operator === 'IN') return v !== undefined && (f.values ?? []).some((x) => compareValues(v, filterValue(String(x), p), p.type) === 0);
  if (f.operator === 'NEQ') return v === undefined || compareValues(v, filterValue(String(f.value), p), p.type) !== 0;
  if (v === undefined) return false;
  const cmp = compareValues(v, filterValue(String(f.value), p), p.type);
  switch (f.operator) {
    case 'EQ':
      return cmp === 0;
    case 'GT':
      return cmp > 0;
    case 'GTE':
      return cmp >= 0;
    case 'LT':
      return cmp < 0;
    case 'LTE':
      return cmp <= 0;
    default:
      return false;
  }
}
