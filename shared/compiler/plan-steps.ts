// Which pipeline answers for which step: a source shared by two pipelines is counted and finished by one.
import type { Plan } from './plan';

/** Each step's owner: the first pipeline, in plan order, that runs it. */
export function stepOwners(plan: Pick<Plan, 'pipelines'>): Map<string, string> {
  const owners = new Map<string, string>();
  for (const pipeline of plan.pipelines) {
    for (const nodeId of pipeline.nodeIds) if (!owners.has(nodeId)) owners.set(nodeId, pipeline.id);
  }
  return owners;
}

/** The steps whose status and counts this pipeline records, in pipeline order. */
export function ownedSteps(plan: Pick<Plan, 'pipelines'>, pipelineId: string): string[] {
  const owners = stepOwners(plan);
  const pipeline = plan.pipelines.find((p) => p.id === pipelineId);
  return (pipeline?.nodeIds ?? []).filter((id) => owners.get(id) === pipelineId);
}
