// Integrations (editable drafts) and their immutable published versions.
import { desc, eq, sql } from 'drizzle-orm';
import { migrateGraph, migratePlan, type Plan, type Graph, type Integration, type IntegrationSummary, type IntegrationVersion, RunStatus } from '../../shared';
import { canonicalHash } from './canonical';
import type { Db } from './db';
import { StoreNotFoundError } from './errors';
import { newId } from './ids';
import { integrations, integrationVersions, runs } from './schema';
import { builtOnce, UNNAMED } from './built-once';

const iso = (d: Date): string => d.toISOString();

/** The columns every integration read needs: the draft, plus its published version's number and graph hash. */
const integrationColumns = {
  id: integrations.id,
  name: integrations.name,
  description: integrations.description,
  graphHash: integrations.graphHash,
  publishedVersionId: integrations.publishedVersionId,
  createdAt: integrations.createdAt,
  updatedAt: integrations.updatedAt,
  publishedVersionNumber: integrationVersions.number,
  publishedGraphHash: integrationVersions.graphHash,
  active: integrations.active,
  disabledReason: integrations.disabledReason,
};

interface IntegrationRow {
  id: string;
  name: string;
  description: string;
  graphHash: string;
  publishedVersionId: string | null;
  createdAt: Date;
  updatedAt: Date;
  publishedVersionNumber: number | null;
  publishedGraphHash: string | null;
  active: boolean;
  disabledReason: string | null;
}

/**
 * `hasUnpublishedChanges` compares the canonical-JSON hashes of the draft and the published graph.
 * An integration that was never published counts as having unpublished changes (its whole draft).
 */
function toIntegrationBase(row: IntegrationRow): Omit<Integration, 'graph'> {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    publishedVersionId: row.publishedVersionId,
    publishedVersionNumber: row.publishedVersionNumber,
    hasUnpublishedChanges: row.publishedGraphHash === null || row.publishedGraphHash !== row.graphHash,
    active: row.active,
    disabledReason: row.disabledReason,
  };
}

export async function listIntegrations(db: Db): Promise<IntegrationSummary[]> {
  const rows = await db
    .select({ ...integrationColumns, nodeCount: sql<number>`jsonb_array_length(${integrations.graph} -> 'nodes')`.mapWith(Number) })
    .from(integrations)
    .leftJoin(integrationVersions, eq(integrationVersions.id, integrations.publishedVersionId))
    .orderBy(desc(integrations.updatedAt), integrations.id);
  const lastRuns = await db
    .selectDistinctOn([runs.integrationId], { integrationId: runs.integrationId, id: runs.id, status: runs.status, createdAt: runs.createdAt, endedAt: runs.endedAt })
    .from(runs)
    .orderBy(runs.integrationId, desc(runs.createdAt), desc(runs.id));
  const lastRunOf = new Map(lastRuns.map((r) => [r.integrationId, r]));
  return rows.map((row) => {
    const last = lastRunOf.get(row.id);
    return {
      ...toIntegrationBase(row),
      nodeCount: row.nodeCount,
      lastRun: last
        ? { id: last.id, status: RunStatus.parse(last.status), createdAt: iso(last.createdAt), endedAt: last.endedAt ? iso(last.endedAt) : null }
        : null,
    };
  });
}

export async function getIntegration(db: Db, id: string): Promise<Integration | null> {
  const [row] = await db
    .select({ ...integrationColumns, graph: integrations.graph })
    .from(integrations)
    .leftJoin(integrationVersions, eq(integrationVersions.id, integrations.publishedVersionId))
    .where(eq(integrations.id, id));
  return row ? { ...toIntegrationBase(row), graph: migrateGraph(row.graph) } : null;
}

/**
 * The integration with its published version (null when it has none), in one query: what starting a run reads
 * (issue 16: getIntegration and getVersion were two round trips).
 */
/** Every run's start (issue 16: built once, see built-once.ts). */
const integrationToRunStatement = builtOnce((db) =>
  db
    .select({ ...integrationColumns, graph: integrations.graph, version: integrationVersions })
    .from(integrations)
    .leftJoin(integrationVersions, eq(integrationVersions.id, integrations.publishedVersionId))
    .where(eq(integrations.id, sql.placeholder('id')))
    .prepare(UNNAMED),
);

export async function getIntegrationToRun(db: Db, id: string): Promise<{ integration: Integration; version: IntegrationVersion | null } | null> {
  const [row] = await integrationToRunStatement(db).execute({ id });
  if (!row) return null;
  const { version, ...integration } = row;
  return { integration: { ...toIntegrationBase(integration), graph: migrateGraph(integration.graph) }, version: version ? toVersion(version) : null };
}

export async function createIntegration(db: Db, input: { name: string; description: string; graph: Graph }): Promise<Integration> {
  const id = newId('int');
  await db.insert(integrations).values({
    id,
    name: input.name,
    description: input.description,
    graph: input.graph,
    graphHash: canonicalHash(input.graph),
  });
  const created = await getIntegration(db, id);
  if (!created) throw new StoreNotFoundError('integration', id);
  return created;
}

export async function updateIntegration(
  db: Db,
  id: string,
  patch: { name?: string; description?: string; graph?: Graph },
): Promise<Integration | null> {
  const updated = await db
    .update(integrations)
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.graph !== undefined && { graph: patch.graph, graphHash: canonicalHash(patch.graph) }),
      updatedAt: sql`now()`,
    })
    .where(eq(integrations.id, id))
    .returning({ id: integrations.id });
  return updated.length > 0 ? getIntegration(db, id) : null;
}

/** Deletes the integration with its versions, runs, steps, checkpoints and rejected records (foreign keys cascade). */
export async function deleteIntegration(db: Db, id: string): Promise<boolean> {
  const deleted = await db.delete(integrations).where(eq(integrations.id, id)).returning({ id: integrations.id });
  return deleted.length > 0;
}

type VersionRow = typeof integrationVersions.$inferSelect;

const toVersion = (row: VersionRow): IntegrationVersion => ({
  id: row.id,
  integrationId: row.integrationId,
  number: row.number,
  graph: migrateGraph(row.graph),
  plan: migratePlan(row.plan),
  hash: row.hash,
  createdAt: iso(row.createdAt),
});

/** Publishes: the next version number for the integration, which becomes its published version. */
export async function createVersion(db: Db, integrationId: string, graph: Graph, plan: Plan, hash: string): Promise<IntegrationVersion> {
  return db.transaction(async (tx) => {
    // Locking the integration serialises concurrent publishes, so two never race for the same number.
    const [owner] = await tx.select({ id: integrations.id }).from(integrations).where(eq(integrations.id, integrationId)).for('update');
    if (!owner) throw new StoreNotFoundError('integration', integrationId);
    const [last] = await tx
      .select({ number: sql<number>`coalesce(max(${integrationVersions.number}), 0)`.mapWith(Number) })
      .from(integrationVersions)
      .where(eq(integrationVersions.integrationId, integrationId));
    const [row] = await tx
      .insert(integrationVersions)
      .values({ id: newId('ver'), integrationId, number: (last?.number ?? 0) + 1, graph, graphHash: canonicalHash(graph), plan, hash })
      .returning();
    if (!row) throw new Error('inserting the version returned no row');
    await tx.update(integrations).set({ publishedVersionId: row.id }).where(eq(integrations.id, integrationId));
    return toVersion(row);
  });
}

export async function getVersion(db: Db, id: string): Promise<IntegrationVersion | null> {
  const [row] = await db.select().from(integrationVersions).where(eq(integrationVersions.id, id));
  return row ? toVersion(row) : null;
}
