export * from './compile';
export * from './diagnostics';
export * from './plan';
