// The embedded store as `npm start` keeps it: PGlite in its own process (pglite-main.ts) behind a Unix socket in the
// data folder, so the API and worker reach it as they reach Postgres and their memory is a Postgres-store process's.
// Recorded in <dataDir>/pglite-server.json; a store process an earlier Weft left behind is stopped before a new one
// opens the same database (two would corrupt it); a store process that dies is restarted with backoff on the same
// socket, and the pools reconnect to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../project-root';
import { isAlive, readCmdline } from '../temporal/processes';
import { stopPid } from '../temporal/embedded';

export interface PgliteProcessRecord {
  pid: number;
  pgliteDir: string;
  socketDir: string;
  startedAt: string;
}

export const pgliteRecordPath = (dataDir: string) => join(dataDir, 'pglite-server.json');
const ENTRY = join(PROJECT_ROOT, 'runtime', 'store', 'pglite-main.ts');
/** pg reaches a Unix socket as `<host dir>/.s.PGSQL.<port>`; the port is only part of the file name. */
const SOCKET_PORT = 5432;
const SOCKET_NAME = `.s.PGSQL.${SOCKET_PORT}`;
/** sockaddr_un holds 108 bytes; a longer path cannot be bound. */
const MAX_SOCKET_PATH = 100;

export interface PgliteProcessOptions {
  dataDir: string;
  log: (message: string) => void;
  /** Restart backoff (tests shorten it): first delay and cap. */
  backoff?: { initialMs: number; maxMs: number };
  startTimeoutMs?: number;
}

export interface PgliteProcess {
  /** A Postgres connection string for the store (a Unix socket; no password: the folder's permissions guard it). */
  url: string;
  pid(): number;
  state(): 'up' | 'restarting';
  restarts(): number;
  /**
   * Stops the store process cleanly and starts a new one on the same database and socket. Its WebAssembly memory only
   * grows: after migrations (a first start, an upgrade) a new process holds ~20–40 MB less than the one that ran them.
   * Connections to the old process break: close the pools first and open new ones after.
   */
  recycle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * glibc's malloc keeps what the store process frees (V8 compiling PGlite's WebAssembly in background threads, ~60 MB)
 * in per-thread arenas it rarely gives back; blocks of 16 KB and more mapped on their own go back to the system when
 * freed (store process idle ~190 -> ~120 MB). `npm start` sets the same for Weft's own process; a value in the
 * environment wins. Other C libraries ignore it.
 */
export const MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: '16384' } as const;

/**
 * The malloc setting the store process gets: the environment's when set, else MALLOC_ENV's. glibc reads any text there
 * (an unparsable value mapped every block on its own: a first start of 341 s, both processes ~280 MB idle; a leading
 * 0 reads as octal), so only whole bytes from 0 to 32 MB (glibc's ceiling) are passed on, anything else refused by name.
 */
export function mallocMmapThreshold(value: string | undefined): string {
  if (value === undefined || value === '') return MALLOC_ENV.MALLOC_MMAP_THRESHOLD_;
  if (!/^(0|[1-9][0-9]{0,7})$/.test(value) || Number(value) > 33_554_432) {
    throw new Error(`MALLOC_MMAP_THRESHOLD_ must be whole bytes from 0 to 33554432 (16384 by default), not ${JSON.stringify(value.slice(0, 40))}.`);
  }
  return value;
}

async function readRecord(dataDir: string): Promise<PgliteProcessRecord | null> {
  try {
    const r = JSON.parse(await readFile(pgliteRecordPath(dataDir), 'utf8')) as Partial<PgliteProcessRecord>;
    return typeof r.pid === 'number' && typeof r.pgliteDir === 'string' ? (r as PgliteProcessRecord) : null;
  } catch {
    return null;
  }
}

/** The socket's folder: a `run` folder inside the data folder (mode 0700), or a private temporary one when that path is too long. */
async function socketDirFor(dataDir: string): Promise<string> {
  const inData = join(dataDir, 'run');
  if (join(inData, SOCKET_NAME).length <= MAX_SOCKET_PATH) {
    await mkdir(inData, { recursive: true, mode: 0o700 });
    return inData;
  }
  return mkdtemp(join(tmpdir(), 'weft-store-'));
}

/**
 * The store process's entry compiled by esbuild into dist/store (about 0.1 s, every start): plain node, without tsx's
 * loader, holds ~65 MB less. When the build cannot be written, the TypeScript entry runs under tsx instead.
 */
let entryBuilt: Promise<string[]> | null = null;
/** Built once per Weft process: creating the database and starting the store process run the same entry. */
function entryCommand(): Promise<string[]> {
  entryBuilt ??= buildEntry();
  return entryBuilt;
}

async function buildEntry(): Promise<string[]> {
  const outfile = join(PROJECT_ROOT, 'dist', 'store', 'pglite-main.mjs');
  try {
    const { build, stop } = await import('esbuild');
    const out = await build({ entryPoints: [ENTRY], bundle: true, platform: 'node', format: 'esm', packages: 'external', write: false, logLevel: 'silent' });
    // esbuild's service process (~15 MB) would otherwise stay for the life of Weft.
    await stop();
    const code = out.outputFiles[0]?.contents;
    if (!code) throw new Error('esbuild wrote nothing');
    await mkdir(dirname(outfile), { recursive: true });
    // Written aside and renamed: a second Weft starting at the same time never runs half a file.
    const temporary = `${outfile}.${process.pid}.tmp`;
    await writeFile(temporary, code);
    await rename(temporary, outfile);
    return [outfile];
  } catch {
    return ['--import', import.meta.resolve('tsx'), ENTRY];
  }
}

/**
 * Creates the store's database when the data folder has none (a first start); does nothing otherwise. Creating it
 * leaves the process that did it larger than one that opens an existing database (~200 MB): ~260–300 MB from the
 * template (pglite-template.ts), 700–800 MB through initdb where there is none. It is done in a process of its own
 * that has exited when this returns, so the store process always starts from an existing database. `npm start` calls
 * it before the Temporal dev server starts (wiring.ts): the two together were the first start's peak (~500 MB with
 * Weft's own process). startPgliteProcess calls it too, for callers that do not. True when it created the database.
 */
export async function createPgliteDatabase(opts: Pick<PgliteProcessOptions, 'dataDir' | 'log'>): Promise<boolean> {
  const pgliteDir = join(opts.dataDir, 'pglite');
  if (existsSync(join(pgliteDir, 'PG_VERSION'))) return false;
  const command = await entryCommand();
  const env = { ...process.env, MALLOC_MMAP_THRESHOLD_: mallocMmapThreshold(process.env.MALLOC_MMAP_THRESHOLD_), WEFT_PGLITE_DIR: pgliteDir, WEFT_PGLITE_INIT_ONLY: '1' };
  opts.log(`Creating the store's database in ${pgliteDir}…`);
  const code = await new Promise<number | null>((done) => {
    const child = spawn(process.execPath, [...command], { env, stdio: 'inherit' });
    child.once('error', () => done(null));
    child.once('exit', done);
  });
  if (code !== 0) throw new Error(`could not create the store's database in ${pgliteDir} (exit code ${code})`);
  return true;
}

export async function startPgliteProcess(opts: PgliteProcessOptions): Promise<PgliteProcess> {
  const pgliteDir = join(opts.dataDir, 'pglite');
  const backoff = opts.backoff ?? { initialMs: 500, maxMs: 15_000 };
  const log = opts.log;

  // One PGlite per database folder: a store process an earlier Weft left (it normally exits with its parent) goes first.
  const record = await readRecord(opts.dataDir);
  if (record && record.pgliteDir === pgliteDir && isAlive(record.pid)) {
    const argv = await readCmdline(record.pid);
    if (argv?.some((a) => a.endsWith('pglite-main.ts') || a.endsWith('pglite-main.mjs'))) {
      log(`Stopping the store process an earlier Weft left running (pid ${record.pid}).`);
      await stopPid(record.pid, 15_000);
    }
  }
  const socketDir = await socketDirFor(opts.dataDir);
  const command = await entryCommand();
  const env = { ...process.env, MALLOC_MMAP_THRESHOLD_: mallocMmapThreshold(process.env.MALLOC_MMAP_THRESHOLD_), WEFT_PGLITE_DIR: pgliteDir, WEFT_PGLITE_SOCKET: join(socketDir, SOCKET_NAME) };
  await createPgliteDatabase(opts);
  const url = `postgresql://postgres@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(socketDir)}`;

  async function launch(): Promise<{ child: ChildProcess; exited: Promise<string> }> {
    // --expose-gc: for the idle collector only (idle-gc.ts takes it off the global object at once).
    const child = spawn(process.execPath, ['--expose-gc', ...command], {
      env,
      // Its own process group: a Ctrl-C in the terminal reaches Weft, which stops the store after its own cleanup.
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<string>((done) =>
      child.once('exit', (code, signal) => done(signal ? `it was killed by ${signal}` : `it exited with code ${code}`)),
    );
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((ready) => child.on('message', (m) => (m as { ready?: boolean }).ready && ready())),
        exited.then((how) => Promise.reject(new Error(`the store process could not open ${pgliteDir}: ${how}`))),
        new Promise<void>((_, fail) => {
          timer = setTimeout(() => fail(new Error(`the store process did not open ${pgliteDir} within ${Math.round((opts.startTimeoutMs ?? 120_000) / 1000)} s`)), opts.startTimeoutMs ?? 120_000);
        }),
      ]);
    } catch (err) {
      if (child.pid) await stopPid(child.pid);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    await writeFile(pgliteRecordPath(opts.dataDir), `${JSON.stringify({ pid: child.pid ?? -1, pgliteDir, socketDir, startedAt: new Date().toISOString() } satisfies PgliteProcessRecord, null, 2)}\n`);
    return { child, exited };
  }

  let current = await launch();
  let state: 'up' | 'restarting' = 'up';
  let restarts = 0;
  let stopping = false;
  /** Set while recycle() replaces the process: its exit is not a crash. */
  let recycling: Promise<void> | null = null;
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

  async function stopChild({ child, exited }: { child: ChildProcess; exited: Promise<string> }): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send('stop');
    else child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  void (async () => {
    for (;;) {
      const watched = current;
      const how = await watched.exited;
      if (stopping) return;
      // Set by recycle() while this loop waited (TypeScript cannot see the assignment in another function).
      const replacing = recycling as Promise<void> | null;
      if (replacing) await replacing.catch(() => undefined);
      if (current !== watched) continue;
      state = 'restarting';
      log(`The store process (pid ${current.child.pid}) stopped: ${how}. Restarting it; store calls fail until it is back.`);
      for (let failures = 0; ; ) {
        await sleep(Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failures, 16)));
        if (stopping) return;
        try {
          current = await launch();
          restarts++;
          state = 'up';
          log(`The store is back (pid ${current.child.pid}).`);
          break;
        } catch (err) {
          failures++;
          const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
          log(`Restarting the store process failed (attempt ${failures}${failures >= 5 ? `; still retrying every ${Math.round(backoff.maxMs / 1000)} s, check the disk and ${pgliteDir}` : ''}): ${reason}`);
        }
      }
    }
  })();

  return {
    url,
    pid: () => current.child.pid ?? -1,
    state: () => state,
    restarts: () => restarts,
    async recycle() {
      if (stopping || recycling) throw new Error('the store process is stopping or being replaced already');
      const old = current;
      recycling = (async () => {
        await stopChild(old);
        current = await launch();
      })();
      try {
        await recycling;
      } finally {
        recycling = null;
      }
    },
    async stop() {
      stopping = true;
      await (recycling as Promise<void> | null)?.catch(() => undefined);
      await stopChild(current);
      await rm(pgliteRecordPath(opts.dataDir), { force: true });
      // The private temporary folder (a data folder whose socket path was too long) goes; data/run stays.
      if (socketDir !== join(opts.dataDir, 'run')) await rm(socketDir, { recursive: true, force: true });
    },
  };
}
