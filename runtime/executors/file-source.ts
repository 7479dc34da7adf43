// File source (CSV, JSON, NDJSON, Excel; plain, gzip, zip or PGP-encrypted): reads the uploaded file through
// the Files connector from the checkpoint, typed as the node's columns say and filtered by its formula;
// malformed records and values that do not fit their column's type are rejected at the source.
import { FileSourceConfig } from '../../shared/graph/kinds';
import { ConnectorError, FileCursor, fileProblem, type ConnectorSession, type ReadBatch } from '../connections/sessions';
import { sizeOf } from '../files/storage';
import { openSaved } from './sessions';
import { defineExecutor, PlanError, type FlowRow } from './types';

/** Failures that retrying cannot fix: a missing file, a wrong key, a damaged file, a filter that does not check. */
const FATAL: readonly ConnectorError['code'][] = ['not_found', 'invalid_query', 'permission', 'invalid_config', 'auth'];

export const fileSourceExecutor = defineExecutor({
  kind: 'csv-source',
  config: FileSourceConfig,
  needs: ['store', 'sessions', 'partition'],
  async create(config, step, { store, sessions, partition }) {
    const name = config.fileName || config.fileId;
    const missing = `The file "${name}" used by ${step.label} is missing (it may have been deleted). Upload it again and publish.`;
    const file = await store.getFile(config.fileId);
    if (!file) throw new PlanError(missing);
    // The node's settings win over the stored sniff: the user may have changed them, and the compiler checked these.
    const settings = {
      format: config.format,
      compression: config.compression,
      delimiter: config.delimiter,
      hasHeader: config.hasHeader,
      recordsPath: config.recordsPath,
      zipEntry: config.zipEntry,
      sheet: config.sheet,
      columns: config.columns,
      emptyTextIsNull: config.emptyTextIsNull,
      stripNul: config.stripNul,
    };
    const query = config.query.trim();
    const open = async (): Promise<ConnectorSession> => {
      if (!config.connectionId) return sessions.openBuiltIn('files');
      return openSaved(sessions, config.connectionId, `The Files connection ${step.label} decrypts with no longer exists. Choose another in "Decrypt with", load the preview and publish again.`);
    };
    // Fail at start, not at the first batch, when the bytes are gone.
    // A storage that cannot be reached now (a bucket down, silent or failing) is an outage the pipeline waits out
    // (ConnectorError unreachable), not a missing file that fails the run for good (probe16).
    const size = await sizeOf(file.path).catch((err: unknown) => {
      throw fileProblem(err, file);
    });
    if (size === null) throw new PlanError(missing);
    return {
      role: 'source',
      async *read(cursor, batchSize) {
        // Starting over under a later batch number would write rows twice: an unreadable cursor is fatal.
        const from = cursor === null || cursor === undefined ? { success: true as const, data: { nextRow: 0 } } : FileCursor.safeParse(cursor);
        if (!from.success) throw new PlanError(`The checkpoint of ${step.label} cannot be read; start a new run.`);
        const session = await open();
        try {
          const batches = session.read(config.fileId, { batchSize, cursor: from.data, settings, ...(query ? { query } : {}), ...(partition && { partition }) });
          for await (const b of batches) {
            // The connector's typed rows as they are when it hands them on (a local file read does), else wrapped here.
            const rows: FlowRow[] = b.flowRows ?? wrap(b);
            const rejected = (b.rejected ?? []).map((r) => ({ nodeId: step.nodeId, rowNumber: r.rowNumber, source: r.source, mapped: null, reason: r.reason }));
            // Like a database query filter: records the filter dropped are not counted as read.
            // A part's bytes are not the file's (issue 16): parts run side by side, so no part moves the file's bar.
            yield { rows, rejected, read: rows.length + rejected.length, cursor: b.cursor, ...(b.progress && !partition && { progress: b.progress }) };
          }
        } catch (err) {
          if (err instanceof ConnectorError && FATAL.includes(err.code)) throw new PlanError(`${step.label}: ${err.message}`);
          throw err;
        } finally {
          await session.close().catch(() => undefined);
        }
      },
    };
  },
});

function wrap(b: ReadBatch): FlowRow[] {
  const numbers = b.rowNumbers ?? [];
  const sources = b.sourceRows ?? b.rows;
  const rows: FlowRow[] = new Array<FlowRow>(b.rows.length);
  for (let i = 0; i < b.rows.length; i++) rows[i] = { rowNumber: numbers[i] ?? 0, values: b.rows[i] ?? {}, source: sources[i] ?? {} };
  return rows;
}
