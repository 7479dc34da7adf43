// The workspace connector's manifest: Weft's own store, built in, so nothing to configure and no secrets.
import { z } from 'zod';
import type { ConnectorManifest } from '../types';

export const WorkspaceConfig = z.object({}).strict();
export type WorkspaceConfig = z.infer<typeof WorkspaceConfig>;

export const WorkspaceSecrets = z.object({}).strict();
export type WorkspaceSecrets = z.infer<typeof WorkspaceSecrets>;

export const workspaceManifest: ConnectorManifest<WorkspaceConfig, WorkspaceSecrets> = {
  id: 'workspace',
  name: 'Weft workspace',
  icon: 'workspace',
  description: "Read Weft's own workspace objects (optionally through a formula filter), and insert, update or upsert their records.",
  config: WorkspaceConfig,
  secrets: WorkspaceSecrets,
  capabilities: ['read', 'write', 'discover', 'incremental', 'query'],
  writeModes: ['insert', 'update', 'upsert'],
  queryLanguage: 'formula',
  builtIn: true,
};
