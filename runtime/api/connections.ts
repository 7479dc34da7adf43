// Connections: the systems Weft can reach, saved settings with sealed secrets, and testing them. No response carries a secret.
import { OpenAPIHono } from '@hono/zod-openapi';
import { ConnectionServiceError, connectorInfo } from '../connections';
import { describeReadFailure, previewSource, toObjectInfo } from '../connections/source-preview';
import { audit } from './audit-log';
import type { ApiDeps } from './deps';
import { access, serve, type Site } from './guard';
import { callbackParam, describeProviderError, hashState, OAuthFlowError } from '../connections/oauth';
import { API_BASE } from '../../shared/api/routes/define';
import { HttpError, validationHook, usual } from './errors';
import * as routes from '../../shared/api/routes';
import type { TestRequestResult } from '../../shared';
import { createTable as createTableRoute } from '../../shared/api/routes/create-table';


const conflict = 'Conflict: the name is taken, or integrations still use the connection (the message names them)';
const unreadable = 'The system refused or failed: error.code is the connector’s (invalid_query, not_found, permission, timeout, …), error.message says it in plain words';

const listConnectors = serve(routes.listConnectors, {
  ...access('read'),
  tags: ['Connections'],
  summary: 'The systems Weft can connect to, with JSON Schemas of their settings and secrets',
  responses: { 200: 'Connectors' },
});

const list = serve(routes.listConnections, {
  ...access('read'),
  tags: ['Connections'],
  summary: 'Saved connections with their last test and the integrations using them (never secret values)',
  responses: { 200: 'Connections' },
});

const create = serve(routes.createConnection, {
  ...access('admin'),
  tags: ['Connections'],
  summary: 'Save a connection; its secrets are encrypted at rest',
  responses: { 201: 'Created', 400: usual[400], 409: conflict },
});

const testUnsaved = serve(routes.testConnectionSettings, {
  ...access('admin'),
  tags: ['Connections'],
  summary: 'Test settings before saving them (with connectionId, omitted secrets come from that connection)',
  responses: { 200: 'The outcome: ok, or what went wrong in plain words', 400: usual[400], 404: usual[404] },
});

const get = serve(routes.getConnection, {
  ...access('read'),
  tags: ['Connections'],
  summary: 'One connection',
  responses: { 200: 'The connection', 404: usual[404] },
});

const update = serve(routes.updateConnection, {
  ...access('admin'),
  tags: ['Connections'],
  summary: 'Change a connection: an omitted secret keeps its value, null or "" clears it',
  responses: { 200: 'Saved', 400: usual[400], 404: usual[404], 409: conflict },
});

const remove = serve(routes.deleteConnection, {
  ...access('admin'),
  tags: ['Connections'],
  summary: 'Delete a connection (refused while an integration uses it)',
  responses: { 204: 'Deleted', 404: usual[404], 409: conflict },
});

const test = serve(routes.testConnection, {
  ...access('admin'),
  tags: ['Connections'],
  summary: 'Test a saved connection and record the outcome',
  responses: { 200: 'The outcome: ok, or what went wrong in plain words', 404: usual[404] },
});

const duplicate = serve(routes.duplicateConnection, {
  ...access('admin'),
  tags: ['Connections'],
  summary: 'Copy a connection with its secrets, as "Copy of …"',
  responses: { 201: 'The copy', 400: usual[400], 404: usual[404] },
});

const discover = serve(routes.discoverConnection, {
  ...access('design'),
  tags: ['Connections'],
  summary: 'The tables the connection can read, with their fields (Weft types and native types) and keys',
  responses: { 200: 'Objects', 404: usual[404], 422: unreadable },
});

const preview = serve(routes.previewSource, {
  ...access('design'),
  tags: ['Connections'],
  summary: 'The first 10 rows of a table (optionally through a query filter), its columns in Weft types, its key, and the preview stamp a Database table source keeps',
  responses: { 200: 'Preview', 400: usual[400], 404: usual[404], 422: unreadable },
});

const createTable = serve(createTableRoute, {
  ...access('design'),
  tags: ['Connections'],
  summary:
    'Create a table for a database target from mapped fields (Weft types become the database\'s, the key becomes the primary key); with dryRun, only answer the CREATE TABLE statement',
  responses: { 200: 'The statement, and whether it ran', 400: usual[400], 404: usual[404], 422: unreadable },
});

const testRequest = serve(routes.sendTestRequest, {
  ...access('admin'),
  tags: ['Connections'],
  summary: 'Send a test request for an endpoint of an HTTP connection (REST): the status, headers and pretty body the server answered, secrets masked, with records-path choices and inferred fields',
  responses: { 200: 'What the server answered', 400: usual[400], 404: usual[404], 422: unreadable },
});

const authorize = serve(routes.authorizeConnection, {
  ...access('admin'),
  tags: ['Connections'],
  summary:
    'Connect (OAuth 2.0 authorization code with PKCE): the provider\'s authorization URL to open in the browser. The state is kept on the server, as its hash, for 10 minutes and taken once by the callback',
  responses: { 200: 'The URL, and when the request expires', 400: 'The connection cannot authorize yet (not the authorization-code type, no authorization URL, token URL or client ID)', 404: usual[404] },
});

const callback = serve(routes.oauthCallback, {
  ...access('admin'),
  tags: ['Connections'],
  summary:
    'Where the provider sends the browser back (the redirect URI to register: <WEFT_PUBLIC_URL>/api/oauth/callback). Takes the state once, refuses one that is unknown, used, expired or started by someone else, exchanges the code through the outbound-address guard and seals the tokens into the connection; then redirects to the Connections page, which says how it went',
  responses: { 302: 'To #/connections?oauth=connected|failed&connection=…&message=…' },
});

/** The service's refusals as HTTP errors: 400 naming fields, 404, 409. */
export function asHttp(err: unknown): never {
  if (err instanceof ConnectionServiceError) {
    const extra = err.issues.length > 0 ? { issues: err.issues } : {};
    switch (err.kind) {
      case 'invalid':
      case 'unknown_connector':
        throw new HttpError(400, 'invalid_request', err.message, extra);
      case 'not_found':
        throw new HttpError(404, 'not_found', err.message);
      case 'unreadable_secrets':
        throw new HttpError(400, 'invalid_config', err.message);
      case 'name_taken':
        throw new HttpError(409, 'name_taken', err.message, extra);
      case 'in_use':
        throw new HttpError(409, 'connection_in_use', err.message);
    }
  }
  throw err;
}

const guarded = <T>(work: Promise<T>): Promise<T> => work.catch(asHttp);

/**
 * The origin the person uses: WEFT_PUBLIC_URL's scheme with the request's host, which the site guard has already
 * checked is one of Weft's (localhost and 127.0.0.1 are both a loopback Weft's). The redirect URI and the page the
 * callback returns to are on it, so the session cookie the browser holds for that host comes along.
 */
const originOf = (url: string, site: Site) => `${site.publicUrl.protocol}//${new URL(url).host}`;
const about = (c: { id: string; name: string }) => ({ type: 'connection', id: c.id, name: c.name });

/** Reads from a system: its failures become 422 in the user's words. */
const reading = <T>(object: string, work: Promise<T>): Promise<T> =>
  work.catch((err: unknown) => {
    if (err instanceof HttpError) throw err;
    if (err instanceof ConnectionServiceError) asHttp(err);
    const failure = describeReadFailure(err, object);
    if (failure.code === 'unknown' && !(err instanceof Error && err.name === 'ConnectorError')) console.error('[weft] reading a connection failed:', err);
    throw new HttpError(422, failure.code, failure.message);
  });

/**
 * "Create this table": its failures in words about creating (a read's wording would ask for SELECT permission, and a
 * query filter's would speak of a SELECT), the system's own reason kept; unreachable or refused sign-in as for a read.
 */
const creating = <T>(object: string, work: Promise<T>): Promise<T> =>
  work.catch((err: unknown) => {
    if (err instanceof HttpError) throw err;
    if (err instanceof ConnectionServiceError) asHttp(err);
    const read = describeReadFailure(err, object);
    if (read.code === 'auth' || read.code === 'unreachable' || read.code === 'tls' || (read.code === 'permission' && /^Weft may not connect/.test(read.message))) throw new HttpError(422, read.code, read.message);
    if (read.code === 'unknown' && !(err instanceof Error && err.name === 'ConnectorError')) console.error('[weft] creating a table failed:', err);
    const detail = err instanceof Error ? err.message.trim() : String(err);
    if (read.code === 'permission') throw new HttpError(422, read.code, `The connection's user may not create table "${object}". Ask for CREATE permission where it goes (${detail})`);
    throw new HttpError(422, read.code, /^Table "/.test(detail) ? detail : `Table "${object}" cannot be created: ${detail}`);
  });

export function connectionRoutes({ store, connections: service }: ApiDeps, site: Site) {
  // Built-in connectors (the workspace, uploaded files) reach Weft's own storage: nodes use them without a saved
  // connection, so they are neither offered nor accepted as a new one.
  // ...unless they have secrets to hold: a Files connection exists to keep a PGP private key (files engineer's change).
  const builtIn = (id: string) => {
    const manifest = service.manifest(id);
    return manifest?.builtIn === true && connectorInfo({ manifest }).secretFields.length === 0;
  };
  const creatable = <T extends { connector: string }>(input: T): T => {
    if (!builtIn(input.connector)) return input;
    const name = service.manifest(input.connector)?.name ?? input.connector;
    throw new HttpError(400, 'invalid_request', `${name} is built into Weft: sources and targets use it directly, without a connection.`, {
      issues: [{ path: 'connector', message: `${name} needs no connection` }],
    });
  };
  return new OpenAPIHono({ defaultHook: validationHook })
    .openapi(listConnectors, (c) => c.json(service.listConnectors().filter((info) => !builtIn(info.id)), 200))
    .openapi(list, async (c) => c.json(await service.list(), 200))
    .openapi(create, async (c) => {
      const created = await guarded(service.create(creatable(c.req.valid('json'))));
      await audit(c, store, 'connection.created', about(created), { connector: created.connector });
      return c.json(created, 201);
    })
    .openapi(testUnsaved, async (c) => {
      const input = creatable(c.req.valid('json'));
      const result = await guarded(service.testUnsaved(input));
      await audit(c, store, 'connection.tested', { type: 'connection', id: input.connectionId ?? null }, { connector: input.connector, saved: false, ok: result.ok });
      return c.json(result, 200);
    })
    .openapi(get, async (c) => c.json(await guarded(service.get(c.req.valid('param').id)), 200))
    .openapi(update, async (c) => {
      const patch = c.req.valid('json');
      const saved = await guarded(service.update(c.req.valid('param').id, patch));
      // Which parts changed, never their values: secrets are named by key only.
      await audit(c, store, 'connection.changed', about(saved), { changed: Object.keys(patch).sort(), secrets: Object.keys(patch.secrets ?? {}).sort() });
      return c.json(saved, 200);
    })
    .openapi(remove, async (c) => {
      const { id } = c.req.valid('param');
      const gone = await guarded(service.get(id));
      await guarded(service.remove(id));
      await audit(c, store, 'connection.deleted', about(gone), { connector: gone.connector });
      return c.body(null, 204);
    })
    .openapi(test, async (c) => {
      const { id } = c.req.valid('param');
      const result = await guarded(service.test(id));
      await audit(c, store, 'connection.tested', about(await guarded(service.get(id))), { saved: true, ok: result.ok });
      return c.json(result, 200);
    })
    .openapi(duplicate, async (c) => {
      const { id } = c.req.valid('param');
      const copy = await guarded(service.duplicate(id));
      await audit(c, store, 'connection.duplicated', about(copy), { from: id });
      return c.json(copy, 201);
    })
    .openapi(testRequest, async (c) => {
      const { id } = c.req.valid('param');
      const { endpoint } = c.req.valid('json');
      const result = await reading(
        '',
        service.withSession(id, async (session, connector) => {
          if (!session.sendTestRequest) throw new HttpError(400, 'invalid_request', `A ${service.manifest(connector)?.name ?? connector} connection does not send test requests.`);
          return session.sendTestRequest({ endpoint });
        }),
      );
      return c.json(result as TestRequestResult, 200);
    })
    .openapi(authorize, async (c) => {
      const { id } = c.req.valid('param');
      const principal = c.get('principal')!;
      try {
        const started = await guarded(service.beginAuthorization(id, { userId: principal.actorId ?? principal.actor, redirectUri: `${originOf(c.req.url, site)}${API_BASE}/oauth/callback` }));
        return c.json(started, 200);
      } catch (err) {
        if (err instanceof OAuthFlowError) throw new HttpError(400, 'invalid_config', err.message);
        throw err;
      }
    })
    .openapi(callback, async (c) => {
      const principal = c.get('principal')!;
      const back = (params: Record<string, string>) => c.redirect(`${originOf(c.req.url, site)}/#/connections?${new URLSearchParams(params)}`, 302);
      const query = c.req.valid('query');
      try {
        const state = callbackParam(query.state, 'state');
        if (!state) throw new OAuthFlowError('bad_request', 'The provider sent no state back: this is not an answer to a Connect from Weft. Press Connect again.');
        if (query.error !== undefined) {
          // The state is taken all the same (a refusal ends the attempt); the provider's words are shown only for a state of ours.
          const row = await store.oauth.take(hashState(state));
          const mine = row !== null && row.userId === (principal.actorId ?? principal.actor);
          const error = (callbackParam(query.error, 'error') ?? '').slice(0, 100);
          const said = mine ? callbackParam(query.error_description?.slice(0, 300), 'error description') : undefined;
          throw new OAuthFlowError('denied', mine ? describeProviderError(error, said) : 'The authorization was refused, and its state is unknown here. Press Connect again.', mine ? row.connectionId : null);
        }
        const code = callbackParam(query.code, 'code');
        if (!code) throw new OAuthFlowError('bad_request', 'The provider sent no code back. Press Connect again.');
        const { connection, account } = await service.completeAuthorization({ state, code, userId: principal.actorId ?? principal.actor });
        await audit(c, store, 'connection.authorized', about(connection), { account });
        return back({ oauth: 'connected', connection: connection.id });
      } catch (err) {
        if (!(err instanceof OAuthFlowError)) throw err;
        await audit(c, store, 'connection.authorization_failed', { type: 'connection', id: err.connectionId }, { reason: err.code });
        return back({ oauth: 'failed', ...(err.connectionId ? { connection: err.connectionId } : {}), message: err.message });
      }
    })
    .openapi(discover, async (c) => {
      const { id } = c.req.valid('param');
      const objects = await reading('', service.withSession(id, async (session) => (await session.discover()).map(toObjectInfo)));
      return c.json(objects, 200);
    })
    .openapi(createTable, async (c) => {
      const { id } = c.req.valid('param');
      const { object, fields, key, dryRun } = c.req.valid('json');
      const connection = await guarded(service.get(id));
      const result = await creating(
        object,
        service.withSession(id, async (session) => {
          if (!session.createTable) throw new HttpError(400, 'invalid_request', `${service.manifest(connection.connector)?.name ?? connection.connector} connections cannot create tables.`);
          return session.createTable(object, fields, key, { dryRun });
        }),
      );
      if (!dryRun) await audit(c, store, 'connection.table_created', about(connection), { table: result.object, columns: fields.length, key });
      return c.json({ ...result, created: !dryRun }, 200);
    })
    .openapi(preview, async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      return c.json(await reading(input.object, service.withSession(id, (session) => previewSource(session, id, input))), 200);
    });
}
