// Deprecated path: the file source (id `csv-source`) is defined in ./file-source. Kept only so code written against
// the old module name still compiles while branches merge; import from ./file-source (or the kinds index) instead.
export * from './file-source';
/** @deprecated The kind reads CSV, JSON, NDJSON and Excel files: use FileSourceConfig. */
export { FileSourceConfig as CsvSourceConfig } from './file-source';
