// Version 35: REST connections saved before the save rule (probe19) may hold a credential in their plain settings,
// which every viewer reads. Where an authentication type fits, the credential moves into the sealed secrets:
// `Authorization: Bearer x` → Bearer token, `Authorization: Basic …` and `https://user:pass@…` → Basic, a header named
// like an API key → API key in that header, `?api_key=` in the base URL → API key in the query. Only one can move (one
// authentication a connection), and only into a connection without one; what stays (a Cookie header, a second
// credential, HubSpot's address) is masked in every answer (servedSettings) until the connection is fixed (sec16).
import { eq, inArray } from 'drizzle-orm';
import { isCredentialName } from '../../../shared/api/rest-settings';
import type { Db } from '../db';
import { connections } from '../schema';
import type { Migration, SecretBox } from './types';

type Json = Record<string, unknown>;

const decoded = (text: string): string | null => {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
};

/** What moved: the new settings and secrets, or null when nothing fits. */
export function movedCredential(config: Json, secrets: Json): { config: Json; secrets: Json } | null {
  if ((config.authType ?? 'none') !== 'none') return null;
  const headers = Array.isArray(config.headers) ? (config.headers as { name?: unknown; value?: unknown }[]) : [];
  const without = (i: number) => headers.filter((_, j) => j !== i);
  for (const [i, h] of headers.entries()) {
    if (typeof h?.name !== 'string' || typeof h.value !== 'string') continue;
    const name = h.name.trim();
    const value = h.value.trim();
    if (/^authorization$/i.test(name)) {
      const bearer = /^Bearer\s+(\S.*)$/i.exec(value);
      if (bearer) return { config: { ...config, authType: 'bearer', headers: without(i) }, secrets: { ...secrets, token: bearer[1] } };
      const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(value);
      const pair = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8') : '';
      // review16b: bytes that are not UTF-8 (a latin1 password) would come back as another credential; they stay.
      const same = basic !== null && Buffer.from(pair, 'utf8').equals(Buffer.from(basic[1]!, 'base64'));
      if (same && pair.includes(':')) {
        const at = pair.indexOf(':');
        return { config: { ...config, authType: 'basic', username: pair.slice(0, at), headers: without(i) }, secrets: { ...secrets, password: pair.slice(at + 1) } };
      }
    } else if (isCredentialName(name) && !/^(cookie|proxy-authorization)$/i.test(name) && value !== '') {
      return { config: { ...config, authType: 'api-key', apiKeyName: name, apiKeyIn: 'header', headers: without(i) }, secrets: { ...secrets, apiKey: value } };
    }
  }
  if (typeof config.baseUrl !== 'string' || !URL.canParse(config.baseUrl)) return null;
  const url = new URL(config.baseUrl);
  if (url.username !== '' || url.password !== '') {
    // review16b: a broken %-escape threw here and stopped the migration, so the API would not start; it stays masked.
    const username = decoded(url.username);
    const password = decoded(url.password);
    if (username === null || password === null) return null;
    url.username = '';
    url.password = '';
    return { config: { ...config, authType: 'basic', username, baseUrl: url.href }, secrets: { ...secrets, password } };
  }
  const named = [...url.searchParams.keys()].filter(isCredentialName);
  if (named.length === 1 && url.searchParams.getAll(named[0]!).length === 1) {
    const key = url.searchParams.get(named[0]!)!;
    url.searchParams.delete(named[0]!);
    // An address with nothing left in its query is given back without the "?".
    const baseUrl = url.search === '' ? url.href.replace(/\?$/, '') : url.href;
    return { config: { ...config, authType: 'api-key', apiKeyName: named[0], apiKeyIn: 'query', baseUrl }, secrets: { ...secrets, apiKey: key } };
  }
  return null;
}

/** Moves what fits for every REST connection whose secrets open with this key; answers how many changed. */
export async function moveRestCredentials(db: Db, box: SecretBox): Promise<number> {
  const rows = await db.select().from(connections).where(inArray(connections.connector, ['rest']));
  let moved = 0;
  for (const row of rows) {
    const opened = box.open(row.secrets);
    if (opened === null) continue;
    let secrets: Json;
    try {
      const parsed: unknown = JSON.parse(opened);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) continue;
      secrets = parsed as Json;
    } catch {
      continue;
    }
    const next = movedCredential(row.config as Json, secrets);
    if (!next) continue;
    await db.update(connections).set({ config: next.config, secrets: box.seal(JSON.stringify(next.secrets)) }).where(eq(connections.id, row.id));
    moved++;
  }
  return moved;
}

export const restCredentialsSealed: Migration = {
  version: 35,
  name: 'rest-credentials-sealed',
  statements: [],
  withKey: async (db, box) => void (await moveRestCredentials(db, box)),
};
