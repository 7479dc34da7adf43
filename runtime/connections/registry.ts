// The connectors the API may offer, looked up by id; main.ts builds it from runtime/connectors' registry.
import type { Connector } from '../connectors/types';

// The registry holds connectors of many config types; each is used only with configs its own schema parsed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyConnector = Connector<any, any>;

export interface ConnectorLookup {
  list(): readonly AnyConnector[];
  get(id: string): AnyConnector | undefined;
}

export function connectorLookup(connectors: readonly AnyConnector[]): ConnectorLookup {
  const byId = new Map(connectors.map((c) => [c.manifest.id, c]));
  return { list: () => connectors, get: (id) => byId.get(id) };
}
