// Connection and connector shapes served by the API. Secrets go in (input, patch) and never come back out: only their names.
import { z } from 'zod';
import { nameRecord } from '../util/name-record';
import { hasControlCharacters, NAME_CONTROL_MESSAGE } from '../util/control-characters';
import { Field, FieldType } from '../graph/field-types';

const Config = z.record(z.string(), z.unknown());

export const ConnectionTestStatus = z.enum(['ok', 'failed']);
export type ConnectionTestStatus = z.infer<typeof ConnectionTestStatus>;

export const Connection = z.object({
  id: z.string(),
  connector: z.string(),
  name: z.string(),
  config: Config,
  /** Names of the secret fields that hold a value; never the values. */
  secretsSet: z.array(z.string()),
  lastTest: z.object({ status: ConnectionTestStatus, message: z.string().nullable(), at: z.string() }).nullable(),
  /** Integrations whose draft has a node with `config.connectionId` equal to this id. */
  usedBy: z.array(z.object({ id: z.string(), name: z.string() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Connection = z.infer<typeof Connection>;

const name = z.string().trim().min(1, 'Name is required').max(120, 'Name is at most 120 characters');

export const ConnectionInput = z.object({
  connector: z.string().min(1, 'Choose a system').max(60),
  // A new name holds no control characters; a rename is checked by the service only when the name changes, so a
  // connection named before the rule still saves its settings (runtime/connections/service.ts).
  name: name.refine((n) => !hasControlCharacters(n), NAME_CONTROL_MESSAGE),
  config: Config.default({}),
  secrets: z.record(z.string(), z.unknown()).default({}),
});
export type ConnectionInput = z.input<typeof ConnectionInput>;

/**
 * A change to a saved connection. In `secrets`, an omitted field keeps its stored value and an
 * explicit null or "" clears it; `config`, when given, replaces the whole config.
 */
export const ConnectionPatch = z.object({
  name: name.optional(),
  config: Config.optional(),
  secrets: z.record(z.string(), z.unknown().nullable()).optional(),
});
export type ConnectionPatch = z.infer<typeof ConnectionPatch>;

/** Settings to test before saving; with `connectionId`, omitted secrets come from that saved connection. */
export const ConnectionTestInput = z.object({
  connector: z.string().min(1, 'Choose a system').max(60),
  config: Config.default({}),
  secrets: z.record(z.string(), z.unknown().nullable()).default({}),
  connectionId: z.string().optional(),
});
export type ConnectionTestInput = z.input<typeof ConnectionTestInput>;

export const ConnectionTestErrorCode = z.enum(['auth', 'unreachable', 'not_found', 'tls', 'timeout', 'invalid_query', 'permission', 'invalid_config', 'unknown']);
export type ConnectionTestErrorCode = z.infer<typeof ConnectionTestErrorCode>;

export const ConnectionTestResult = z.object({
  ok: z.boolean(),
  /** What to show: "Connected" or what went wrong, in the user's words (secret values masked). */
  message: z.string(),
  code: ConnectionTestErrorCode.nullable(),
  /** A connection that works but should not be used as it is (e.g. its user is a superuser): said, never a failure. */
  warning: z.string().optional(),
});
export type ConnectionTestResult = z.infer<typeof ConnectionTestResult>;

/** A JSON Schema object (from z.toJSONSchema), for forms built in the browser. */
export const JsonSchemaObject = z.record(z.string(), z.unknown());

export const ConnectorInfo = z.object({
  id: z.string(),
  name: z.string(),
  icon: z.string(),
  description: z.string(),
  capabilities: z.array(z.string()),
  /** What its 'query' capability reads: SQL (a database: the form advises a read-only user) or a formula (Files). */
  queryLanguage: z.enum(['sql', 'formula']).optional(),
  config: JsonSchemaObject,
  secrets: JsonSchemaObject,
  /** The property names of `secrets`, in order. */
  secretFields: z.array(z.string()),
});
export type ConnectorInfo = z.infer<typeof ConnectorInfo>;

/** A short, specific headline per failure kind, so "Failed: wrong password" reads the same everywhere. */
export const CONNECTION_ERROR_TITLES: Record<ConnectionTestErrorCode, string> = {
  auth: 'Wrong user name or password',
  unreachable: 'Host unreachable',
  not_found: 'Database not found',
  tls: 'Secure connection (TLS) refused',
  timeout: 'Timed out',
  invalid_query: 'Query refused',
  permission: 'Permission denied',
  invalid_config: 'Settings incomplete',
  unknown: 'Connection failed',
};

/** A table (or other object) a connection can read, as discovery found it, with Weft's types. */
export const DiscoveredObjectInfo = z.object({
  name: z.string(),
  label: z.string(),
  fields: z.array(z.object({ name: z.string(), type: FieldType, nativeType: z.string(), nullable: z.boolean() })),
  primaryKey: z.array(z.string()),
  cursorFields: z.array(z.string()),
});
export type DiscoveredObjectInfo = z.infer<typeof DiscoveredObjectInfo>;

export const SourcePreviewInput = z.object({
  object: z.string().min(1, 'Choose a table'),
  /** An optional query filter: one SELECT (or WITH ... SELECT). */
  query: z.string().max(20_000).optional(),
});
export type SourcePreviewInput = z.infer<typeof SourcePreviewInput>;

/** The first rows of a table or query, the columns they have (Weft types), and the stamp a sql-source keeps. */
export const SourcePreview = z.object({
  columns: z.array(Field),
  key: z.array(z.string()),
  rows: z.array(nameRecord(z.unknown())),
  preview: z.object({ loadedAt: z.string(), hash: z.string() }),
});
export type SourcePreview = z.infer<typeof SourcePreview>;


/** "Send a test request" for an HTTP connection's endpoint as described so far (the REST connector's fields). */
export const TestRequestInput = z.object({ endpoint: z.record(z.string(), z.unknown()) });

/** "Connect" (OAuth 2.0 authorization code): where to send the browser, and until when the request is accepted back. */
export const AuthorizationStart = z.object({ url: z.string(), expiresAt: z.string() });
export type AuthorizationStart = z.infer<typeof AuthorizationStart>;

/**
 * What the provider sends back to GET /api/oauth/callback (RFC 6749 4.1.2): a code and the state, or an error. Plain
 * strings here; the handler refuses control characters and overlong values with a sentence, on the connection form.
 */
export const OAuthCallbackQuery = z.object({
  state: z.string().optional(),
  code: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});
export type TestRequestInput = z.infer<typeof TestRequestInput>;

export const TestRequestResult = z.object({
  request: z.object({ method: z.string(), url: z.string() }),
  status: z.number().int(),
  /** Name and value; credentials and cookies masked. */
  headers: z.array(z.tuple([z.string(), z.string()])),
  /** Pretty-printed JSON (or the text as sent), secret values masked, cut at 200 KB. */
  body: z.string(),
  truncated: z.boolean(),
  durationMs: z.number(),
  /** Arrays in the response, records first: the records-path picker's choices. */
  candidates: z.array(z.object({ path: z.string(), count: z.number().int(), records: z.boolean() })),
  records: z.object({ path: z.string(), count: z.number().int(), fields: z.array(z.object({ name: z.string(), type: z.string(), nativeType: z.string() })) }).nullable(),
  next: z.string().nullable(),
});
export type TestRequestResult = z.infer<typeof TestRequestResult>;
