// File source (CSV, JSON, NDJSON; plain, gzip or zip): streams the uploaded file from the checkpoint, typed
// as its columns say; malformed records and values that do not fit their column's type are rejected at the source.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { z } from 'zod';
import { CsvSourceConfig } from '../../shared/graph/kinds';
import { typeSourceRows } from '../../shared/transforms/typed-rows';
import { readFileBatches } from '../files/formats';
import { defineExecutor, PlanError } from './types';

/** How far a file read got: records (CSV data rows, JSON array items, NDJSON lines) already processed. */
export const CsvCursor = z.object({ nextRow: z.number().int().nonnegative() });
export type CsvCursor = z.infer<typeof CsvCursor>;

export const csvSourceExecutor = defineExecutor({
  kind: 'csv-source',
  config: CsvSourceConfig,
  async create(config, step, { store }) {
    const name = config.fileName || config.fileId;
    const missing = `The file "${name}" used by ${step.label} is missing (it may have been deleted). Upload it again and publish.`;
    const file = await store.getFile(config.fileId);
    if (!file) throw new PlanError(missing);
    try {
      await access(file.path, constants.R_OK);
    } catch {
      throw new PlanError(missing);
    }
    return {
      role: 'source',
      async *read(cursor, batchSize) {
        // Starting over under a later batch number would write rows twice: an unreadable cursor is fatal.
        const from = cursor === null || cursor === undefined ? { success: true as const, data: { nextRow: 0 } } : CsvCursor.safeParse(cursor);
        if (!from.success) throw new PlanError(`The checkpoint of ${step.label} cannot be read; start a new run.`);
        const batches = readFileBatches(file.path, {
          format: config.format,
          compression: config.compression,
          recordsPath: config.recordsPath,
          zipEntry: config.zipEntry,
          delimiter: config.delimiter,
          hasHeader: config.hasHeader,
          columns: config.columns,
          batchSize,
          startRow: from.data.nextRow,
        });
        for await (const b of batches) {
          const typed = typeSourceRows(
            step.nodeId,
            config.columns,
            b.rows.map((values, i) => ({ rowNumber: b.rowNumbers[i] ?? 0, values })),
          );
          yield {
            rows: typed.rows,
            rejected: [
              ...b.malformed.map((m) => ({ nodeId: step.nodeId, rowNumber: m.rowNumber, source: m.raw, mapped: null, reason: m.reason })),
              ...typed.rejected,
            ],
            read: b.rows.length + b.malformed.length,
            cursor: { nextRow: b.nextRow } satisfies CsvCursor,
          };
        }
      },
    };
  },
});
