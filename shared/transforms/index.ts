// The transform registry: every transform kind's row logic, keyed by kind, for executors and previews.
import type { z } from 'zod';
import { CalculatedFieldConfig } from '../graph/kinds/calculated-field';
import { FilterConfig } from '../graph/kinds/filter';
import { MapConfig } from '../graph/kinds/map';
import { createCalculatedFieldTransform } from './calculated-field';
import { createFilterTransform } from './filter';
import { createMapTransform } from './map';
import { TransformConfigError, type Transform, type TransformEnv, type TransformStep } from './types';

interface TransformDef<C> {
  config: z.ZodType<C>;
  create(config: C, step: TransformStep, env: TransformEnv): Transform;
}
const def = <C>(d: TransformDef<C>) => d as TransformDef<unknown>;

export const TRANSFORMS = {
  map: def({ config: MapConfig, create: createMapTransform }),
  filter: def({ config: FilterConfig, create: createFilterTransform }),
  'calculated-field': def({ config: CalculatedFieldConfig, create: createCalculatedFieldTransform }),
} as const;

export type TransformKind = keyof typeof TRANSFORMS;
export const isTransformKind = (kind: string): kind is TransformKind => Object.hasOwn(TRANSFORMS, kind);

/** Builds a step's transform; throws TransformConfigError for a config that cannot run. */
export function createTransform(step: TransformStep, env: TransformEnv = {}): Transform {
  if (!isTransformKind(step.kind)) throw new TransformConfigError(`${step.label} is not a transform`);
  const d = TRANSFORMS[step.kind];
  const parsed = d.config.safeParse(step.config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
    throw new TransformConfigError(`${step.label} is not configured correctly (${issues})`);
  }
  return d.create(parsed.data, step, env);
}

export * from './types';
export { conditionTest } from './filter';
export { typeSourceRows } from './typed-rows';
