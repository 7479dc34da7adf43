// Row transforms shared by the runtime's executors and the designer's live preview.
import type { RowSchema } from '../graph/field-types';
import type { BuiltDirectory } from '../members/directory';

/** A row in flight: its current values, the values it had at the source, and its source row number. */
export interface FlowRow {
  rowNumber: number;
  values: Record<string, unknown>;
  source: Record<string, unknown>;
}

/** A row a step refused, with what it was, what it became so far, and why. */
export interface RejectedRow {
  nodeId: string;
  rowNumber: number;
  source: Record<string, unknown>;
  mapped: Record<string, unknown> | null;
  reason: string;
}

export interface TransformResult {
  rows: FlowRow[];
  rejected: RejectedRow[];
}

export interface Transform {
  apply(rows: readonly FlowRow[]): TransformResult;
}

/** What a transform is built from: a plan step, or the same facts about a node in the designer. */
export interface TransformStep {
  nodeId: string;
  kind: string;
  label: string;
  config: Record<string, unknown>;
  input: RowSchema | null;
}

export interface TransformEnv {
  valueMaps?: Record<string, Record<string, unknown>>;
  /** The declared run parameters (the plan's), so PARAM compiles to the type the designer checked. */
  parameters?: readonly { name: string; type: 'text' | 'number' | 'date' | 'boolean' }[];
  /** The clock TODAY() and NOW() read; fixed per run so a retried batch computes the same values. */
  now?: () => number;
  /** The run's parameters (trigger API, schedule), which PARAM(name) reads; absent means every PARAM is blank. */
  params?: ReadonlyMap<string, unknown>;
  /** The run's member alignment (MEMBER); a Map applies its own fallback over it. */
  members?: BuiltDirectory;
  /** The member system names MEMBER is checked against (absent: any). */
  memberSystems?: readonly string[];
  /**
   * The rows handed to `apply` belong to the caller, who keeps no other reference to them, so a transform may
   * change them in place instead of copying (the runtime's pipelines; never the designer's preview, which shows
   * every step's rows side by side). A row's `source` is never changed either way.
   */
  ownsRows?: boolean;
  /**
   * Runtime pipelines only (with `ownsRows`), set where every later step only adds fields the source record did not
   * have and the caller restores a rejected row's source as read from its record (runtime/executors/pipeline.ts): a
   * Map whose fields each copy their own name then hands a source record on as the row's values when every value
   * comes back unchanged (no new record per row), and a calculated field adds its field to such a record in place.
   */
  handsOnSource?: boolean;
  /**
   * With `handsOnSource`: a row whose values are its source record was typed by the source as this Map's fields say
   * (same names, same types, no currency code), every value converting to itself, so converting again would answer
   * each value unchanged: the Map hands such a record on without converting it (runtime/executors/pipeline.ts).
   */
  sourceTyped?: boolean;
}

/** A step whose config cannot run (it should have been caught at publish). */
export class TransformConfigError extends Error {
  override readonly name = 'TransformConfigError';
}
