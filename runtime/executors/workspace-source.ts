// Workspace source: reads a workspace object through the workspace connector's session (keyset cursor, formula
// filter), resuming from the connector's own cursor, and types the records as the published schema says.
import { z } from 'zod';
import { WorkspaceSourceConfig } from '../../shared/graph/kinds';
import { typeSourceRows } from '../../shared/transforms/typed-rows';
import { ConnectorError } from '../connections/sessions';
import { defineExecutor, PlanError } from './types';
import { CursorValue, sourceSync } from './source-sync';
import { UPDATED_AT } from '../connections/sessions';

/** The checkpoint: the connector's cursor, plus records read so far (for row numbers in the record inbox). */
export const WorkspaceSourceCursor = z.object({ source: z.unknown(), rows: z.number().int().nonnegative(), high: CursorValue.nullable().optional() });
export type WorkspaceSourceCursor = z.infer<typeof WorkspaceSourceCursor>;

export const workspaceSourceExecutor = defineExecutor({
  kind: 'workspace-source',
  config: WorkspaceSourceConfig,
  needs: ['sessions', 'now', 'sync'],
  create(config, step, { sessions, now, sync }) {
    if (!config.object) throw new PlanError(`${step.label} has no workspace object chosen. Choose one and publish again.`);
    const output = step.output;
    if (!output) throw new PlanError(`${step.label} has no schema; publish the integration again.`);
    const filter = config.filter.trim();
    return {
      role: 'source',
      async *read(cursor, batchSize) {
        // Starting over under a later batch number would read records twice: an unreadable cursor is fatal.
        const from = cursor === null || cursor === undefined ? { success: true as const, data: { source: null, rows: 0 } } : WorkspaceSourceCursor.safeParse(cursor);
        if (!from.success) throw new PlanError(`The checkpoint of ${step.label} cannot be read; start a new run.`);
        let rowNumber = from.data.rows;
        // Issue 14: `_updated_at` (the record's last write) is a cursor field the rows do not carry: it is read from
        // the page and added to each row as the connector gives it, so the mark is tracked like any other field.
        const fields = config.cursorField === UPDATED_AT ? [...output.fields, { name: UPDATED_AT, type: 'datetime' as const }] : output.fields;
        const incremental = sourceSync(step.label, config.cursorField, fields, sync);
        let high = from.data.high ?? null;
        // The run's clock, so TODAY()/NOW() in the filter read the run's start on every retry.
        const session = await sessions.openBuiltIn('workspace', { now });
        try {
          const options = { cursor: from.data.source, batchSize, ...(filter ? { query: filter } : {}), ...(incremental.incremental && { incremental: incremental.incremental }) };
          for await (const b of session.read(config.object, options)) {
            const typed = typeSourceRows(
              step.nodeId,
              output.fields,
              b.rows.map((values) => ({ rowNumber: ++rowNumber, values })),
            );
            const mark = incremental.next(high, b.updatedAt ? b.rows.map((_, i) => ({ [UPDATED_AT]: b.updatedAt![i] })) : b.rows);
            high = mark.high;
            yield {
              rows: typed.rows,
              rejected: typed.rejected,
              read: b.rows.length,
              cursor: { source: b.cursor, rows: rowNumber, high } satisfies WorkspaceSourceCursor,
              ...(mark.commit !== undefined && { high: mark.commit }),
            };
          }
        } catch (err) {
          // A missing object or a filter that cannot work will not heal on retry.
          if (err instanceof ConnectorError && ['not_found', 'invalid_query', 'invalid_config'].includes(err.code)) throw new PlanError(`${step.label}: ${err.message}`);
          throw err;
        } finally {
          await session.close().catch(() => undefined);
        }
      },
    };
  },
});
