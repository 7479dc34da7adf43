// Database table target: writes each batch through the saved connection BEFORE the batch commit (an external
// table cannot join the store's transaction), in a way that is safe to repeat when a failed commit is retried.
import { SqlTargetConfig, targetKey } from '../../shared/graph/kinds';
import { ConnectorError, type ConnectorSession, type RecordResult, type WriteOptions } from '../connections/sessions';
import { targetSync } from './target-sync';
import { openSaved } from './sessions';
import { defineExecutor, PlanError, type TargetOutcome } from './types';

/** Failures a retry cannot heal: the table, a column or the permission is missing, the settings are wrong. */
const PLAN_CODES: readonly ConnectorError['code'][] = ['not_found', 'invalid_query', 'permission', 'invalid_config', 'auth'];

export const sqlTargetExecutor = defineExecutor({
  kind: 'sql-target',
  config: SqlTargetConfig,
  needs: ['sessions', 'sync'],
  create(config, step, { sessions, sync }) {
    if (!config.connectionId || !config.object) throw new PlanError(`${step.label} has no connection or table chosen. Choose them and publish again.`);
    const input = step.input;
    if (!input) throw new PlanError(`${step.label} has no input schema; publish the integration again.`);
    const { key } = targetKey(config, input);
    if (config.mode !== 'insert' && key.length === 0) throw new PlanError(`${step.label} writes in ${config.mode} mode but has no key to match records on. Mark a key field in the Map and publish again.`);
    // Insert passes the table's primary key too, when the rows carry all of it: the connector then treats a row
    // that already exists with the same values as unchanged (a batch written again after its commit failed), and
    // rejects only real duplicates. A key the database generates (not among the fields) cannot do that.
    const carried = key.every((k) => input.fields.some((f) => f.name === k));
    // Issue 14: "Allow new records" off updates existing matches only; the rest are counted as skipped: no match.
    const changes = targetSync(step.nodeId, config, key, sync);
    if (changes.updateOnly && key.length === 0) throw new PlanError(`${step.label} does not allow new records, so it must match records on a key. Mark a key field in the Map and publish again.`);
    const options: WriteOptions = changes.updateOnly
      ? { mode: 'update', key, fields: input.fields, missing: 'skip', ...(changes.rewrite && { rewrite: true }) }
      : { mode: config.mode, key: config.mode === 'insert' && !carried ? [] : key, fields: input.fields, ...(changes.rewrite && config.mode !== 'insert' && { rewrite: true }) };
    // One session for every batch of the run: the connector keeps its connection, table description and staging table.
    let session: Promise<ConnectorSession> | null = null;
    const sessionFor = () =>
      (session ??= openSaved(sessions, config.connectionId, `The connection used by ${step.label} no longer exists. Choose another connection and publish again.`).catch((err: unknown) => {
        session = null;
        throw err;
      }));
    const closeSession = async () => {
      const s = session;
      session = null;
      if (s) await (await s).close().catch(() => undefined);
    };

    return {
      role: 'target',
      close: closeSession,
      async write(rows): Promise<TargetOutcome> {
        const split = changes.split(rows);
        const outcome: TargetOutcome = { counts: { written: 0, created: 0, updated: 0, unchanged: 0, rejected: 0 }, rejected: [], ...(split.keys && { keys: split.keys }) };
        rows = split.write;
        if (rows.length === 0) return outcome;
        const live = await sessionFor();
        let results: RecordResult[];
        try {
          results = await live.write(
            config.object,
            rows.map((r) => r.values),
            options,
          );
        } catch (err) {
          // A failed batch may leave the connection unusable: the retry opens a fresh session.
          await closeSession();
          if (err instanceof ConnectorError && PLAN_CODES.includes(err.code)) throw new PlanError(`${step.label}: ${err.message}`);
          throw err;
        }
        if (results.length !== rows.length) throw new Error(`${step.label}: the connector answered ${results.length} results for ${rows.length} rows`);
        results.forEach((r, i) => {
          const row = rows[i]!;
          if (r.outcome === 'rejected') {
            outcome.counts.rejected += 1;
            outcome.rejected.push({ nodeId: step.nodeId, rowNumber: row.rowNumber, source: row.source, mapped: row.values, reason: r.reason });
          } else if (r.outcome === 'skipped') {
            outcome.counts.skipped = (outcome.counts.skipped ?? 0) + 1;
          } else {
            outcome.counts[r.outcome] += 1;
            outcome.counts.written += 1;
          }
        });
        return outcome;
      },
    };
  },
});
