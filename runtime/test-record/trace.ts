// "Test a record": finds source records by any field, then follows one through every step of its pipeline with the
// same transforms a run uses (shared/transforms) and asks its target what the write would do, without writing
// (the workspace: previewWorkspaceWrite, the same decisions as the batch commit). Bounded: a search reads at most
// MAX_SCAN records or MAX_SCAN_MS of the source, whichever comes first.
import type { Plan, PlanStep } from '../../shared/compiler/plan';
import { canonicalJson } from '../../shared/util/canonical-json';
import { compileFormula } from '../../shared/formula';
import { FilterConfig, FILTER_OP_LABELS } from '../../shared/graph/kinds/filter';
import { resolveRunParams } from '../../shared/graph/parameters';
import type { RunParameter } from '../../shared/graph/parameters';
import { SqlTargetConfig, targetKey, WorkspaceTargetConfig } from '../../shared/graph/kinds';
import { describeKey } from '../connectors/sql-common';
import { SKIPPED_NO_MATCH } from '../connections/sessions';
import { conditionTest, createTransform, TransformConfigError, type FlowRow, type TransformEnv } from '../../shared/transforms';
import type { StepTrace, TargetPlan, TestCandidate, TestRecordResult } from '../../shared/api/test-record';
import { createExecutor, NO_WEBHOOK_REQUESTS, PlanError, type ExecutorDeps } from '../executors';
import { loadMemberDirectory, usesMembers } from '../members/snapshot';
import { recordKey } from '../store/workspace-write';
import type { Store } from '../store/types';

export const MAX_SCAN = 20_000;
export const MAX_SCAN_MS = 3_000;
const MAX_CANDIDATES = 20;
const BATCH = 500;

export interface TraceDeps {
  store: Store;
  sessions: ExecutorDeps['sessions'];
}

/** A value as a search compares it: text, numbers as written, nothing for objects (no "[object Object]" matches). */
function searchable(v: unknown): string | null {
  if (typeof v === 'string') return v.toLowerCase();
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v).toLowerCase();
  return null;
}

function matches(row: FlowRow, needle: string): boolean {
  if (needle === '') return true;
  for (const record of [row.values, row.source]) {
    for (const key of Object.keys(record)) {
      const s = searchable(record[key]);
      if (s !== null && s.includes(needle)) return true;
    }
  }
  return false;
}

const show = (v: unknown): string => (v === null || v === undefined ? 'blank' : typeof v === 'string' ? JSON.stringify(v) : typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v));

function filterDetail(step: PlanStep, values: Record<string, unknown>, env: TransformEnv): string | null {
  const parsed = FilterConfig.safeParse(step.config);
  if (!parsed.success) return null;
  const config = parsed.data;
  if (config.mode === 'formula') {
    const compiled = compileFormula(config.formula, { fields: step.input?.fields ?? [], valueMaps: env.valueMaps, ...(env.parameters && { params: env.parameters }), expected: 'boolean' });
    if (!compiled.ok) return null;
    const r = compiled.evaluate(values, { now: env.now, ...(env.params && { params: env.params }), ...(env.members && { members: env.members }) });
    return `${config.formula.trim()} → ${r.ok ? show(r.value) : r.error}`;
  }
  const parts = config.conditions.map((c) => `${c.field} ${FILTER_OP_LABELS[c.op]}${c.op === 'empty' || c.op === 'not_empty' ? '' : ` ${JSON.stringify(c.value)}`}: ${conditionTest(c, step.input)(values) ? 'yes' : 'no'}`);
  return `${config.match === 'all' ? 'All of' : 'Any of'}: ${parts.join('; ')}`;
}

/** Each field whose value the write changes (or sets, for a new record). */
function changesOf(before: Record<string, unknown> | null, after: Record<string, unknown>): TargetPlan['changes'] {
  const out: TargetPlan['changes'] = [];
  for (const field of Object.keys(after)) {
    const was = before && Object.hasOwn(before, field) ? before[field] : null;
    const now = after[field];
    if (before && Object.hasOwn(before, field) && canonicalJson(was ?? null) === canonicalJson(now ?? null)) continue;
    out.push({ field, before: was ?? null, after: now ?? null });
  }
  return out;
}

/** A null-prototype copy of the named fields of a row (`__proto__` is a field like any other). */
function pick(values: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const n of names) out[n] = Object.hasOwn(values, n) ? values[n] : null;
  return out;
}

/**
 * A database table's answer, read only: the record with the row's key looked up through the connector
 * (`compareRecords`: a READ ONLY transaction, values as bind parameters, compared as the write compares), then the
 * write's own decisions (runtime/executors/sql-target.ts): the key it matches on, its mode, "Allow new records".
 */
async function planSqlTarget(sessions: ExecutorDeps['sessions'], step: PlanStep, values: Record<string, unknown>): Promise<TargetPlan> {
  const base = { nodeId: step.nodeId, label: step.label, changes: [], key: null, after: null, reason: null };
  const config = SqlTargetConfig.parse(step.config);
  const input = step.input;
  if (!input) return { ...base, action: 'unknown', reason: `${step.label} has no input schema; publish the integration again` };
  if (!config.connectionId || !config.object) return { ...base, action: 'unknown', reason: `${step.label} has no connection or table chosen` };
  const { key } = targetKey(config, input);
  const names = input.fields.map((f) => f.name);
  const row = pick(values, names);
  const k = key.length > 0 ? recordKey(values, key) : null;
  const keyText = k?.ok ? k.key : null;
  const created = (): TargetPlan => ({ ...base, key: keyText, action: 'create', after: row, changes: changesOf(null, row) });
  const updateOnly = !config.allowNew;
  const carried = key.every((f) => names.includes(f));
  if (updateOnly && key.length === 0) return { ...base, action: 'reject', reason: `${step.label} does not allow new records, so it must match records on a key. Mark a key field in the Map and publish again.` };
  if (config.mode !== 'insert' && !updateOnly && key.length === 0) return { ...base, action: 'reject', reason: `${step.label} writes in ${config.mode} mode but has no key to match records on. Mark a key field in the Map and publish again.` };
  // Insert without a key the rows carry (a key the database generates) always adds a record.
  if (config.mode === 'insert' && !updateOnly && (key.length === 0 || !carried)) return created();
  let session;
  try {
    session = await sessions.open(config.connectionId);
  } catch (err) {
    return { ...base, key: keyText, action: 'unknown', reason: `The connection of ${step.label} could not be opened: ${err instanceof Error ? err.message : String(err)}` };
  }
  try {
    if (!session.compareRecords) return { ...base, key: keyText, action: 'unknown', reason: `This connector cannot look a record up without writing: the values above are what the run would send ${step.label}` };
    const [answer] = await session.compareRecords(config.object, [row], { key, fields: input.fields });
    if (!answer) return { ...base, key: keyText, action: 'unknown', reason: 'No answer from the table' };
    if (answer.state === 'rejected') return { ...base, key: keyText, action: 'reject', reason: answer.reason };
    const mode = updateOnly ? 'update' : config.mode;
    if (answer.state === 'missing') {
      if (updateOnly) return { ...base, key: keyText, action: 'skip', reason: `No record with ${describeKey(key, row)} in ${config.object}, and ${step.label} does not allow new records (${SKIPPED_NO_MATCH})` };
      if (mode === 'update') return { ...base, key: keyText, action: 'reject', reason: `No record with ${describeKey(key, row)} exists in ${config.object}; update mode does not create records.` };
      return created();
    }
    const after = { ...pick(answer.current, names), ...row };
    if (answer.differs.length === 0) return { ...base, key: keyText, action: 'unchanged', after: pick(answer.current, names) };
    if (mode === 'insert') return { ...base, key: keyText, action: 'reject', reason: `A record with ${describeKey(key, row)} already exists in ${config.object} with other values; insert mode does not change records.` };
    return { ...base, key: keyText, action: 'update', after, changes: answer.differs.map((f) => ({ field: f, before: answer.current[f] ?? null, after: row[f] ?? null })) };
  } catch (err) {
    return { ...base, key: keyText, action: 'unknown', reason: `${step.label} could not be read: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    await session.close().catch(() => undefined);
  }
}

async function planTarget(deps: TraceDeps, step: PlanStep, values: Record<string, unknown>): Promise<TargetPlan> {
  const base = { nodeId: step.nodeId, label: step.label, changes: [], key: null, after: null, reason: null };
  if (step.kind === 'sql-target') return planSqlTarget(deps.sessions, step, values);
  if (step.kind !== 'workspace-target') {
    return { ...base, action: 'unknown', reason: 'Planning a write to this kind of target is not available: the values above are what the run would send it' };
  }
  const config = WorkspaceTargetConfig.parse(step.config);
  const input = step.input;
  if (!input) return { ...base, action: 'unknown', reason: `${step.label} has no input schema; publish the integration again` };
  // "Allow new records" off: the run writes in update mode and skips missing keys (runtime/executors/target-sync.ts).
  const updateOnly = !config.allowNew;
  const preview = await deps.store.previewWorkspaceWrite({ object: config.object, key: input.key, fields: input.fields, mode: updateOnly ? 'update' : config.mode, ...(updateOnly && { missing: 'skip' as const }), rows: [values] });
  const outcome = preview.outcomes[0];
  const k = input.key.length > 0 ? recordKey(values, input.key) : null;
  const key = k?.ok ? k.key : null;
  if (outcome?.outcome === 'skipped') return { ...base, key, action: 'skip', reason: `No record with this key in ${config.object}, and ${step.label} does not allow new records (${SKIPPED_NO_MATCH})` };
  if (!outcome || outcome.outcome === 'rejected') return { ...base, key, action: 'reject', reason: outcome && outcome.outcome === 'rejected' ? outcome.reason : 'No outcome' };
  const before = preview.before[0] ?? null;
  const after = preview.after[0] ?? null;
  const action = outcome.outcome === 'created' ? 'create' : outcome.outcome === 'updated' ? 'update' : 'unchanged';
  return { ...base, key, action, after, changes: action === 'unchanged' || !after ? [] : changesOf(before, after) };
}

/** The search's matches, and when `rowNumber` is given, that record's path and its target's plan. */
export async function testRecord(deps: TraceDeps, plan: Plan, declared: readonly RunParameter[] | undefined, input: { targetNodeId?: string; search: string; rowNumber?: number }): Promise<TestRecordResult> {
  const pipeline = input.targetNodeId ? plan.pipelines.find((p) => p.nodeIds[p.nodeIds.length - 1] === input.targetNodeId) : plan.pipelines[0];
  if (!pipeline) throw new PlanError(`No pipeline ends at the step "${input.targetNodeId ?? ''}"`);
  const steps = pipeline.nodeIds.map((id) => {
    const s = plan.steps.find((x) => x.nodeId === id);
    if (!s) throw new PlanError(`The plan has no step ${id}`);
    return s;
  });
  const [sourceStep, ...rest] = steps;
  const target = rest[rest.length - 1];
  if (!sourceStep || !target) throw new PlanError('The pipeline has no source or no target');
  const now = Date.now();
  const resolved = resolveRunParams(declared, {});
  const params = new Map(Object.entries(resolved.ok ? resolved.params : {}));
  const members = usesMembers(steps) ? await loadMemberDirectory(deps.store, target) : undefined;
  const executorDeps: ExecutorDeps = { store: deps.store, sessions: deps.sessions, webhookRequests: NO_WEBHOOK_REQUESTS, valueMaps: plan.valueMaps, now: () => now, params, ...(plan.parameters && { parameters: plan.parameters }), ...(members && { members }) };

  const source = await createExecutor(sourceStep, executorDeps);
  if (source.role !== 'source') throw new PlanError(`${sourceStep.label} is not a source`);
  const needle = input.search.trim().toLowerCase();
  const candidates: TestCandidate[] = [];
  let picked: FlowRow | null = null;
  let scanned = 0;
  let complete = true;
  const started = Date.now();
  outer: for await (const batch of source.read(null, BATCH)) {
    for (const row of batch.rows) {
      scanned++;
      if (input.rowNumber !== undefined && row.rowNumber === input.rowNumber) picked = row;
      if (candidates.length < MAX_CANDIDATES && matches(row, needle)) candidates.push({ rowNumber: row.rowNumber, values: row.values });
      const enough = candidates.length >= MAX_CANDIDATES && (input.rowNumber === undefined || picked !== null);
      if (enough || scanned >= MAX_SCAN || Date.now() - started > MAX_SCAN_MS) {
        complete = false;
        break outer;
      }
    }
  }
  if (input.rowNumber === undefined) return { candidates, scanned, complete, trace: null };
  if (!picked) throw new PlanError(`Record ${input.rowNumber} was not found in the first ${scanned.toLocaleString('en-US')} records of ${sourceStep.label}`);

  const env: TransformEnv = { valueMaps: plan.valueMaps, now: () => now, params, ...(plan.parameters && { parameters: plan.parameters }), ...(members && { members }) };
  const trace: StepTrace[] = [{ nodeId: sourceStep.nodeId, label: sourceStep.label, kind: sourceStep.kind, outcome: 'read', reason: null, detail: null, values: picked.values }];
  let row: FlowRow | null = { rowNumber: picked.rowNumber, values: { ...picked.values }, source: picked.source };
  for (const step of rest.slice(0, -1)) {
    if (!row) break;
    let transform;
    try {
      transform = createTransform(step, env);
    } catch (err) {
      if (err instanceof TransformConfigError) throw new PlanError(err.message);
      throw err;
    }
    const detail = step.kind === 'filter' ? filterDetail(step, row.values, env) : null;
    const out = transform.apply([row]);
    const rejected = out.rejected[0];
    if (rejected) {
      trace.push({ nodeId: step.nodeId, label: step.label, kind: step.kind, outcome: 'rejected', reason: rejected.reason, detail, values: rejected.mapped });
      row = null;
    } else if (out.rows.length === 0) {
      trace.push({ nodeId: step.nodeId, label: step.label, kind: step.kind, outcome: 'stopped', reason: `${step.label} keeps this record out`, detail, values: null });
      row = null;
    } else {
      row = out.rows[0] as FlowRow;
      trace.push({ nodeId: step.nodeId, label: step.label, kind: step.kind, outcome: 'passed', reason: null, detail, values: row.values });
    }
  }
  const targetPlan: TargetPlan = row
    ? await planTarget(deps, target, row.values)
    : { nodeId: target.nodeId, label: target.label, action: 'not-reached', reason: 'The record does not reach the target', key: null, changes: [], after: null };
  return { candidates, scanned, complete, trace: { rowNumber: picked.rowNumber, steps: trace, target: targetPlan } };
}
