// Transform steps run the shared row logic (shared/transforms), the same code the designer's preview runs.
import { createTransform, TransformConfigError } from '../../shared/transforms';
import type { KindId } from '../../shared/graph/kinds';
import { PlanError, type ExecutorDef } from './types';

export function transformExecutor<K extends KindId>(kind: K): ExecutorDef<K, 'valueMaps' | 'now' | 'params' | 'parameters' | 'members' | 'handsOnSource' | 'sourceTyped'> {
  return {
    kind,
    async create(step, deps) {
      try {
        // A pipeline hands each batch's rows from step to step and keeps no other reference: steps may change them in place.
        const transform = createTransform(step, { valueMaps: deps.valueMaps, now: deps.now, params: deps.params, ...(deps.parameters && { parameters: deps.parameters }), ...(deps.members && { members: deps.members }), ownsRows: true, ...(deps.handsOnSource && { handsOnSource: true }), ...(deps.sourceTyped && { sourceTyped: true }) });
        return { role: 'transform', apply: (rows) => transform.apply(rows) };
      } catch (err) {
        if (err instanceof TransformConfigError) throw new PlanError(`${err.message}. Fix it and publish again.`);
        throw err;
      }
    },
  };
}
