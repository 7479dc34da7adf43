// What a REST API connection holds: the base URL, how it authenticates, default headers and limits, and the
// endpoints the person described (each one an object Weft reads from and, optionally, writes to).
import { z } from 'zod';
import type { ConnectorManifest } from '../types';
import { bodyTemplateProblem, credentialHeaderProblem, maskedCredentials, credentialInUrlProblem, HEADER_NAME, HEADER_NAME_MESSAGE, overlappingStatuses, statusListProblem, writePathProblem } from '../../../shared/api/rest-settings';

// The rules are shared with the connection form (shared/api/rest-settings.ts), which checks them as the person types.
const statusList = z
  .string()
  .max(200)
  .superRefine((v, ctx) => {
    const problem = statusListProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const PAGINATION_STYLES = ['none', 'page', 'offset', 'cursor', 'link-header', 'next-url'] as const;

export const RestEndpoint = z.object({
  name: z
    .string()
    .min(1, 'Name the endpoint')
    .max(120)
    .regex(/^[^\u0000-\u001f]+$/, 'No control characters')
    .meta({ title: 'Name', description: 'What Weft calls this object (contacts, invoices)' }),
  method: z.enum(['GET', 'POST']).default('GET').meta({ title: 'Method' }),
  path: z.string().max(2000).default('').meta({ title: 'Path', description: 'After the base URL, e.g. /v1/contacts?status=active' }),
  requestBody: z.string().max(20_000).default('').meta({ title: 'Request body (POST reads)', visibleWhen: { method: 'POST' } }),
  recordsPath: z.string().max(500).default('').meta({ title: 'Records path', description: 'Where the records are in the response: data.items or $.results ("" for a top-level list)' }),
  primaryKey: z.string().max(200).default('').meta({ title: 'Key field', description: 'The field that identifies a record (id)' }),
  pagination: z.enum(PAGINATION_STYLES).default('none').meta({ title: 'Pagination' }),
  pageParam: z.string().max(100).default('page').meta({ title: 'Page / offset / cursor parameter', visibleWhen: { pagination: ['page', 'offset', 'cursor'] } }),
  sizeParam: z.string().max(100).default('').meta({ title: 'Page size parameter', description: 'per_page, limit (empty: not sent)', visibleWhen: { pagination: ['page', 'offset', 'cursor', 'link-header'] } }),
  pageSize: z.number().int().min(1).max(10_000).default(100).meta({ title: 'Page size', visibleWhen: { pagination: ['page', 'offset', 'cursor', 'link-header'] } }),
  firstPage: z.number().int().min(0).max(1).default(1).meta({ title: 'First page number', visibleWhen: { pagination: 'page' } }),
  cursorPath: z.string().max(500).default('').meta({ title: 'Next cursor in the response', description: 'e.g. meta.next_cursor', visibleWhen: { pagination: 'cursor' } }),
  nextUrlPath: z.string().max(500).default('').meta({ title: 'Next page URL in the response', description: 'e.g. links.next', visibleWhen: { pagination: 'next-url' } }),
  writeMethod: z.enum(['none', 'POST', 'PUT', 'PATCH']).default('none').meta({ title: 'Write method', description: 'none: read only' }),
  writePath: z
    .string()
    .max(2000)
    .default('')
    .superRefine((v, ctx) => {
      const problem = writePathProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }).meta({ title: 'Write path', description: 'With {field} placeholders: /v1/contacts/{id}', visibleWhen: { writeMethod: ['POST', 'PUT', 'PATCH'] } }),
  bodyTemplate: z
    .string()
    .max(20_000)
    .default('')
    .superRefine((v, ctx) => {
      const problem = bodyTemplateProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ title: 'Body template', description: 'JSON with "{{field}}" placeholders; empty: the mapped record as JSON', visibleWhen: { writeMethod: ['POST', 'PUT', 'PATCH'] } }),
  createdStatuses: statusList.default('201').meta({ title: 'Created when the status is', visibleWhen: { writeMethod: ['POST', 'PUT', 'PATCH'] } }),
  updatedStatuses: statusList.default('200, 202').meta({ title: 'Updated when the status is', visibleWhen: { writeMethod: ['POST', 'PUT', 'PATCH'] } }),
  unchangedStatuses: statusList.default('').meta({ title: 'Unchanged when the status is', visibleWhen: { writeMethod: ['POST', 'PUT', 'PATCH'] } }),
}).superRefine((ep, ctx) => {
  const both = overlappingStatuses([ep.createdStatuses, ep.updatedStatuses, ep.unchangedStatuses]);
  if (both.length > 0) ctx.addIssue({ code: 'custom', path: ['updatedStatuses'], message: `${both.join(', ')} cannot mean two outcomes: name each status under one of created, updated or unchanged` });
});
export type RestEndpoint = z.infer<typeof RestEndpoint>;

export const AUTH_TYPES = ['none', 'api-key', 'bearer', 'basic', 'oauth2-client-credentials', 'oauth2-authorization-code'] as const;
const OAUTH = ['oauth2-client-credentials', 'oauth2-authorization-code'];

export const RestConfig = z.object({
  baseUrl: z
    .string()
    .min(1, 'Base URL is required')
    .max(2000)
    .refine((v) => /^https?:\/\/[^/\s]+/i.test(v) && URL.canParse(v), 'An http:// or https:// address, such as https://api.example.com/v1')
    .meta({ title: 'Base URL' }),
  authType: z.enum(AUTH_TYPES).default('none').meta({ title: 'Authentication' }),
  apiKeyName: z.string().max(200).default('X-API-Key').meta({ title: 'API key name', description: 'The header or query parameter that carries the key', visibleWhen: { authType: 'api-key' } }),
  apiKeyIn: z.enum(['header', 'query']).default('header').meta({ title: 'Send the API key in', visibleWhen: { authType: 'api-key' } }),
  username: z.string().max(500).default('').meta({ title: 'User name', visibleWhen: { authType: 'basic' } }),
  authorizeUrl: z
    .string()
    .max(2000)
    .default('')
    .refine((v) => v === '' || (/^https?:\/\/[^/\s]+/i.test(v) && URL.canParse(v)), 'An http:// or https:// address, such as https://auth.example.com/oauth/authorize')
    .meta({ title: 'Authorization URL', description: 'Where the provider asks you to approve access (Connect opens it)', visibleWhen: { authType: 'oauth2-authorization-code' } }),
  tokenUrl: z
    .string()
    .max(2000)
    .default('')
    .refine((v) => v === '' || (/^https?:\/\/[^/\s]+/i.test(v) && URL.canParse(v)), 'An http:// or https:// address, such as https://auth.example.com/oauth/token')
    .meta({ title: 'Token URL', visibleWhen: { authType: OAUTH } }),
  clientId: z.string().max(500).default('').meta({ title: 'Client ID', visibleWhen: { authType: OAUTH } }),
  scope: z.string().max(2000).default('').meta({ title: 'Scopes', description: 'Separated by spaces', visibleWhen: { authType: OAUTH } }),
  clientAuth: z.enum(['basic', 'body']).default('basic').meta({ title: 'Send the client secret', description: 'basic: in an Authorization header; body: as form fields', visibleWhen: { authType: OAUTH } }),
  headers: z
    .array(z.object({ name: z.string().min(1, 'Name the header').max(200).regex(HEADER_NAME, HEADER_NAME_MESSAGE), value: z.string().max(4000).regex(/^[^\u0000-\u001f\u007f]*$/, 'No line breaks or control characters in a header value').default('') }))
    .max(50)
    .default([])
    .meta({ title: 'Default headers' }),
  timeoutSeconds: z.number().min(1).max(600).default(30).meta({ title: 'Timeout (seconds)' }),
  concurrency: z.number().int().min(1).max(32).default(4).meta({ title: 'Requests at once' }),
  allowPrivateNetwork: z.boolean().default(false).meta({ title: 'Allow private network addresses', description: 'This API is on your own network (10.x, 192.168.x, localhost)' }),
  /** Written by Weft when Connect succeeds (never by the form): who the provider said approved, and when. */
  authorizedAs: z.string().max(500).default('').meta({ title: 'Connected as', widget: 'hidden' }),
  authorizedAt: z.string().max(40).default('').meta({ title: 'Connected at', widget: 'hidden' }),
  // Not named 'endpoints': a key that says where credentials go (url, endpoint, host) asks for them again when it changes.
  objects: z.array(RestEndpoint).max(200).default([]).meta({ title: 'Endpoints' }),
});
export type RestConfig = z.infer<typeof RestConfig>;

/**
 * Credentials are secrets (RestSecrets): sealed, never served. Settings are plain and any viewer reads them, so a
 * credential in a default header or an address is refused when the connection is saved (probe19); one saved before
 * the rule still opens (ConnectorManifest.saveProblems).
 */
export function restSaveProblems(config: RestConfig): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const key of ['baseUrl', 'authorizeUrl', 'tokenUrl'] as const) {
    const problem = credentialInUrlProblem(config[key]);
    if (problem) out.push({ path: [key], message: problem });
  }
  config.headers.forEach((h, i) => {
    const problem = credentialHeaderProblem(h.name);
    if (problem) out.push({ path: ['headers', i, 'name'], message: problem });
  });
  config.objects.forEach((ep, i) => {
    for (const key of ['path', 'writePath'] as const) {
      const problem = credentialInUrlProblem(ep[key]);
      if (problem) out.push({ path: ['objects', i, key], message: problem });
    }
  });
  return out;
}

export const RestSecrets = z.object({
  apiKey: z.string().max(10_000).optional().meta({ title: 'API key', visibleWhen: { authType: 'api-key' } }),
  token: z.string().max(10_000).optional().meta({ title: 'Bearer token', visibleWhen: { authType: 'bearer' } }),
  password: z.string().max(10_000).optional().meta({ title: 'Password', visibleWhen: { authType: 'basic' } }),
  clientSecret: z.string().max(10_000).optional().meta({ title: 'Client secret', visibleWhen: { authType: OAUTH } }),
  refreshToken: z.string().max(10_000).optional().meta({ title: 'Refresh token', visibleWhen: { authType: 'oauth2-authorization-code' } }),
  /** Kept by Weft: the last access token and when it expires (ISO), so a new session does not ask for one at once. */
  accessToken: z.string().max(20_000).optional().meta({ title: 'Access token (kept by Weft)', widget: 'hidden' }),
  accessTokenExpiresAt: z.string().max(40).optional().meta({ title: 'Access token expiry', widget: 'hidden' }),
});
export type RestSecrets = z.infer<typeof RestSecrets>;

export const restManifest: ConnectorManifest<RestConfig, RestSecrets> = {
  id: 'rest',
  name: 'REST API',
  icon: 'rest',
  description: 'Read records from any JSON REST API, page by page, and send records to it one request each.',
  config: RestConfig,
  secrets: RestSecrets,
  capabilities: ['read', 'write', 'discover'],
  writeModes: ['upsert'],
  saveProblems: restSaveProblems,
  servedSettings: maskedCredentials,
};
