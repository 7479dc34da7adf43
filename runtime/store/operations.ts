// Operating an integration: trigger tokens, active or not, alert settings and the alert state machine's memory,
// duplicate and what a delete removes. Tokens are kept as hashes only; the caller (runtime/api) makes and checks them.
import { and, count, desc, eq, sql } from 'drizzle-orm';
import { AlertSettings, DEFAULT_ALERT_SETTINGS, type AlertView, type DeletionSummary, type TriggerTokenInfo } from '../../shared/api/operations';
import type { Db } from './db';
import { StoreNotFoundError } from './errors';
import { newId } from './ids';
import { integrationTokens, integrations, integrationVersions, rejectedRecords, runs } from './schema';

export type AlertState = AlertView['state'];

/** What the alert evaluation reads and writes, under a row lock so two runs ending together see each other. */
export interface AlertMemory {
  name: string;
  active: boolean;
  settings: AlertSettings;
  /** The signing secret as stored: sealed with the secrets key (runtime/alerts/secret.ts opens it); null until made. */
  webhookSecret: string | null;
  state: AlertState;
  consecutiveFailures: number;
}

/** What getAlerts reads: the view's parts the store keeps, with the signing secret still sealed. */
export type StoredAlerts = Omit<AlertView, 'emailConfigured' | 'webhookSecret'> & { webhookSecret: string | null };

export interface AlertMemoryUpdate {
  state: AlertState;
  consecutiveFailures: number;
  /** Set to deactivate with this reason (auto-disable). */
  deactivate?: string;
}

export interface OperationsStore {
  createTriggerToken(input: { integrationId: string; name: string; tokenHash: string; prefix: string; createdBy: string | null }): Promise<TriggerTokenInfo>;
  /** The token by its hash, marked used now; null when unknown or revoked. */
  useTriggerToken(tokenHash: string): Promise<TriggerTokenInfo | null>;
  listTriggerTokens(integrationId: string): Promise<TriggerTokenInfo[]>;
  /** Revokes; null when the integration has no such token. */
  deleteTriggerToken(integrationId: string, id: string): Promise<TriggerTokenInfo | null>;

  /** Activates or deactivates (with the reason shown on the card; null when a person did it); false for an unknown id. */
  setActive(id: string, active: boolean, reason: string | null): Promise<boolean>;
  /** The settings (defaults when never saved), the webhook signing secret as stored (sealed; null until made) and the state. */
  getAlerts(id: string): Promise<StoredAlerts | null>;
  setAlerts(id: string, settings: AlertSettings): Promise<boolean>;
  /**
   * Stores a sealed signing secret: with `onlyIfUnset`, only where none is stored yet (two first reads at once keep
   * whichever was written first). Answers the secret stored afterwards; undefined for an unknown integration.
   */
  setAlertSecret(id: string, sealed: string, onlyIfUnset: boolean): Promise<string | null | undefined>;
  /** Reads the alert memory, lets `decide` compute the next one, and writes it, in one transaction holding the row. */
  transitionAlerts<T>(id: string, decide: (memory: AlertMemory) => { update: AlertMemoryUpdate | null; result: T }): Promise<T | null>;

  /** A copy of the draft (name "<name> (copy)"), inactive schedules and tokens are not copied; alert settings are. */
  duplicateIntegration(id: string): Promise<string | null>;
  deletionSummary(id: string): Promise<DeletionSummary | null>;
}

const toToken = (r: typeof integrationTokens.$inferSelect): TriggerTokenInfo => ({
  id: r.id,
  integrationId: r.integrationId,
  name: r.name,
  prefix: r.prefix,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
});

const settingsOf = (stored: unknown): AlertSettings => {
  const parsed = AlertSettings.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DEFAULT_ALERT_SETTINGS;
};

export function createOperationsStore(db: Db): OperationsStore {
  return {
    async createTriggerToken(input) {
      const [row] = await db.insert(integrationTokens).values({ id: newId('itk'), ...input }).returning();
      if (!row) throw new Error('inserting the token returned no row');
      return toToken(row);
    },
    async useTriggerToken(tokenHash) {
      const [row] = await db
        .update(integrationTokens)
        .set({ lastUsedAt: new Date() })
        .where(eq(integrationTokens.tokenHash, tokenHash))
        .returning();
      return row ? toToken(row) : null;
    },
    async listTriggerTokens(integrationId) {
      const rows = await db
        .select()
        .from(integrationTokens)
        .where(eq(integrationTokens.integrationId, integrationId))
        .orderBy(desc(integrationTokens.createdAt), integrationTokens.id);
      return rows.map(toToken);
    },
    async deleteTriggerToken(integrationId, id) {
      const [row] = await db
        .delete(integrationTokens)
        .where(and(eq(integrationTokens.integrationId, integrationId), eq(integrationTokens.id, id)))
        .returning();
      return row ? toToken(row) : null;
    },

    async setActive(id, active, reason) {
      // Activating starts the failure count afresh, so one more failure does not disable it again at once.
      const rows = await db
        .update(integrations)
        .set(active ? { active, disabledReason: null, consecutiveFailures: 0, alertState: 'ok' } : { active, disabledReason: reason })
        .where(eq(integrations.id, id))
        .returning({ id: integrations.id });
      return rows.length > 0;
    },
    async getAlerts(id) {
      const [row] = await db
        .select({ alerts: integrations.alerts, secret: integrations.webhookSecret, state: integrations.alertState, failures: integrations.consecutiveFailures })
        .from(integrations)
        .where(eq(integrations.id, id));
      if (!row) return null;
      return { settings: settingsOf(row.alerts), webhookSecret: row.secret, state: row.state, consecutiveFailures: row.failures };
    },
    async setAlerts(id, settings) {
      const rows = await db.update(integrations).set({ alerts: settings }).where(eq(integrations.id, id)).returning({ id: integrations.id });
      return rows.length > 0;
    },
    async setAlertSecret(id, sealed, onlyIfUnset) {
      await db
        .update(integrations)
        .set({ webhookSecret: sealed })
        .where(onlyIfUnset ? and(eq(integrations.id, id), sql`${integrations.webhookSecret} IS NULL`) : eq(integrations.id, id));
      const [row] = await db.select({ secret: integrations.webhookSecret }).from(integrations).where(eq(integrations.id, id));
      return row ? row.secret : undefined;
    },
    async transitionAlerts(id, decide) {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .select({
            name: integrations.name,
            active: integrations.active,
            alerts: integrations.alerts,
            secret: integrations.webhookSecret,
            state: integrations.alertState,
            failures: integrations.consecutiveFailures,
          })
          .from(integrations)
          .where(eq(integrations.id, id))
          .for('update');
        if (!row) return null;
        const { update, result } = decide({
          name: row.name,
          active: row.active,
          settings: settingsOf(row.alerts),
          webhookSecret: row.secret,
          state: row.state,
          consecutiveFailures: row.failures,
        });
        // Most runs leave the memory as it was (another good run of a healthy integration): no write then, so the
        // integration's row (its graph with it) is not rewritten after every run (issue 16).
        const changed = update && (update.state !== row.state || update.consecutiveFailures !== row.failures || update.deactivate !== undefined);
        if (update && changed) {
          await tx
            .update(integrations)
            .set({
              alertState: update.state,
              consecutiveFailures: update.consecutiveFailures,
              ...(update.deactivate !== undefined && { active: false, disabledReason: update.deactivate }),
            })
            .where(eq(integrations.id, id));
        }
        return result;
      });
    },

    async duplicateIntegration(id) {
      const [row] = await db.select().from(integrations).where(eq(integrations.id, id));
      if (!row) return null;
      const copyId = newId('int');
      await db.insert(integrations).values({
        id: copyId,
        name: `${row.name} (copy)`.slice(0, 120),
        description: row.description,
        graph: row.graph,
        graphHash: row.graphHash,
        alerts: row.alerts,
      });
      const [made] = await db.select({ id: integrations.id }).from(integrations).where(eq(integrations.id, copyId));
      if (!made) throw new StoreNotFoundError('integration', copyId);
      return copyId;
    },
    async deletionSummary(id) {
      const [exists] = await db.select({ id: integrations.id }).from(integrations).where(eq(integrations.id, id));
      if (!exists) return null;
      const [versions] = await db.select({ n: count() }).from(integrationVersions).where(eq(integrationVersions.integrationId, id));
      const [runCount] = await db.select({ n: count() }).from(runs).where(eq(runs.integrationId, id));
      const [rejected] = await db
        .select({ n: count() })
        .from(rejectedRecords)
        .innerJoin(runs, eq(runs.id, rejectedRecords.runId))
        .where(eq(runs.integrationId, id));
      const [tokens] = await db.select({ n: count() }).from(integrationTokens).where(eq(integrationTokens.integrationId, id));
      return { versions: versions?.n ?? 0, runs: runCount?.n ?? 0, rejectedRecords: rejected?.n ?? 0, tokens: tokens?.n ?? 0 };
    },
  };
}
