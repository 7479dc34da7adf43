export * from './compile';
export * from './diagnostics';
export * from './plan';
export * from './plan-steps';
export * from './run-files';
export * from './compile-context';
export * from './step-roles';
export * from './sql-params';
