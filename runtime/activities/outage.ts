// What a failed pipeline attempt means: a system that is unreachable for now (wait and try again), a mistake no retry
// can fix (fail at once with its message), or anything else (Temporal's retry policy decides).
import { ConnectorError } from '../connectors/types';
import { PlanError } from '../executors';

export type Failure =
  | { kind: 'permanent'; message: string }
  | { kind: 'unreachable'; system: string; message: string }
  | { kind: 'other' };

/** Connector failures a retry cannot heal: wrong credentials, a missing table or column, a refused query, no permission. */
const PERMANENT_CODES: readonly ConnectorError['code'][] = ['auth', 'not_found', 'permission', 'invalid_query', 'invalid_config', 'tls'];
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);
/** Postgres: the server is shutting down or starting (57P0x), the connection failed (08xxx). */
const PG_UNAVAILABLE = /^(57P0[123]|08\d\d\d)$/;
const LOST = /connection terminated|server closed the connection|client has encountered a connection error|connection lost|PROTOCOL_CONNECTION_LOST/i;

type Coded = Error & { code?: string; address?: string; port?: number };

function chain(err: unknown): Coded[] {
  const out: Coded[] = [];
  for (let e: unknown = err; e instanceof Error && out.length < 5; e = e.cause) out.push(e as Coded);
  return out;
}

/** "Postgres at 127.0.0.1:5432" from a connector's message, else the socket's address, else the step's name. */
function systemOf(errors: readonly Coded[], fallback: string): string {
  for (const e of errors) {
    const named = /\b(Postgres|PostgreSQL|MySQL|MariaDB|SFTP|S3)\b at (\S+?:\d+)/.exec(e.message);
    if (named) return `${named[1]} at ${named[2]}`;
  }
  const socket = errors.find((e) => e.address && e.port);
  return socket ? `${fallback} (${socket.address}:${socket.port})` : fallback;
}

export function classifyFailure(err: unknown, fallbackSystem: string): Failure {
  const errors = chain(err);
  const first = errors[0];
  if (!first) return { kind: 'other' };
  if (first instanceof PlanError) return { kind: 'permanent', message: first.message };
  const connector = errors.find((e): e is ConnectorError => e instanceof ConnectorError);
  if (connector && PERMANENT_CODES.includes(connector.code)) return { kind: 'permanent', message: first.message };
  const unreachable =
    connector?.code === 'unreachable' ||
    errors.some((e) => (e.code && (NETWORK_CODES.has(e.code) || PG_UNAVAILABLE.test(e.code))) || LOST.test(e.message));
  if (unreachable) return { kind: 'unreachable', system: systemOf(errors, fallbackSystem), message: first.message };
  return { kind: 'other' };
}

/** The wait before the next try: 4 s, doubling, at most `maxMs` (1 minute). */
export function outageDelay(failures: number, backoff: { initialMs: number; maxMs: number }): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(Math.max(failures - 1, 0), 20));
}

export function spell(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes >= 1) return `${Number.isInteger(minutes) ? minutes : minutes.toFixed(1)} minute${minutes === 1 ? '' : 's'}`;
  return `${Math.round(ms / 1000)} s`;
}
