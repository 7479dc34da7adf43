// The REST connector's settings a person types in the connection form, checked by the same rules in the browser (as
// they type) and on the server (runtime/connectors/rest/manifest.ts, when the connection is saved): status-code lists,
// write paths with {field} placeholders, JSON body templates with "{{field}}" placeholders, and header names.

/** "201" or "200, 204": three-digit codes separated by commas (empty: none). */
export const STATUS_LIST = /^\s*(\d{3}\s*(,\s*\d{3}\s*)*)?$/;
export const STATUS_LIST_MESSAGE = 'Status codes separated by commas, such as 200, 204';

/** An HTTP header name (RFC 9110 token characters). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const HEADER_NAME_MESSAGE = 'A header name (letters, digits, -)';

/** Why a status-code list is not one, or null. Codes must be 100–599. */
export function statusListProblem(text: string): string | null {
  if (!STATUS_LIST.test(text)) return STATUS_LIST_MESSAGE;
  const bad = text.split(',').map((s) => s.trim()).filter((s) => s !== '' && (Number(s) < 100 || Number(s) > 599));
  return bad.length > 0 ? `${bad.join(', ')} ${bad.length === 1 ? 'is not an HTTP status' : 'are not HTTP statuses'} (100–599)` : null;
}

/** Why a body template is not usable, or null: it must be JSON, with placeholders inside strings. */
export function bodyTemplateProblem(template: string): string | null {
  if (template.trim() === '') return null;
  try {
    JSON.parse(template);
    return null;
  } catch (e) {
    return `Not valid JSON (${(e as Error).message}). Put placeholders inside quotes: {"email": "{{email}}"}`;
  }
}

/** The {field} placeholders of a write path. */
export const pathPlaceholders = (path: string): string[] => [...path.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]!);

/** Why a write path is not usable, or null: after the base URL, with well-formed {field} placeholders. */
export function writePathProblem(path: string): string | null {
  if (/^https?:\/\//i.test(path)) return 'Give the part after the base URL, such as /v1/contacts/{id}';
  const opened = (path.match(/\{/g) ?? []).length;
  const closed = (path.match(/\}/g) ?? []).length;
  if (opened !== closed || opened !== pathPlaceholders(path).length) return 'Placeholders are a field name in braces, such as {id}';
  return null;
}

/** Codes named in two of the created / updated / unchanged lists: the outcome of such a status would be ambiguous. */
export function overlappingStatuses(lists: string[]): number[] {
  const seen = new Map<number, number>();
  lists.forEach((list, i) => {
    for (const s of list.split(',').map((x) => x.trim()).filter((x) => /^\d{3}$/.test(x))) {
      const n = Number(s);
      if (seen.has(n) && seen.get(n) !== i) seen.set(n, -1);
      else if (!seen.has(n)) seen.set(n, i);
    }
  });
  return [...seen].filter(([, v]) => v === -1).map(([k]) => k);
}

/**
 * Names that carry a credential: `Authorization`, `Cookie`, `key` and `auth` alone (Google's and Firebase's `?key=`,
 * `?auth=`), and anything naming an API or access key, a token, secret, password or
 * session (`X-API-Key`, `X-Auth-Token`, `api_key`, `access_token`). A connection's settings are plain: any viewer reads
 * them and they are stored unsealed, so a credential belongs under Authentication, where it is a sealed secret (probe19).
 */
const CREDENTIAL_NAME = /^(authorization|proxy-authorization|cookie|key|auth)$|api[-_]?key|access[-_]?key|secret|token|passw(or)?d|session|signature/i;

export const isCredentialName = (name: string): boolean => CREDENTIAL_NAME.test(name.trim());

/** Why a default header cannot be one (it would keep a credential in plain settings), or null. */
export function credentialHeaderProblem(name: string): string | null {
  if (!isCredentialName(name)) return null;
  return `"${name}" carries a credential, and default headers are plain settings every viewer can read: choose Authentication "API key" (sent in the header "${name}") or "Bearer token" instead, where it is kept as a secret`;
}

/**
 * Why an address or path cannot hold what it holds, or null: a user name and password in it (`https://user:pass@…`), or
 * a query parameter named like a credential (`?api_key=…`, `?access_token=…`), would keep a credential in plain settings.
 */
export function credentialInUrlProblem(address: string): string | null {
  if (address === '') return null;
  let url: URL;
  try {
    url = new URL(address, 'http://weft.invalid');
  } catch {
    return null;
  }
  if (url.username !== '' || url.password !== '') {
    return 'Put no user name or password in the address: every viewer can read it. Choose Authentication "Basic" (user name and password) instead, where the password is kept as a secret';
  }
  const named = [...url.searchParams.keys()].find(isCredentialName);
  if (named !== undefined) {
    return `The query parameter "${named}" carries a credential, and the address is a plain setting every viewer can read: choose Authentication "API key", sent in the query as "${named}", instead, where it is kept as a secret`;
  }
  return null;
}

/** What a credential left in plain settings is served as. */
export const CREDENTIAL_MASK = '••••';

const QUERY_VALUE = /([?&])([^=&#]*)=([^&#]*)/g;
// Greedy up to the last @ before the path: the address parser takes the last one, so `u:p@ss@host`'s password is `p@ss`.
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#\\]*)@/i;

const infoMasked = (user: string, hasPassword: boolean) => (hasPassword ? `${user}:${CREDENTIAL_MASK}` : CREDENTIAL_MASK);

/**
 * The address with its user information masked as the address parser reads it (review16b: ` https://…`, `https:u:p@…`,
 * `https:\\u:p@…` or a tab in the scheme all carry a password the parser finds and the text's shape did not show).
 */
function maskedUserinfo(address: string): string {
  const written = address.replace(USERINFO, (_all, scheme: string, info: string) => `${scheme}${infoMasked(info.slice(0, info.includes(':') ? info.indexOf(':') : 0), info.includes(':'))}@`);
  const parsed = (text: string): URL | null => {
    try {
      return new URL(text);
    } catch {
      return null; // not a whole address (an endpoint path): judged by its text
    }
  };
  const after = parsed(written);
  const mask = encodeURIComponent(CREDENTIAL_MASK);
  if (after === null || (after.password === '' ? after.username === '' || after.username === mask : after.password === mask)) return written;
  // The text's shape hid what the parser finds: served as the parser reads it, the password masked.
  const url = parsed(address);
  if (url === null) return CREDENTIAL_MASK;
  const { username, password } = url;
  url.username = '';
  url.password = '';
  const at = url.protocol.length + 2;
  return `${url.href.slice(0, at)}${infoMasked(username, password !== '')}@${url.href.slice(at)}`;
}

/** A query parameter's name as the address parser reads it (`+` a space, a broken %-escape kept as written). */
const parsedName = (name: string): string => [...new URLSearchParams(`${name}=`).keys()][0] ?? name;

/** An address (or path) with a password in it and the values of credential-named query parameters masked. */
export function maskedAddress(address: string): string {
  return maskedUserinfo(address).replace(QUERY_VALUE, (all, sep: string, name: string) => (isCredentialName(parsedName(name)) ? `${sep}${name}=${CREDENTIAL_MASK}` : all));
}

const ADDRESS_KEYS = ['baseUrl', 'authorizeUrl', 'tokenUrl'] as const;

/**
 * Settings as they are served: a credential kept in them by a connection saved before the save rule (a default
 * `Authorization`/`X-API-Key`/`Cookie` header, `https://user:pass@…`, `?api_key=…`) masked, since every viewer reads
 * settings (sec16). Saving masked settings back is refused by the same rule, so a mask is never stored.
 */
export function maskedCredentials(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const key of ADDRESS_KEYS) if (typeof out[key] === 'string') out[key] = maskedAddress(out[key]);
  if (Array.isArray(out.headers)) {
    out.headers = out.headers.map((h: unknown) =>
      h && typeof h === 'object' && typeof (h as { name?: unknown }).name === 'string' && isCredentialName((h as { name: string }).name) ? { ...h, value: CREDENTIAL_MASK } : h,
    );
  }
  if (Array.isArray(out.objects)) {
    out.objects = out.objects.map((o: unknown) => {
      if (!o || typeof o !== 'object') return o;
      const ep = { ...(o as Record<string, unknown>) };
      for (const key of ['path', 'writePath']) if (typeof ep[key] === 'string') ep[key] = maskedAddress(ep[key]);
      return ep;
    });
  }
  return out;
}
