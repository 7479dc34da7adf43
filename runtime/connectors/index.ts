// The connector registry: one entry per folder, keyed by manifest id. Node kinds, the API and the
// worker look connectors up here, never by importing a folder directly.
import { filesConnector } from './files';
import { hubspotConnector } from './hubspot';
import { mysqlConnector } from './mysql';
import { postgresConnector } from './postgres';
import { restConnector } from './rest';
import { salesforceConnector } from './salesforce';
import type { Connector } from './types';
import { workspaceConnector } from './workspace';

export const CONNECTORS = {
  postgres: postgresConnector,
  mysql: mysqlConnector,
  files: filesConnector,
  workspace: workspaceConnector,
  rest: restConnector,
  hubspot: hubspotConnector,
  salesforce: salesforceConnector,
} as const satisfies Record<string, Connector<unknown, unknown>>;

export type ConnectorId = keyof typeof CONNECTORS;
/** Every connector, for lists (the API's connector picker, runtime/connections' lookup). */
export const CONNECTOR_LIST: readonly Connector<unknown, unknown>[] = Object.values(CONNECTORS);
/** The config and secrets types of one connector, e.g. `ConnectorConfig<'postgres'>`. */
export type ConnectorConfig<K extends ConnectorId> = (typeof CONNECTORS)[K] extends Connector<infer C, unknown> ? C : never;
export type ConnectorSecrets<K extends ConnectorId> = (typeof CONNECTORS)[K] extends Connector<unknown, infer S> ? S : never;

export const isConnectorId = (id: string): id is ConnectorId => Object.hasOwn(CONNECTORS, id);

/** A known id gives that connector with its own config/secrets types; an unknown string gives undefined. */
export function getConnector<K extends ConnectorId>(id: K): (typeof CONNECTORS)[K];
export function getConnector(id: string): Connector<unknown, unknown> | undefined;
export function getConnector(id: string): Connector<unknown, unknown> | undefined {
  return isConnectorId(id) ? CONNECTORS[id] : undefined;
}

export * from './types';
