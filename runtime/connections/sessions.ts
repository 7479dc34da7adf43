// What runs and routes may do with connectors: open a session through the connection service, nothing else.
// Executors and API routes import the connector vocabulary (sessions, errors) from here, never a connector folder.
import type { ConnectorSession } from '../connectors/types';
import type { Store } from '../store/types';

export { ConnectorError, SKIPPED_NO_MATCH, type ConnectorSession, type DeleteResult, type DiscoveredObject, type IncrementalRead, type ReadBatch, type RecordComparison, type RecordResult, type Row, type WriteOptions } from '../connectors/types';
/** The workspace's "record last written" cursor field (issue 14: a workspace source may read incrementally by it). */
export { UPDATED_AT } from '../connectors/workspace/session';
/** The Files connector's cursor, which a file source checks before it resumes from a checkpoint. */
export { FileCursor } from '../connectors/files/read';
/** A file storage failure as the Files connector words it (an unreachable bucket is an outage). */
export { fileProblem } from '../connectors/files/errors';

/** Weft's own stores, reachable without a saved connection. */
export type BuiltInConnector = 'files' | 'workspace';

/**
 * What a session reaches Weft's own store through (uploaded files' records, workspace records): the service's store
 * unless given. A run's pipeline passes the store it tags (pipeline-pass.ts `storeTagged`), so a session's store call
 * that fails is Weft's store failing (waited out, shown on the target), never taken for the source's system.
 */
export interface SessionStoreOption {
  store?: Store;
}

/** Opens sessions; the connection service is the one implementation, and the caller closes what it opens. */
export interface SessionOpener {
  /** A saved connection, its secrets unsealed by the service; ConnectionServiceError `not_found` when it is gone. */
  open(connectionId: string, options?: SessionStoreOption): Promise<ConnectorSession>;
  /** One of Weft's own stores; `now` is the clock a formula filter's TODAY()/NOW() read (a run's start). */
  openBuiltIn(connector: BuiltInConnector, options?: { now?: () => number } & SessionStoreOption): Promise<ConnectorSession>;
}

/** `sessions`, every session opened reaching Weft's store through `store` (a run's pipeline: its tagged store). */
export const sessionsVia = (sessions: SessionOpener, store: Store): SessionOpener => ({
  open: (connectionId, options) => sessions.open(connectionId, { store, ...options }),
  openBuiltIn: (connector, options) => sessions.openBuiltIn(connector, { store, ...options }),
});
