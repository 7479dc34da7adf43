// Project `shared/`: runs in the browser, in Node and inside Temporal's workflow sandbox.
export * from './graph/field-types';
export * from './graph/schema';
export * from './graph/parameters';
export * from './graph/ops';
export * from './graph/kinds';
export * from './compiler';
export * from './api/runs';
export * from './api/integrations';
export * from './api/connections';
export * from './api/files';
export * from './util/suggest';
export * from './transforms';
export * from './preview';
export * from './formula';
export * from './api/auth';
export * from './util/name-record';
export * from './util/canonical-json';
