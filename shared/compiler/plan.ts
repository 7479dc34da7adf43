// The executable plan: a validated DAG of steps with resolved schemas, grouped into pipelines.
import { z } from 'zod';
import { nameRecord } from '../util/name-record';
import { RowSchema } from '../graph/field-types';

export const PLAN_VERSION = 1;

export const PlanStep = z.object({
  nodeId: z.string(),
  kind: z.string(),
  label: z.string(),
  config: z.record(z.string(), z.unknown()),
  input: RowSchema.nullable(),
  output: RowSchema.nullable(),
});
export type PlanStep = z.infer<typeof PlanStep>;

/** A chain source -> transforms -> target that one activity streams through in batches. */
export const Pipeline = z.object({
  id: z.string(),
  nodeIds: z.array(z.string()).min(2),
});
export type Pipeline = z.infer<typeof Pipeline>;

export const Plan = z.object({
  version: z.literal(PLAN_VERSION),
  steps: z.array(PlanStep),
  pipelines: z.array(Pipeline).min(1),
  /** Value maps the plan's formulas LOOKUP, by name. */
  valueMaps: nameRecord(nameRecord(z.unknown())).default({}),
  /** The integration's run settings at publish (e.g. its outage window). */
  settings: z.object({ outageWindowMinutes: z.number().positive().optional() }).optional(),
});
export type Plan = z.infer<typeof Plan>;
