// Database table target: writes each batch through the saved connection BEFORE the batch commit (an external
// table cannot join the store's transaction), in a way that is safe to repeat when a failed commit is retried.
import { SqlTargetConfig, targetKey } from '../../shared/graph/kinds';
import { ConnectorError, type ConnectorSession, type RecordResult, type WriteOptions } from '../connections/sessions';
import { targetSync } from './target-sync';
import { openSaved } from './sessions';
import { defineExecutor, PlanError, type FlowRow, type TargetOutcome } from './types';
import { ownValue } from '../../shared/util/records';

/** Batches written at once, each on its own connection, when the connector allows it (Postgres). */
const WRITERS = 2;

const keyText = (v: unknown) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * A one-field key's value as its text would compare (`7` and "7" are one key to a database, so they count as one
 * here): a safe integer, or a text that is exactly how one prints, as that number (no string made per row for the
 * commonest key, an integer id); anything else as its text. Two values give equal answers exactly when their texts are
 * equal (a number's text is `String(n)`; a text kept as text is never the text of a safe integer).
 */
export function keyPart(v: unknown): string | number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  const text = typeof v === 'string' ? v : keyText(v);
  const c = text.charCodeAt(0);
  // Only a text starting with a digit or a minus sign can be an integer's text.
  if ((c >= 48 && c <= 57) || c === 45) {
    const n = Number(text);
    if (Number.isSafeInteger(n) && String(n) === text) return n;
  }
  return text;
}

/** Each row's key, as `keyPart` (one field) or the texts of its fields joined (several). */
function batchKeys(rows: readonly FlowRow[], key: readonly string[]): Set<string | number> {
  const out = new Set<string | number>();
  const one = key.length === 1 ? key[0]! : null;
  for (const r of rows) {
    const values = r.values;
    out.add(one !== null ? keyPart(ownValue(values, one)) : key.map((k) => keyText(ownValue(values, k))).join('\u0000'));
  }
  return out;
}

const overlaps = (a: Set<string | number> | null, b: Set<string | number> | null): boolean => {
  // No key (insert without one): rows never meet, so batches need no order.
  if (a === null || b === null) return false;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const k of small) if (large.has(k)) return true;
  return false;
};

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
    // Sessions kept for every batch of the run: the connector keeps its connection, table description and staging
    // table. One, or up to WRITERS when the connector says its server takes concurrent writes (`concurrentWrites`):
    // then batches are written side by side on their own connections, while the worker reads and transforms the
    // next. Batches that share a key are written in batch order (see `write`); others in any order.
    const opened: ConnectorSession[] = [];
    const idle: ConnectorSession[] = [];
    const waiting: (() => void)[] = [];
    let opening = 0;
    let parallel = false;
    const wake = () => waiting.shift()?.();
    const take = async (): Promise<ConnectorSession> => {
      for (;;) {
        const free = idle.pop();
        if (free) return free;
        const count = opened.length + opening;
        if (count === 0 || (parallel && count < WRITERS)) {
          opening += 1;
          try {
            const s = await openSaved(sessions, config.connectionId, `The connection used by ${step.label} no longer exists. Choose another connection and publish again.`);
            opened.push(s);
            return s;
          } catch (err) {
            // Another batch waiting for a session tries for itself.
            wake();
            throw err;
          } finally {
            opening -= 1;
          }
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
    };
    const give = async (s: ConnectorSession, broken: boolean) => {
      if (broken) {
        // A failed batch may leave the connection unusable: the retry opens a fresh session.
        opened.splice(opened.indexOf(s), 1);
        await s.close().catch(() => undefined);
      } else {
        parallel ||= (s.concurrentWrites ?? 1) > 1;
        idle.push(s);
      }
      wake();
    };
    const closeSessions = async () => {
      const all = opened.splice(0);
      idle.length = 0;
      await Promise.all(all.map((s) => s.close().catch(() => undefined)));
    };
    /** The keys of the batches being written, in batch order, and when each is done. */
    const inFlight: { keys: Set<string | number> | null; done: Promise<void> }[] = [];

    return {
      role: 'target',
      writers: WRITERS,
      close: closeSessions,
      async write(rows): Promise<TargetOutcome> {
        const split = changes.split(rows);
        const outcome: TargetOutcome = { counts: { written: 0, created: 0, updated: 0, unchanged: 0, rejected: 0 }, rejected: [], ...(split.keys && { keys: split.keys }) };
        rows = split.write;
        if (rows.length === 0) return outcome;
        // Before any await (writes are started in batch order): this batch waits for the earlier ones in flight that
        // share a key with it, so the last batch's values win as they would one batch at a time.
        const keys = options.key.length > 0 ? batchKeys(rows, options.key) : null;
        const earlier = inFlight.filter((b) => overlaps(b.keys, keys)).map((b) => b.done);
        let finished!: () => void;
        const mine = { keys, done: new Promise<void>((resolve) => (finished = resolve)) };
        inFlight.push(mine);
        let results: RecordResult[];
        try {
          await Promise.all(earlier);
          const live = await take();
          try {
            results = await live.write(
              config.object,
              rows.map((r) => r.values),
              options,
            );
          } catch (err) {
            await give(live, true);
            if (err instanceof ConnectorError && PLAN_CODES.includes(err.code)) throw new PlanError(`${step.label}: ${err.message}`);
            throw err;
          }
          await give(live, false);
        } finally {
          inFlight.splice(inFlight.indexOf(mine), 1);
          finished();
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
