// A throwaway PostgreSQL cluster that checks passwords (scram-sha-256), for tests that need a wrong password to fail.
// The machine's own Postgres on 127.0.0.1:5432 trusts every local connection, so it cannot tell a wrong password.
// Uses Debian's binaries (/usr/lib/postgresql/<version>/bin); initdb and postgres refuse to run as root, so as root
// the cluster runs as the `postgres` system user through `runuser`, in a temp dir it owns.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../runtime/temporal/dev-server';
export { freePort };

const run = promisify(execFile);
const PG_ROOT = '/usr/lib/postgresql';
const RUN_AS = 'postgres';

export interface PgCluster {
  host: '127.0.0.1';
  port: number;
  /** The database made for the test, owned by `user`. */
  database: string;
  user: string;
  password: string;
  /** The cluster's superuser (`postgres`) and its password. */
  superuser: string;
  superPassword: string;
  /** The temp dir holding the data dir, the socket, the log and the password file. */
  dir: string;
  /** The `orders` rows as inserted, in id order. */
  orders: readonly Order[];
  /** Shuts the server down (fast) and removes the directory; safe to call twice. */
  stop(): Promise<void>;
  /** Stops the server (fast shutdown: sessions are cut) but keeps its data, for an outage; `resume()` brings it back. */
  pause(): Promise<void>;
  /** Starts a paused server again on the same port, with the same data. */
  resume(): Promise<void>;
}

export interface Order {
  id: number;
  customer: string;
  amount: string;
  placed_at: string;
}

export const ORDERS: readonly Order[] = [
  { id: 1, customer: 'Ada Lovelace', amount: '120.50', placed_at: '2026-01-05T09:30:00Z' },
  { id: 2, customer: 'Grace Hopper', amount: '89.99', placed_at: '2026-01-06T14:05:00Z' },
  { id: 3, customer: 'Alan Turing', amount: '2400.00', placed_at: '2026-02-11T08:00:00Z' },
  { id: 4, customer: 'Katherine Johnson', amount: '15.25', placed_at: '2026-03-01T17:45:00Z' },
];

/** The newest installed PostgreSQL bin dir that has initdb, pg_ctl and postgres; null if none. */
export function findPgBin(): string | null {
  if (!existsSync(PG_ROOT)) return null;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(PG_ROOT, v, 'bin');
    if (['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(bin, b)))) return bin;
  }
  return null;
}

const isRoot = () => process.getuid?.() === 0;

function passwdLine(): string | undefined {
  try {
    return readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${RUN_AS}:`));
  } catch {
    return undefined;
  }
}

/** Why a cluster cannot be started here, or null when it can. Callers skip with this message. */
export function pgClusterUnavailable(): string | null {
  if (!findPgBin()) return `PostgreSQL server binaries not found (no ${PG_ROOT}/<version>/bin/initdb, pg_ctl and postgres): install Debian's postgresql package to run this test`;
  if (isRoot()) {
    if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return 'running as root and runuser is missing: initdb refuses root, so the cluster cannot be started';
    if (!passwdLine()) return `running as root and there is no "${RUN_AS}" system user to run initdb and postgres as`;
  }
  return null;
}


/** Runs a PostgreSQL binary as the postgres user when we are root, else as ourselves. */
async function pgExec(bin: string, args: string[], timeoutMs = 60_000) {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', RUN_AS, '--', bin, ...args]] : [bin, args];
  try {
    return await run(cmd, argv, { timeout: timeoutMs, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`${[cmd, ...argv].join(' ')} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`, { cause: e });
  }
}

function ownerIds(): { uid: number; gid: number } | null {
  if (!isRoot()) return null;
  const line = passwdLine();
  if (!line) throw new Error(`no "${RUN_AS}" system user`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

const secret = () => randomBytes(12).toString('hex');

export interface StartOptions {
  database?: string;
  user?: string;
  password?: string;
}

/**
 * Starts a fresh cluster: initdb --auth=scram-sha-256 with a superuser password, listening on 127.0.0.1 at a free port
 * (unix socket in the temp dir), then a database and a login role (`weft_e2e` by default) owning a table `orders`.
 */
export async function startPgCluster(opts: StartOptions = {}): Promise<PgCluster> {
  const reason = pgClusterUnavailable();
  if (reason) throw new Error(reason);
  const bin = findPgBin()!;
  const database = opts.database ?? 'weft_e2e';
  const user = opts.user ?? 'weft_e2e';
  const password = opts.password ?? `weft-${secret()}`;
  for (const name of [database, user]) if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`"${name}" is not a plain lower-case SQL identifier`);
  const superPassword = secret();

  const dir = mkdtempSync(join(tmpdir(), 'weft-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pwfile');
  const log = join(dir, 'postgres.log');
  writeFileSync(pwfile, `${superPassword}\n`, { mode: 0o600 });
  const owner = ownerIds();
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  chmodSync(dir, 0o700);

  let started = false;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (started) await pgExec(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await pgExec(join(bin, 'initdb'), ['-D', data, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C', '--no-sync'], 120_000);
    rmSync(pwfile, { force: true });

    // A free port can be taken between the check and the bind; try a few.
    let port = 0;
    let options = '';
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=40`;
      try {
        await pgExec(join(bin, 'pg_ctl'), ['start', '-D', data, '-l', log, '-w', '-t', '60', '-o', options], 90_000);
        started = true;
        break;
      } catch (e) {
        if (attempt >= 3) throw new Error(`${(e as Error).message}\n--- postgres.log ---\n${existsSync(log) ? readFileSync(log, 'utf8') : '(none)'}`, { cause: e });
      }
    }

    const connect = async (db: string, as: string, pw: string) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const client = new pg.Client({ host: '127.0.0.1', port, database: db, user: as, password: pw, connectionTimeoutMillis: 5_000 });
        try {
          await client.connect();
          return client;
        } catch (e) {
          await client.end().catch(() => undefined);
          // 57P03: the database system is starting up.
          if (Date.now() > deadline || (e as { code?: string }).code !== '57P03') throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };

    const admin = await connect('postgres', 'postgres', superPassword);
    try {
      await admin.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
      await admin.query(`CREATE DATABASE ${database} OWNER ${user}`);
    } finally {
      await admin.end();
    }
    const owned = await connect(database, user, password);
    try {
      await owned.query('CREATE TABLE orders (id integer PRIMARY KEY, customer text NOT NULL, amount numeric(12,2) NOT NULL, placed_at timestamptz NOT NULL)');
      for (const o of ORDERS) await owned.query('INSERT INTO orders (id, customer, amount, placed_at) VALUES ($1, $2, $3, $4)', [o.id, o.customer, o.amount, o.placed_at]);
    } finally {
      await owned.end();
    }

    const pause = async () => {
      await pgExec(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30']);
    };
    const resume = async () => {
      await pgExec(join(bin, 'pg_ctl'), ['start', '-D', data, '-l', log, '-w', '-t', '60', '-o', options], 90_000);
    };
    return { host: '127.0.0.1', port, database, user, password, superuser: 'postgres', superPassword, dir, orders: ORDERS, stop, pause, resume };
  } catch (e) {
    await stop();
    throw e;
  }
}
