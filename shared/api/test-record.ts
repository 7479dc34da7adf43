// "Test a record": one source record's path through every step of a pipeline and what its target would do, computed
// without writing anything (docs/runs.md, "Test a record").
import { z } from 'zod';
import { Graph } from '../graph/schema';
import { controlFreePattern } from '../util/control-characters';

/** No control characters but tab: a search is text a person typed (shared/util/control-characters.ts). */
const NO_CONTROLS = controlFreePattern({ allowTab: true, allowReordering: true });

export const TestRecordInput = z.object({
  /** The graph as the designer holds it (unsaved edits included); absent: the saved draft. */
  graph: Graph.optional(),
  /** Which target's pipeline (a target node id); absent: the first. */
  targetNodeId: z.string().max(200).optional(),
  /** Text to find in any field of the source records (a key, an email, a name); empty: the first records. */
  search: z.string().max(200, 'At most 200 characters').regex(NO_CONTROLS, 'A search holds no control characters').default(''),
  /** The record to trace, by its row number among the source's records; absent: only list the matches. */
  rowNumber: z.number().int().positive().optional(),
});
export type TestRecordInput = z.input<typeof TestRecordInput>;

export const TestCandidate = z.object({ rowNumber: z.number().int(), values: z.record(z.string(), z.unknown()) });
export type TestCandidate = z.infer<typeof TestCandidate>;

export const FieldChange = z.object({ field: z.string(), before: z.unknown(), after: z.unknown() });
export type FieldChange = z.infer<typeof FieldChange>;

export const StepTrace = z.object({
  nodeId: z.string(),
  label: z.string(),
  kind: z.string(),
  /** passed: the record went on; stopped: a filter kept it out; rejected: the step refused it (reason). */
  outcome: z.enum(['read', 'passed', 'stopped', 'rejected']),
  reason: z.string().nullable(),
  /** A filter's formula value or each condition's answer, in words. */
  detail: z.string().nullable(),
  /** The record's values after the step. */
  values: z.record(z.string(), z.unknown()).nullable(),
});
export type StepTrace = z.infer<typeof StepTrace>;

export const TargetPlan = z.object({
  nodeId: z.string(),
  label: z.string(),
  /** `skip`: no record matches and the target does not allow new records ("skipped: no match"). */
  action: z.enum(['create', 'update', 'unchanged', 'reject', 'skip', 'not-reached', 'unknown']),
  reason: z.string().nullable(),
  /** The record's key in the target. */
  key: z.string().nullable(),
  /** For an update: each field that changes, from what to what. */
  changes: z.array(FieldChange),
  /** What the target would hold after the write (null when rejected or unknown). */
  after: z.record(z.string(), z.unknown()).nullable(),
});
export type TargetPlan = z.infer<typeof TargetPlan>;

export const TestRecordResult = z.object({
  candidates: z.array(TestCandidate),
  /** Source records looked at, and whether that was all of them (a search stops after a bound). */
  scanned: z.number().int(),
  complete: z.boolean(),
  trace: z.object({ rowNumber: z.number().int(), steps: z.array(StepTrace), target: TargetPlan }).nullable(),
});
export type TestRecordResult = z.infer<typeof TestRecordResult>;
