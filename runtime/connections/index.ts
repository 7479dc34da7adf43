// Connections: the service the API uses, the connector lookup and the errors it refuses with.
export { connectorInfo, createConnectionService, type ConnectionService } from './service';
export { connectorLookup, type AnyConnector, type ConnectorLookup } from './registry';
export { ConnectionServiceError } from './errors';
export { describeFailure } from './test-result';
export { createHostPolicy, hostPolicyFromEnv, isPrivateAddress, type HostPolicy } from './host-policy';
