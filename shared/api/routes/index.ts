// Every route of Weft's API, defined once: the server implements them (runtime/api), the web client calls them (web/api.ts).
export * from './define';
export * from './system';
export * from './integrations';
export * from './runs';
export * from './files';
export * from './workspace';
export * from './connections';
export * from './auth';
export * from './users';
export * from './tokens';
export * from './audit';
export * from './schedules';
export * from './operations';
export * from './inbox';
export * from './sets';
export * from './members';
export * from './test-record';
