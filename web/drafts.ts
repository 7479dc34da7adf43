// Local drafts in IndexedDB (Dexie): every edit lands here first, so a reload or a lost connection loses nothing.
import { Dexie, type EntityTable } from 'dexie';
import { z } from 'zod';
import { canonicalJson, migrateGraph, type Graph, type Integration } from '../shared';

/** Version 1 of a stored draft. Bump DRAFT_VERSION and add a migration below when the shape changes. */
export const DRAFT_VERSION = 1;

export const Draft = z.object({
  v: z.literal(DRAFT_VERSION),
  integrationId: z.string().min(1),
  name: z.string(),
  graph: z.unknown().transform((raw, ctx) => {
    try {
      return migrateGraph(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Stored graph is not readable' });
      return z.NEVER;
    }
  }),
  /** Epoch milliseconds of the last local edit. */
  savedAt: z.number(),
  /** The server's updatedAt the draft was started from, to tell a stale draft from a fresh one. */
  baseUpdatedAt: z.string().nullable(),
});
export type Draft = z.infer<typeof Draft>;

type DraftRow = { integrationId: string; savedAt: number } & Record<string, unknown>;

class DraftDb extends Dexie {
  drafts!: EntityTable<DraftRow, 'integrationId'>;
  constructor(name: string, options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores({ drafts: 'integrationId, savedAt' });
  }
}

/** Upgrades an older stored row to the current draft shape (v0 rows had no `v`). */
function migrateDraft(row: unknown): unknown {
  if (row && typeof row === 'object' && !('v' in row)) return { baseUpdatedAt: null, ...row, v: DRAFT_VERSION };
  return row;
}

export interface DraftStore {
  save(draft: Omit<Draft, 'v' | 'savedAt'> & { savedAt?: number }): Promise<void>;
  load(integrationId: string): Promise<Draft | null>;
  remove(integrationId: string): Promise<void>;
  close(): void;
}

export function createDraftStore(name = 'weft', options?: ConstructorParameters<typeof Dexie>[1]): DraftStore {
  const db = new DraftDb(name, options);
  return {
    async save(draft) {
      const row: Draft = { v: DRAFT_VERSION, ...draft, savedAt: draft.savedAt ?? Date.now() };
      await db.drafts.put(row as unknown as DraftRow);
    },
    async load(integrationId) {
      const row = await db.drafts.get(integrationId);
      if (!row) return null;
      const parsed = Draft.safeParse(migrateDraft(row));
      if (!parsed.success) {
        await db.drafts.delete(integrationId);
        return null;
      }
      return parsed.data;
    },
    async remove(integrationId) {
      await db.drafts.delete(integrationId);
    },
    close: () => db.close(),
  };
}

let shared: DraftStore | null = null;
/** The app's one store, opened on first use (never at import, so tests and SSR stay inert). */
export const drafts = (): DraftStore => (shared ??= createDraftStore());

/**
 * Decides what the designer opens: the local draft when it was edited after the server copy
 * was last updated and actually differs from it, otherwise the server copy.
 */
export function chooseStart(server: Pick<Integration, 'name' | 'graph' | 'updatedAt'>, draft: Draft | null): { name: string; graph: Graph; restored: boolean } {
  const serverTime = Date.parse(server.updatedAt);
  const differs = (d: Draft) => d.name !== server.name || canonicalJson(d.graph) !== canonicalJson(server.graph);
  if (draft && (Number.isNaN(serverTime) || draft.savedAt > serverTime) && differs(draft)) {
    return { name: draft.name, graph: draft.graph, restored: true };
  }
  return { name: server.name, graph: server.graph, restored: false };
}
