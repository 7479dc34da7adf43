// The template a new PGlite database starts from (pglite-template.ts): there for the installed PGlite, and a database
// made from it is a whole one: on disk it is written, reopened without the template, and keeps what was written.
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPglite } from './engines';
import { pgliteTemplate, pgliteVersion, templatePath } from './pglite-template';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the PGlite template', () => {
  it('exists for the installed PGlite version', () => {
    const path = templatePath();
    expect(existsSync(path), `no template for PGlite ${pgliteVersion()}: run \`npm run store:template\` and commit ${path}`).toBe(true);
    expect(pgliteTemplate()?.size).toBeGreaterThan(1_000_000);
  });

  it('makes an on-disk database that is written, reopened without the template, and keeps its rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-template-'));
    dirs.push(dir);
    const pgliteDir = join(dir, 'pglite');
    const db = await createPglite(pgliteDir);
    expect(existsSync(join(pgliteDir, 'PG_VERSION'))).toBe(true);
    const names = await db.query<{ datname: string }>('select datname from pg_database order by datname');
    expect(names.rows.map((r) => r.datname)).toEqual(['postgres', 'template0', 'template1']);
    const settings = await db.query<{ encoding: string; buffers: string }>(
      "select pg_encoding_to_char(encoding) as encoding, current_setting('shared_buffers') as buffers from pg_database where datname = 'postgres'",
    );
    expect(settings.rows[0]).toEqual({ encoding: 'UTF8', buffers: '8MB' });
    await db.exec("create table kept (id bigint primary key, name text); insert into kept values (9007199254740993, 'n\\u00e9e')");
    await db.close();

    const again = await createPglite(pgliteDir);
    const rows = await again.query<{ id: string; name: string }>('select id::text as id, name from kept');
    expect(rows.rows).toEqual([{ id: '9007199254740993', name: 'n\\u00e9e' }]);
    await again.close();
  });

  it('makes an in-memory database per call, each empty', async () => {
    const a = await createPglite(null);
    const b = await createPglite(null);
    await a.exec('create table only_in_a (x int)');
    const inB = await b.query("select count(*)::int as n from pg_tables where tablename = 'only_in_a'");
    expect(inB.rows).toEqual([{ n: 0 }]);
    await a.close();
    await b.close();
  });
});
