// The embedded store's own process: PGlite on disk, served over a Unix socket (pglite-server.ts). Started and
// supervised by pglite-process.ts; it stops when told (SIGTERM/SIGINT, or a 'stop' message) and when its parent goes
// away (the IPC channel closes, e.g. Weft was killed), closing PGlite cleanly so the next start finds it intact.
// Env: WEFT_PGLITE_DIR (PGlite's folder), WEFT_PGLITE_SOCKET (the socket path), WEFT_PGLITE_INIT_ONLY (create, then exit),
// WEFT_PGLITE_VACUUM_IDLE_MS (vacuum and analyze what needs it after this long without a request; default 5000, 0: never).
// First: takes the collector `--expose-gc` gave and hides it from every other module and context (idle-gc.ts).
import { startIdleCollector } from '../idle-gc';
import { rm } from 'node:fs/promises';
import { createPglite } from './engines';
import { startPgliteServer, vacuumIdle } from './pglite-server';

const dir = process.env.WEFT_PGLITE_DIR;
const socketPath = process.env.WEFT_PGLITE_SOCKET;
const say = (m: string) => console.log(`[store] ${m}`);
if (!dir || (!socketPath && !process.env.WEFT_PGLITE_INIT_ONLY)) {
  console.error('[store] WEFT_PGLITE_DIR and WEFT_PGLITE_SOCKET must be set');
  process.exit(2);
}

const db = await createPglite(dir);
if (process.env.WEFT_PGLITE_INIT_ONLY) {
  // Only create the database (the supervisor then starts the store process on it).
  await db.close();
  process.exit(0);
}
if (!socketPath) process.exit(2); // checked above; narrows the type
// A socket file left by a process that died is in the way; the supervisor made sure no live store owns it.
await rm(socketPath, { force: true });
const vacuumIdleMs = vacuumIdle(process.env.WEFT_PGLITE_VACUUM_IDLE_MS);
const server = await startPgliteServer({
  db,
  listen: { path: socketPath },
  log: say,
  // PGlite has no autovacuum: the server vacuums when the store is quiet (pglite-server.ts). A slow one is said.
  ...(vacuumIdleMs > 0 && { maintenance: { idleMs: vacuumIdleMs, onTable: (table: string, ms: number) => {
      if (ms > 1_000) say(`vacuumed ${table} in ${(ms / 1000).toFixed(1)} s`);
    },
  } }),
});

let stopping: Promise<void> | null = null;
const stop = (why: string) =>
  (stopping ??= (async () => {
    say(`${why}: closing the database…`);
    try {
      await server.stop();
      await db.close();
      await rm(socketPath, { force: true });
    } catch (err) {
      console.error(`[store] while stopping: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    }
    process.exit(0);
  })());
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
process.on('disconnect', () => void stop('Weft went away'));
process.on('message', (m) => {
  if (m === 'stop') void stop('asked to stop');
});

if (process.env.WEFT_MEMORY_LOG) {
  const mb = (n: number) => Math.round(n / 1048576);
  setInterval(() => {
    const m = process.memoryUsage();
    say(`memory rss ${mb(m.rss)} heapUsed ${mb(m.heapUsed)} heapTotal ${mb(m.heapTotal)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)}`);
  }, 1000).unref();
}
// The result chunks copied for the sockets (a preview, a big read) go back once the store is quiet.
startIdleCollector();
say(`ready on ${socketPath}, pid ${process.pid}`);
process.send?.({ ready: true, pid: process.pid });
