// Version 33: alert webhook signing secrets sealed with the secrets key, as connection and inbound webhook secrets are
// (sec16): a copy of the database no longer lets one sign forged alerts. A value already sealed is left alone, so the
// step may meet a database half done by hand; it needs the key, so it waits for a start that has one (types.ts).
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../db';
import { integrations } from '../schema';
import type { Migration, SecretBox } from './types';

/** Seals every alert signing secret still kept in clear; answers how many it sealed. */
export async function sealAlertSecrets(db: Db, box: SecretBox): Promise<number> {
  const rows = await db.select({ id: integrations.id, secret: integrations.webhookSecret }).from(integrations).where(isNotNull(integrations.webhookSecret));
  let sealed = 0;
  for (const row of rows) {
    if (row.secret === null || box.looksSealed(row.secret)) continue;
    // Conditional on the value read, so a secret rotated meanwhile is not overwritten with the old one.
    await db
      .update(integrations)
      .set({ webhookSecret: box.seal(row.secret) })
      .where(and(eq(integrations.id, row.id), eq(integrations.webhookSecret, row.secret)));
    sealed++;
  }
  return sealed;
}

export const alertSecretSealed: Migration = {
  version: 33,
  name: 'alert-secret-sealed',
  statements: [],
  withKey: async (db, box) => void (await sealAlertSecrets(db, box)),
};
