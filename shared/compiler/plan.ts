// The executable plan: a validated DAG of steps with resolved schemas, grouped into pipelines. Published plans
// are stored forever (runs and resumes load them), so the shape carries a version and its migration beside it.
import { z } from 'zod';
import { nameRecord } from '../util/name-record';
import { RowSchema } from '../graph/field-types';
import { MAX_PARALLELISM } from '../sync/partitions';

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
  // One step: a kind that is its own pipeline (a two-way sync, which reads and writes both its sides).
  nodeIds: z.array(z.string()).min(1),
});
export type Pipeline = z.infer<typeof Pipeline>;

export const Plan = z.object({
  version: z.literal(PLAN_VERSION),
  steps: z.array(PlanStep),
  pipelines: z.array(Pipeline).min(1),
  /** Value maps the plan's formulas LOOKUP, by name. */
  valueMaps: nameRecord(nameRecord(z.unknown())).default({}),
  /** The integration's run settings at publish (e.g. its outage window). */
  settings: z
    .object({
      outageWindowMinutes: z.number().positive().optional(),
      syncEnabled: z.boolean().optional(),
      /** Issue 16: parts a large source is read in, side by side (1: never split; unset: by size). */
      parallelism: z.number().int().min(1).max(MAX_PARALLELISM).optional(),
    })
    .optional(),
  /** The run parameters declared at publish, by name and type: formulas' PARAM("name") is compiled with them. */
  parameters: z.array(z.object({ name: z.string(), type: z.enum(['text', 'number', 'date', 'boolean']) })).optional(),
});
export type Plan = z.infer<typeof Plan>;

/** A stored plan as JSON, between upgrades. */
export type StoredPlan = Record<string, unknown>;

/**
 * How a stored plan of one version becomes the next, by the version it upgrades from. Changing Plan's shape
 * incompatibly means: bump PLAN_VERSION, add the upgrade from the previous version here, and keep a plan of the
 * previous shape under test/fixtures/plans (stored-plan tests load and run every fixture there).
 * None yet: version 1 has only gained optional fields, which its schema fills in (`valueMaps: {}` for plans
 * published before value maps; no `settings` before run settings).
 */
export const PLAN_UPGRADES: Readonly<Record<number, (plan: StoredPlan) => StoredPlan>> = {};

/** Brings a stored plan of any known version to the current shape, then validates it (throws when it is not a plan). */
export function migratePlan(raw: unknown, upgrades: Readonly<Record<number, (plan: StoredPlan) => StoredPlan>> = PLAN_UPGRADES): Plan {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return Plan.parse(raw);
  let plan = raw as StoredPlan;
  let version = plan.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > PLAN_VERSION) {
    throw new Error(`This plan was published by a newer Weft (plan version ${version}); this one reads plans up to version ${PLAN_VERSION}.`);
  }
  while (typeof version === 'number' && version < PLAN_VERSION) {
    const upgrade = upgrades[version];
    if (!upgrade) throw new Error(`A stored plan of version ${version} cannot be read: no upgrade from it to version ${version + 1}.`);
    plan = upgrade(plan);
    if (plan.version !== version + 1) throw new Error(`The upgrade from plan version ${version} gave version ${String(plan.version)}, not ${version + 1}.`);
    version = plan.version;
  }
  return Plan.parse(plan);
}
