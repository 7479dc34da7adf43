// What a MySQL/MariaDB connection needs: the non-secret settings shown back to the user, and the password kept apart.
import { z } from 'zod';
import { maskablePassword } from '../../secrets/redact';
import type { ConnectorManifest } from '../types';

export const MysqlConfig = z.object({
  host: z.string().min(1, 'Host is required').default('localhost').meta({ title: 'Host' }),
  port: z.number().int().min(1).max(65535).default(3306).meta({ title: 'Port' }),
  database: z.string().min(1, 'Database is required').meta({ title: 'Database' }),
  user: z.string().min(1, 'User is required').meta({ title: 'User' }),
  sslMode: z.enum(['disable', 'require', 'verify-full']).default('disable').meta({ title: 'SSL mode', description: 'require: encrypted, any certificate; verify-full: encrypted, certificate checked against the host' }),
  /** Statement timeout for reads and query filters. */
  queryTimeoutSeconds: z.number().positive().max(3600).default(60).meta({ title: 'Query timeout (seconds)' }),
});
export type MysqlConfig = z.infer<typeof MysqlConfig>;

export const MysqlSecrets = z.object({ password: maskablePassword().meta({ title: 'Password' }) });
export type MysqlSecrets = z.infer<typeof MysqlSecrets>;

export const mysqlManifest: ConnectorManifest<MysqlConfig, MysqlSecrets> = {
  id: 'mysql',
  name: 'MySQL / MariaDB',
  icon: 'mysql',
  description: 'Read tables or a SELECT query filter from MySQL or MariaDB, and insert, update or upsert rows into its tables.',
  config: MysqlConfig,
  secrets: MysqlSecrets,
  capabilities: ['read', 'write', 'incremental', 'query', 'discover'],
  endpoint: (config) => ({ host: config.host, port: config.port }),
};
