// What a Postgres connection needs: the non-secret settings shown back to the user, and the password kept apart.
import { z } from 'zod';
import { maskablePassword } from '../../secrets/redact';
import type { ConnectorManifest } from '../types';

export const PostgresConfig = z.object({
  host: z.string().min(1, 'Host is required').default('localhost').meta({ title: 'Host' }),
  port: z.number().int().min(1).max(65535).default(5432).meta({ title: 'Port' }),
  database: z.string().min(1, 'Database is required').meta({ title: 'Database' }),
  user: z.string().min(1, 'User is required').meta({ title: 'User' }),
  sslMode: z.enum(['disable', 'require', 'verify-full']).default('disable').meta({ title: 'SSL mode', description: 'require: encrypted, any certificate; verify-full: encrypted, certificate checked against the host' }),
  /** Unqualified table names are looked up here; discover lists this schema. */
  schema: z.string().min(1).default('public').meta({ title: 'Schema' }),
  /** Statement timeout for reads and query filters. */
  queryTimeoutSeconds: z.number().positive().max(3600).default(60).meta({ title: 'Query timeout (seconds)' }),
});
export type PostgresConfig = z.infer<typeof PostgresConfig>;

export const PostgresSecrets = z.object({ password: maskablePassword().meta({ title: 'Password' }) });
export type PostgresSecrets = z.infer<typeof PostgresSecrets>;

export const postgresManifest: ConnectorManifest<PostgresConfig, PostgresSecrets> = {
  id: 'postgres',
  name: 'PostgreSQL',
  icon: 'postgres',
  description: 'Read tables or a SELECT query filter from PostgreSQL, and insert, update or upsert rows into its tables.',
  config: PostgresConfig,
  secrets: PostgresSecrets,
  capabilities: ['read', 'write', 'incremental', 'query', 'discover'],
  endpoint: (config) => ({ host: config.host, port: config.port }),
};
