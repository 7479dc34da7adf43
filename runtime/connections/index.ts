// Connections, the one door to connectors: the service (built once by runtime/wiring.ts), the connector lookup, the
// errors it refuses with, and the session vocabulary executors and routes use.
export { connectorInfo, createConnectionService, NO_KEY_MESSAGE, secretBox, type ConnectionService } from './service';
export { ConnectorError, type BuiltInConnector, type ConnectorSession, type SessionOpener } from './sessions';
export { connectorLookup, type AnyConnector, type ConnectorLookup } from './registry';
export { ConnectionServiceError } from './errors';
export { describeFailure } from './test-result';
export { createHostPolicy, hostPolicyFromEnv, isPrivateAddress, type HostPolicy } from './host-policy';
