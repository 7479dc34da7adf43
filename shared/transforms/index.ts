// The transform registry: every transform kind's row logic, keyed by the registry's transform kinds, for executors
// and previews. A transform kind without an entry here (or an entry for a kind that is not a transform) does not compile.
import { KINDS, type KindConfig, type KindIdsOf } from '../graph/kinds';
import { createCalculatedFieldTransform } from './calculated-field';
import { createFilterTransform } from './filter';
import { createMapTransform } from './map';
import { TransformConfigError, type Transform, type TransformEnv, type TransformStep } from './types';

export type TransformKind = KindIdsOf<'transform'>;
type CreateTransform<K extends TransformKind> = (config: KindConfig<K>, step: TransformStep, env: TransformEnv) => Transform;

export const TRANSFORMS: { readonly [K in TransformKind]: CreateTransform<K> } = {
  map: createMapTransform,
  filter: createFilterTransform,
  'calculated-field': createCalculatedFieldTransform,
};

export const isTransformKind = (kind: string): kind is TransformKind => Object.hasOwn(TRANSFORMS, kind);

/** Builds a step's transform; throws TransformConfigError for a config that cannot run. */
export function createTransform(step: TransformStep, env: TransformEnv = {}): Transform {
  if (!isTransformKind(step.kind)) throw new TransformConfigError(`${step.label} is not a transform`);
  const kind = step.kind;
  const parsed = KINDS[kind].config.safeParse(step.config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
    throw new TransformConfigError(`${step.label} is not configured correctly (${issues})`);
  }
  // The kind's own schema parsed it, so it is that kind's config.
  return (TRANSFORMS[kind] as CreateTransform<TransformKind>)(parsed.data as KindConfig<TransformKind>, step, env);
}

export * from './types';
export { conditionTest } from './filter';
export { typeSourceRows } from './typed-rows';
export { suggestMappings, normalizeName, type MapSuggestion, type MapSuggestions, type MapTargetSchema } from './map-suggest';
