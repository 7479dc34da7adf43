// Database table source: reads the table (or its query filter) through the saved connection, resuming from
// the connector's own cursor, and types the rows as the previewed columns say.
import { z } from 'zod';
import { SqlSourceConfig } from '../../shared/graph/kinds';
import { typeSourceValues } from '../../shared/transforms/typed-rows';
import { ConnectorError } from '../connections/sessions';
import { openSaved } from './sessions';
import { defineExecutor, PlanError } from './types';
import { CursorValue, sourceSync } from './source-sync';

/** The checkpoint: the connector's own resumable cursor, plus rows read so far (for row numbers in the record inbox). */
export const SqlCursor = z.object({ source: z.unknown(), rows: z.number().int().nonnegative(), high: CursorValue.nullable().optional() });
export type SqlCursor = z.infer<typeof SqlCursor>;

export const sqlSourceExecutor = defineExecutor({
  kind: 'sql-source',
  config: SqlSourceConfig,
  needs: ['sessions', 'params', 'sync', 'partition'],
  create(config, step, { sessions, params, sync, partition }) {
    if (!config.connectionId || !config.object) throw new PlanError(`${step.label} has no connection or table chosen. Choose them, load the preview and publish again.`);
    return {
      role: 'source',
      async *read(cursor, batchSize) {
        // Starting over under a later batch number would read rows twice: an unreadable cursor is fatal.
        const from = cursor === null || cursor === undefined ? { success: true as const, data: { source: null, rows: 0 } } : SqlCursor.safeParse(cursor);
        if (!from.success) throw new PlanError(`The checkpoint of ${step.label} cannot be read; start a new run.`);
        const session = await openSaved(sessions, config.connectionId, `The connection used by ${step.label} no longer exists. Choose another connection, load the preview and publish again.`);
        let rowNumber = from.data.rows;
        // Issue 14: only records changed since the run's mark (field >= since), and the mark of what was read.
        const incremental = sourceSync(step.label, config.cursorField, config.columns, sync);
        let high = from.data.high ?? null;
        try {
          const query = config.query.trim();
          // The table's size for the run page's bar; a query filter reads an unknown part of it, so no total then.
          // A part (issue 16) reads an unknown share of it too: the run page counts rows without a bar.
          const total = query || partition || !session.estimateRows ? null : await session.estimateRows(config.object).catch(() => null);
          const progress = total !== null && total > 0 ? { progress: { unit: 'rows' as const, total } } : {};
          // {{name}} in the filter reads the run's parameters, bound as values by the connector.
          const batches = session.read(config.object, {
            cursor: from.data.source,
            batchSize,
            ...(query ? { query, queryParams: params } : {}),
            ...(incremental.incremental && { incremental: incremental.incremental }),
            ...(partition && { partition }),
          });
          for await (const b of batches) {
            const first = rowNumber + 1;
            const typed = typeSourceValues(step.nodeId, config.columns, b.rows, (i) => first + i);
            rowNumber += b.rows.length;
            const mark = incremental.next(high, b.rows);
            high = mark.high;
            yield {
              rows: typed.rows,
              rejected: typed.rejected,
              read: b.rows.length,
              cursor: { source: b.cursor, rows: rowNumber, high } satisfies SqlCursor,
              ...progress,
              ...(mark.commit !== undefined && { high: mark.commit }),
            };
          }
        } catch (err) {
          // A table that is gone or a query the database refuses will not heal on retry.
          if (err instanceof ConnectorError && ['not_found', 'invalid_query', 'permission', 'invalid_config', 'auth'].includes(err.code)) {
            throw new PlanError(`${step.label}: ${err.message}`);
          }
          throw err;
        } finally {
          await session.close().catch(() => undefined);
        }
      },
    };
  },
});
