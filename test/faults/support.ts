// Shared by the fault tests: the rows they move, how they wait, and the one check that matters: exactly once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { expect } from 'vitest';
import { customersCsv, type CustomerRow } from '../support/temporal-harness';

/** The owner a fault test's Weft process creates on its first start (WEFT_OWNER_EMAIL / WEFT_OWNER_PASSWORD). */
export const FAULT_OWNER = { WEFT_OWNER_EMAIL: 'faults@example.com', WEFT_OWNER_PASSWORD: 'fault-tests-owner-password' };

/** Signs in as FAULT_OWNER at `base` and returns the session cookie to send with every request. */
export async function signIn(base: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: FAULT_OWNER.WEFT_OWNER_EMAIL, password: FAULT_OWNER.WEFT_OWNER_PASSWORD }),
  });
  if (!res.ok) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  if (!cookie) throw new Error('sign-in set no cookie');
  return cookie;
}

/** Row k (0-based): email c<k+1>@example.com, name "C <k+1>", amount k, active every other row. */
export const customerRows = (n: number): CustomerRow[] =>
  Array.from({ length: n }, (_, k) => ({ email: `c${k + 1}@example.com`, name: `C ${k + 1}`, amount: String(k), active: k % 2 === 0 ? 'yes' : 'no' }));

export const customersCsvOf = (rows: readonly CustomerRow[]) => customersCsv(rows);

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** count = distinct keys = n, and every row holds the values its source row had. */
export async function expectExactlyOnce(sql: pg.Client, table: string, n: number): Promise<void> {
  const [tally] = (
    await sql.query<{ rows: number; keys: number; amounts: string; actives: number }>(
      `SELECT count(*)::int AS rows, count(DISTINCT email)::int AS keys, sum(amount)::text AS amounts, count(*) FILTER (WHERE active)::int AS actives FROM ${table}`,
    )
  ).rows;
  expect(tally).toEqual({ rows: n, keys: n, amounts: `${(n * (n - 1)) / 2}.00`, actives: Math.ceil(n / 2) });
  const wrong = await sql.query(`SELECT email FROM ${table} WHERE name <> 'C ' || substr(email, 2, strpos(email, '@') - 2) OR amount <> (substr(email, 2, strpos(email, '@') - 2)::int - 1) LIMIT 5`);
  expect(wrong.rows).toEqual([]);
}

/** The workspace object holds each of the n customers once, with its source values. */
export function expectWorkspaceExactlyOnce(records: { key: string; values: Record<string, unknown> }[], n: number): void {
  expect(records.length).toBe(n);
  expect(new Set(records.map((r) => r.key)).size).toBe(n);
  for (const r of records) {
    const k = Number(/^c(\d+)@/.exec(r.key)?.[1]) - 1;
    expect(r.values).toMatchObject({ email: `c${k + 1}@example.com`, name: `C ${k + 1}`, amount: k, active: k % 2 === 0 });
  }
}
