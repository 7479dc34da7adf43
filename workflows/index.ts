// The workflow bundle's entry: every function exported here is registered as a workflow type.
export { syncIntegration } from './sync-integration';
export { scheduledSync } from './scheduled-sync';
export { runSet, scheduledSet } from './run-set';
export { drainWebhook } from './drain-webhook';
