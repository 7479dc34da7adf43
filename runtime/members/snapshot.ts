// The member table a run reads: loaded once per pipeline when one of its steps calls MEMBER, held in memory (bounded by
// MAX_SNAPSHOT_ACCOUNTS) and asked synchronously per row, so a formula never waits on the store (docs/members.md).
import type { PlanStep } from '../../shared/compiler/plan';
import { WEFT_MEMBER_SYSTEM } from '../../shared/api/members';
import { buildMemberDirectory, type BuiltDirectory } from '../../shared/members/directory';
import type { Store } from '../store/types';

/** At most this many linked accounts in one run's snapshot (~100 bytes each in memory): past it the step fails, saying so. */
export const MAX_SNAPSHOT_ACCOUNTS = 200_000;

export class MemberSnapshotError extends Error {
  override readonly name = 'MemberSnapshotError';
}

const CALLS_MEMBER = /\bMEMBER\s*\(/i;

/** Whether any step's formulas call MEMBER (a cheap look at the configs' text; a false positive only loads the table). */
export const usesMembers = (steps: readonly Pick<PlanStep, 'config'>[]): boolean =>
  steps.some((s) => {
    const text = JSON.stringify(s.config);
    // A Map field set to "Align member from <system>" runs MEMBER() without writing it.
    return CALLS_MEMBER.test(text) || MEMBER_FIELD.test(text);
  });
const MEMBER_FIELD = /"from":"member"/;

/** The member system a pipeline writes to: "weft" for the workspace, the one system on the target's connection, else none. */
export function targetMemberSystem(target: Pick<PlanStep, 'kind' | 'config'> | undefined, systems: readonly { name: string; connectionId: string }[]): string | undefined {
  if (!target) return undefined;
  if (target.kind === 'workspace-target') return WEFT_MEMBER_SYSTEM;
  const connectionId = (target.config as { connectionId?: unknown }).connectionId;
  const on = systems.filter((s) => s.connectionId === connectionId);
  return on.length === 1 ? on[0]?.name : undefined;
}

export async function loadMemberDirectory(store: Pick<Store, 'members'>, target: Pick<PlanStep, 'kind' | 'config'> | undefined, limit = MAX_SNAPSHOT_ACCOUNTS): Promise<BuiltDirectory> {
  const systems = await store.members.listSystems();
  const rows = await store.members.snapshot(
    systems.map((s) => s.name),
    limit,
  );
  if (rows.tooMany) throw new MemberSnapshotError(`Member alignment holds more than ${limit.toLocaleString('en-US')} linked users; a run loads at most that many (docs/members.md)`);
  return buildMemberDirectory({ ...rows, systems: systems.map((s) => s.name) }, targetMemberSystem(target, systems));
}
