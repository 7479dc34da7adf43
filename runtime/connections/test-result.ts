// Turns whatever a connector's test() threw into what the person reads: a specific headline, the system's own words, no secrets.
import { CONNECTION_ERROR_TITLES, type ConnectionTestResult } from '../../shared';
import { ConnectorError } from '../connectors/types';
import { redact } from '../secrets';

// Added only when the system's own message gives no advice of its own.
const HINTS: Partial<Record<ConnectorError['code'], string>> = {
  auth: 'Check the user name and password.',
  unreachable: 'Check the host and port, and that the server accepts connections from here.',
  not_found: 'Check the database name.',
  tls: 'Check the TLS (SSL) setting: the server may require it, or refuse it.',
  timeout: 'The server did not answer in time; check the host, port and any firewall.',
  permission: 'The user lacks a permission it needs.',
};

export function describeFailure(err: unknown, secrets: unknown): ConnectionTestResult {
  const code = err instanceof ConnectorError ? err.code : 'unknown';
  const raw = err instanceof Error ? err.message : String(err);
  const detail = redact(raw, secrets).trim();
  // A refusal that is its own headline ("Not a PostgreSQL server at this address ...") is shown as it is.
  if (/^Not an? [^:]+ server at this address/.test(detail)) return { ok: false, code, message: detail };
  const title = CONNECTION_ERROR_TITLES[code];
  const hint = HINTS[code];
  const message = [title, detail && detail.toLowerCase() !== title.toLowerCase() ? `: ${detail}` : '', hint && !/\bcheck\b/i.test(detail) ? `. ${hint}` : '']
    .join('')
    .replace(/\.\. /g, '. ');
  return { ok: false, code, message };
}

export const SUCCESS: ConnectionTestResult = { ok: true, code: null, message: 'Connected' };
