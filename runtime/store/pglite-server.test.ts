// PGlite served to several pg connections at once (pglite-server.ts): transactions and extended-protocol units of
// different connections never interleave, a client that vanishes mid-transaction is rolled back, and a silent owner
// is cut off so the others go on.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPglite } from './engines';
import { startPgliteServer, type PgliteServer } from './pglite-server';

type Db = Awaited<ReturnType<typeof createPglite>>;

describe('PGlite served over a Unix socket', () => {
  let db: Db;
  let server: PgliteServer;
  let dir: string;
  let url: string;
  const logs: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-pglite-server-'));
    db = await createPglite(null);
    server = await startPgliteServer({ db, listen: { path: join(dir, '.s.PGSQL.5432') }, idleMs: 1_500, log: (m) => logs.push(m) });
    url = `postgresql://postgres@localhost:5432/postgres?host=${encodeURIComponent(dir)}`;
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)');
  });
  afterAll(async () => {
    await server.stop();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs parameterized queries from many connections at once without mixing them up', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 8 });
    try {
      // Every query is an unnamed Parse/Bind/Execute/Sync: interleaved messages would bind one connection's
      // parameters to another's statement.
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => pool.query<{ n: number; s: string }>(i % 2 ? 'SELECT $1::int AS n, $2::text AS s' : 'SELECT $2::text AS s, $1::int * 1 AS n', [i, `row ${i}`])),
      );
      answers.forEach((a, i) => expect(a.rows[0]).toEqual({ n: i, s: `row ${i}` }));
    } finally {
      await pool.end();
    }
  });

  // Issue 16 (lat16g): a unit's messages (Parse, Bind, Describe, Execute, Sync) run in one PGlite call and are answered
  // in one write, not one call and one write each; an error inside a unit still skips to its Sync.
  it('runs a parameterized statement in one PGlite call, errors included', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const run = db.execProtocolRawStream.bind(db);
    let calls = 0;
    db.execProtocolRawStream = (...args: Parameters<typeof run>) => {
      calls += 1;
      return run(...args);
    };
    try {
      calls = 0;
      const { rows } = await c.query<{ n: number; s: string }>('SELECT $1::int AS n, $2::text AS s', [7, '__proto__']);
      expect(rows).toEqual([{ n: 7, s: '__proto__' }]);
      expect(calls).toBe(1);
      calls = 0;
      await expect(c.query('SELECT $1::int AS n', ['not a number'])).rejects.toThrow(/invalid input syntax/);
      expect(calls).toBe(1);
      const again = await c.query<{ n: string }>('SELECT $1::numeric AS n', ['9007199254740993']);
      expect(again.rows).toEqual([{ n: '9007199254740993' }]);
    } finally {
      db.execProtocolRawStream = run;
      await c.end();
    }
  });

  it('returns large results whole (PGlite reuses the buffer it streams them from)', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ g: number; h: string }>('SELECT g, md5(g::text) AS h FROM generate_series(1, $1::int) g', [20_000]);
      expect(rows).toHaveLength(20_000);
      rows.forEach((r, i) => expect(r).toEqual({ g: i + 1, h: createHash('md5').update(String(i + 1)).digest('hex') }));
    } finally {
      await c.end();
    }
  });

  it('keeps each transaction whole while other connections wait', async () => {
    const a = new pg.Client({ connectionString: url });
    const b = new pg.Client({ connectionString: url });
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query('BEGIN');
      await a.query('INSERT INTO t VALUES (1, $1)', ['from a']);
      // b's read must wait until a commits: sharing PGlite's one session, it would otherwise see a's uncommitted row.
      let bSaw: string[] | null = null;
      const bRead = b.query<{ v: string }>('SELECT v FROM t ORDER BY id').then((r) => (bSaw = r.rows.map((x) => x.v)));
      await new Promise((r) => setTimeout(r, 200));
      expect(bSaw).toBeNull();
      await a.query('INSERT INTO t VALUES (2, $1)', ['also a']);
      await a.query('ROLLBACK');
      await bRead;
      expect(bSaw).toEqual([]);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('rolls back the open transaction of a client that disconnects, and serves the next', async () => {
    const a = new pg.Client({ connectionString: url });
    a.on('error', () => undefined);
    await a.connect();
    await a.query('BEGIN');
    await a.query('INSERT INTO t VALUES (3, $1)', ['lost']);
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const b = new pg.Client({ connectionString: url });
    await b.connect();
    try {
      expect((await b.query('SELECT count(*)::int AS n FROM t')).rows[0]).toEqual({ n: 0 });
      await b.query('BEGIN');
      await b.query('INSERT INTO t VALUES (4, $1)', ['kept']);
      await b.query('COMMIT');
      expect((await b.query('SELECT v FROM t')).rows).toEqual([{ v: 'kept' }]);
    } finally {
      await b.end();
    }
  });

  it('cuts off a connection that holds a transaction in silence, so the others go on', async () => {
    const a = new pg.Client({ connectionString: url });
    const b = new pg.Client({ connectionString: url });
    a.on('error', () => undefined);
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query('BEGIN');
      await a.query('UPDATE t SET v = $1', ['held']);
      const started = Date.now();
      const read = await b.query<{ v: string }>('SELECT v FROM t');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(read.rows).toEqual([{ v: 'kept' }]);
      expect(logs.some((l) => /held the store in a transaction/.test(l))).toBe(true);
      await expect(a.query('SELECT 1')).rejects.toThrow();
    } finally {
      await Promise.all([a.end().catch(() => undefined), b.end()]);
    }
  });

  // big16: a large message's chunks are joined once it is whole (not the part so far copied again per chunk).
  it('takes messages cut anywhere, headers included, and a 3 MB query in thousands of pieces', async () => {
    const socket = createConnection(join(dir, '.s.PGSQL.5432'));
    await once(socket, 'connect');
    const answer: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => answer.push(chunk));
    try {
      const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
      const startup = Buffer.alloc(8 + params.length);
      startup.writeInt32BE(startup.length, 0);
      startup.writeInt32BE(196_608, 4);
      params.copy(startup, 8);
      const text = Buffer.from(`SELECT length('${'ab\u00e9'.repeat(700_000)}') AS n, md5('__proto__') AS h\0`);
      const query = Buffer.alloc(5 + text.length);
      query.write('Q', 0);
      query.writeInt32BE(4 + text.length, 1);
      text.copy(query, 5);
      const all = Buffer.concat([startup, query]);
      // Pieces of 1, 3 and 2 bytes first (inside the startup message's and the query's headers), then uneven ones.
      const sizes = [1, 3, 2, 5, 7, 1, 4];
      let at = 0;
      for (let i = 0; at < all.length; i++) {
        const size = sizes[i] ?? 1 + ((i * 7919) % 4096);
        socket.write(all.subarray(at, at + size));
        at += size;
        if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const done = Date.now() + 20_000;
      while (!Buffer.concat(answer).includes('SELECT 1\0') && Date.now() < done) await new Promise((resolve) => setTimeout(resolve, 20));
      const got = Buffer.concat(answer).toString('latin1');
      expect(got).toContain('2100000');
      expect(got).toContain(createHash('md5').update('__proto__').digest('hex'));
    } finally {
      socket.destroy();
    }
  });

  it('answers no to SSL and then serves the connection', async () => {
    const c = new pg.Client({ connectionString: url, ssl: false });
    await c.connect();
    try {
      expect((await c.query("SELECT '__proto__' AS k, E'\\u00e9' AS e, 9007199254740993::numeric::text AS big")).rows[0]).toEqual({ k: '__proto__', e: 'é', big: '9007199254740993' });
    } finally {
      await c.end();
    }
  });
});

// Issue 16: PGlite has no autovacuum, so the server vacuums and analyzes what needs it once the store is quiet.
describe('PGlite served with maintenance when idle', () => {
  let db: Db;
  let server: PgliteServer;
  let dir: string;
  let url: string;
  const vacuumed: string[] = [];
  const TABLES = ['m1', 'm2', 'm3', 'm4', 'm5'];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-pglite-vacuum-'));
    db = await createPglite(null);
    server = await startPgliteServer({ db, listen: { path: join(dir, '.s.PGSQL.5432') }, maintenance: { idleMs: 1_500, onTable: (t) => vacuumed.push(t) } });
    url = `postgresql://postgres@localhost:5432/postgres?host=${encodeURIComponent(dir)}`;
  });
  afterAll(async () => {
    await server.stop();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const deadRows = async (c: pg.Client) =>
    Object.fromEntries((await c.query<{ relname: string; n_dead_tup: string }>('SELECT relname, n_dead_tup FROM pg_stat_user_tables')).rows.map((r) => [r.relname, Number(r.n_dead_tup)]));

  it('vacuums the tables with dead rows when no client has spoken for a while, and serves a client that comes meanwhile first', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      for (const t of TABLES) {
        await c.query(`CREATE TABLE ${t} (id int PRIMARY KEY, v text NOT NULL)`);
        await c.query(`INSERT INTO ${t} SELECT g, 'a' FROM generate_series(1, 20000) g`);
        await c.query(`UPDATE ${t} SET v = 'b'`);
      }
      // A client busy within the idle time keeps the server from vacuuming.
      for (let i = 0; i < 6; i += 1) {
        await c.query('SELECT 1');
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(vacuumed).toEqual([]);

      // Quiet: the first table is vacuumed; a query sent then is answered before the maintenance goes on to the end.
      const first = Date.now();
      while (vacuumed.length === 0 && Date.now() - first < 20_000) await new Promise((r) => setTimeout(r, 5));
      expect(vacuumed.length).toBeGreaterThan(0);
      await c.query('SELECT 1');
      const doneWhenAnswered = vacuumed.length;
      expect(doneWhenAnswered).toBeLessThan(TABLES.length);

      // The rest waits for the next quiet moment, then every table is vacuumed and its dead rows gone.
      const until = Date.now() + 20_000;
      while (vacuumed.length < TABLES.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect([...vacuumed].sort()).toEqual(TABLES.map((t) => `public.${t}`));
      await new Promise((r) => setTimeout(r, 1_200)); // the statistics reach the views about a second later
      const dead = await deadRows(c);
      for (const t of TABLES) expect(dead[t]).toBe(0);
    } finally {
      await c.end();
    }
  }, 60_000);
});
