// Schedules as people saved them (cadence, time zone, on or off). Temporal holds the live Schedule; this is what the list
// and the editor read without asking Temporal, and what restores a Schedule that Temporal lost.
import { and, eq } from 'drizzle-orm';
import { Cadence } from '../../shared/api/schedules';
import type { Db } from './db';
import { schedules } from './schema';

export interface StoredSchedule {
  integrationId: string;
  cadence: Cadence;
  timeZone: string;
  enabled: boolean;
  skippedRecorded: number;
  updatedAt: string;
}

type Row = typeof schedules.$inferSelect;
const toSchedule = (r: Row): StoredSchedule => ({
  integrationId: r.integrationId,
  cadence: Cadence.parse(r.cadence),
  timeZone: r.timeZone,
  enabled: r.enabled,
  skippedRecorded: r.skippedRecorded,
  updatedAt: r.updatedAt.toISOString(),
});

export async function getSchedule(db: Db, integrationId: string): Promise<StoredSchedule | null> {
  const [row] = await db.select().from(schedules).where(eq(schedules.integrationId, integrationId));
  return row ? toSchedule(row) : null;
}

export async function listSchedules(db: Db): Promise<StoredSchedule[]> {
  return (await db.select().from(schedules)).map(toSchedule);
}

export async function saveSchedule(db: Db, input: { integrationId: string; cadence: Cadence; timeZone: string; enabled: boolean }): Promise<StoredSchedule> {
  const now = new Date();
  const [row] = await db
    .insert(schedules)
    .values({ ...input, updatedAt: now })
    .onConflictDoUpdate({ target: schedules.integrationId, set: { cadence: input.cadence, timeZone: input.timeZone, enabled: input.enabled, updatedAt: now } })
    .returning();
  if (!row) throw new Error('saving the schedule returned no row');
  return toSchedule(row);
}

/** Moves the count of recorded skips from `from` to `to`; false when another request moved it first (it records them). */
export async function setScheduleSkipsRecorded(db: Db, integrationId: string, from: number, to: number): Promise<boolean> {
  const moved = await db
    .update(schedules)
    .set({ skippedRecorded: to })
    .where(and(eq(schedules.integrationId, integrationId), eq(schedules.skippedRecorded, from)))
    .returning({ id: schedules.integrationId });
  return moved.length > 0;
}

export async function deleteSchedule(db: Db, integrationId: string): Promise<boolean> {
  const gone = await db.delete(schedules).where(eq(schedules.integrationId, integrationId)).returning({ id: schedules.integrationId });
  return gone.length > 0;
}
