// The connection service as tests wire it: the real one door to connectors (runtime/connections), with a fresh
// random key, so tests open sessions, seal and unseal secrets exactly as a server does.
import { randomBytes } from 'node:crypto';
import { connectorLookup, createConnectionService, type AnyConnector, type ConnectionService, type ConnectorSession, type SessionOpener } from '../../runtime/connections';
import type { HostPolicy } from '../../runtime/connections/host-policy';
import { CONNECTOR_LIST } from '../../runtime/connectors';
import type { ExecutorDeps } from '../../runtime/executors';
import type { Store } from '../../runtime/store/types';

export interface TestConnectionsOptions {
  /** The connectors on offer (every connector by default). */
  connectors?: readonly AnyConnector[];
  /** Where the Files connector keeps files it writes (tests that only read need none). */
  filesDir?: string;
  /** The host policy (the environment's by default). */
  hosts?: HostPolicy;
}

export function testConnections(store: Store, options: TestConnectionsOptions = {}): ConnectionService {
  return createConnectionService({
    store,
    secretKey: randomBytes(32),
    connectors: connectorLookup(options.connectors ?? CONNECTOR_LIST),
    context: { store, filesDir: options.filesDir ?? '' },
    ...(options.hosts && { hosts: options.hosts }),
  });
}


/**
 * Sessions over a test's store, fake or real: Weft's own stores (files, workspace) through the real service, and
 * saved connections through `open` when the test brings its own (a scratch database opened directly).
 */
export function sessionsOver(store: Pick<Store, 'getFile'> & Partial<Store>, open?: (connectionId: string) => Promise<ConnectorSession>): SessionOpener {
  // The built-in connectors read only what they use of the store (a file source: getFile); saved connections, which
  // need the rest, come from `open` or from a real store.
  const service = testConnections(store as Store);
  return { open: open ?? ((id) => service.open(id)), openBuiltIn: (connector, options) => service.openBuiltIn(connector, options) };
}

/** Everything an executor may be given, with a test's own parts and neutral defaults for the rest. */
export function executorDeps(over: Partial<ExecutorDeps> = {}): ExecutorDeps {
  const store = over.store ?? { getFile: async () => null };
  return { store, sessions: over.sessions ?? sessionsOver(store), valueMaps: undefined, now: Date.now, params: new Map(), webhookRequests: { read: async () => [] }, ...over } as ExecutorDeps;
}
