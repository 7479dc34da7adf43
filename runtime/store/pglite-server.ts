// PGlite served over the Postgres wire protocol, so the API and workers reach the embedded store with the same pg
// pool and Drizzle code as a real Postgres (and PGlite's ~150 MB of WebAssembly lives in one process, not in each).
//
// PGlite is one backend with one session. Several client connections share it safely only if their protocol
// exchanges never interleave inside a unit: a simple Query, or an extended-protocol sequence (Parse, Bind, Describe,
// Execute…) up to its Sync, and a whole transaction (BEGIN … COMMIT/ROLLBACK). So one connection at a time owns the
// backend: it keeps it until it has finished a unit outside a transaction, and the others wait in arrival order.
// `@electric-sql/pglite-socket`'s multiplexer hands PGlite over between single messages (an unnamed statement parsed
// by one connection could be bound by another), so its server is not used; PGlite's own `execProtocolRawStream` is.
// A connection that owns the backend and goes silent (in a transaction, or inside a unit) is cut off after
// `idleMs`, its transaction rolled back, so one stuck client cannot hold everyone else for ever.
//
// PGlite has no autovacuum (one backend, no background workers): rows that runs rewrite (workspace records, run
// steps, checkpoints) leave dead versions and stale statistics behind for good. So when no client has sent anything
// for `maintenance.idleMs`, the server vacuums and analyzes the tables whose statistics say they need it (the
// thresholds of Postgres' autovacuum), one table at a time; a client that arrives meanwhile waits for the table being
// vacuumed only, and the rest waits for the next quiet moment.
import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
/** A Sync message: ends an extended-protocol unit a vanished client left open. */
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);

interface Message {
  startup: boolean;
  type: number;
  data: Uint8Array;
}

interface Session {
  id: number;
  socket: Socket;
  buffer: Buffer;
  /** What arrived after `buffer` while it held only part of a message: joined once the message is whole. */
  later: Buffer[];
  laterLength: number;
  /** Bytes `buffer` needs before `parse` can take its next message. */
  need: number;
  started: boolean;
  pending: Message[];
  /** Inside an extended-protocol unit (a message after the last Sync or Query). */
  midUnit: boolean;
  closed: boolean;
  idleTimer: NodeJS.Timeout | null;
}

export interface PgliteServerOptions {
  db: PGlite;
  /** A Unix socket path (`<dir>/.s.PGSQL.<port>` for pg's `host=<dir>`), or a TCP port on 127.0.0.1. */
  listen: { path: string } | { port: number; host?: string };
  /** How long the owning connection may stay silent inside a transaction or a unit before it is cut off (default 60 s). */
  idleMs?: number;
  log?: (message: string) => void;
  /** Vacuum and analyze after this long without a client message (default: never). `onTable` hears of each table done. */
  maintenance?: { idleMs: number; onTable?: (table: string, ms: number) => void };
}

/**
 * Tables due for VACUUM (ANALYZE), by Postgres' autovacuum rules (dead rows past 50 + 20% of the live ones, or rows
 * changed since the last analyze past 50 + 10%), the most dead rows first. The statistics reach these views about a
 * second after a change (PGlite flushes them when idle), which the idle wait covers.
 */
const DUE_TABLES = `SELECT format('%I.%I', schemaname, relname) AS name FROM pg_stat_user_tables
  WHERE n_dead_tup > 50 + 0.2 * n_live_tup OR n_mod_since_analyze > 50 + 0.1 * n_live_tup
  ORDER BY n_dead_tup DESC, relname`;

export interface PgliteServer {
  /** The TCP port when listening on TCP (useful with port 0). */
  port: number | null;
  /** Connections now open. */
  connections(): number;
  /** Stops accepting, closes every connection and waits for the message being executed. Does not close the database. */
  stop(): Promise<void>;
}

export async function startPgliteServer(opts: PgliteServerOptions): Promise<PgliteServer> {
  const { db } = opts;
  const idleMs = opts.idleMs ?? 60_000;
  const log = opts.log ?? (() => undefined);
  await db.waitReady;
  const sessions = new Set<Session>();
  const waiting: Session[] = [];
  let owner: Session | null = null;
  let running: Promise<void> | null = null;
  let nextId = 1;
  /** When the last client message was executed, and whether any was since the last maintenance. */
  let lastMessageAt = Date.now();
  let changedSinceMaintenance = false;
  let stopped = false;

  const disarm = (s: Session) => {
    if (s.idleTimer) clearTimeout(s.idleTimer);
    s.idleTimer = null;
  };
  const arm = (s: Session) => {
    disarm(s);
    s.idleTimer = setTimeout(() => {
      log(`connection ${s.id} held the store ${db.isInTransaction() ? 'in a transaction' : 'inside a statement'} for ${Math.round(idleMs / 1000)} s without a word: closed, its work rolled back`);
      s.socket.destroy();
    }, idleMs);
    s.idleTimer.unref();
  };

  /** Splits what arrived into whole messages; answers SSL/GSS requests (no) and drops cancel requests (nothing to cancel). */
  function parse(s: Session): void {
    for (;;) {
      if (!s.started) {
        s.need = 8;
        if (s.buffer.length < 8) return;
        const length = s.buffer.readInt32BE(0);
        const code = s.buffer.readInt32BE(4);
        if ((code === SSL_REQUEST || code === GSSENC_REQUEST) && length === 8) {
          s.socket.write('N');
          s.buffer = s.buffer.subarray(8);
          continue;
        }
        if (code === CANCEL_REQUEST) {
          s.socket.destroy();
          return;
        }
        if (length < 8 || length > 10_000) {
          s.socket.destroy();
          return;
        }
        s.need = length;
        if (s.buffer.length < length) return;
        s.pending.push({ startup: true, type: 0, data: new Uint8Array(s.buffer.subarray(0, length)) });
        s.buffer = s.buffer.subarray(length);
        s.started = true;
        continue;
      }
      s.need = 5;
      if (s.buffer.length < 5) return;
      const total = 1 + s.buffer.readInt32BE(1);
      if (total < 5) {
        s.socket.destroy();
        return;
      }
      s.need = total;
      if (s.buffer.length < total) return;
      s.pending.push({ startup: false, type: s.buffer[0] ?? 0, data: new Uint8Array(s.buffer.subarray(0, total)) });
      s.buffer = s.buffer.subarray(total);
    }
  }

  // PGlite hands out views of a buffer it reuses: copy before the socket queues them.
  const write = (s: Session) => (data: Uint8Array) => {
    if (!s.closed && s.socket.writable && data.length > 0) s.socket.write(Buffer.from(data));
  };

  const endsUnit = (m: Message) => m.type === 0x53 /* S: Sync */ || m.type === 0x51; /* Q: Query */
  /**
   * The connection's next messages that PGlite runs in one call, as a server reads them from one socket: up to and
   * including the one that ends a unit (Sync, Query), or all that arrived of an unfinished unit. A startup message and
   * a Terminate go alone. Null when nothing waits.
   */
  function takeUnit(s: Session): Message[] | null {
    const first = s.pending[0];
    if (!first) return null;
    let n = 1;
    if (!first.startup && first.type !== 0x58 && !endsUnit(first)) {
      while (n < s.pending.length) {
        const m = s.pending[n]!;
        if (m.startup || m.type === 0x58) break;
        n += 1;
        if (endsUnit(m)) break;
      }
    }
    return s.pending.splice(0, n);
  }

  /** Ends what a vanished owner left open: an unfinished unit, then its transaction. */
  async function cleanUp(s: Session): Promise<void> {
    try {
      if (s.midUnit) await db.execProtocolRawStream(SYNC, { onRawData: () => undefined });
      if (db.isInTransaction()) await db.exec('ROLLBACK');
    } catch (err) {
      log(`could not roll back connection ${s.id}'s work: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async function loop(): Promise<void> {
    for (;;) {
      if (!owner) {
        owner = waiting.shift() ?? null;
        if (!owner) return;
      }
      const s = owner;
      if (s.closed) {
        await cleanUp(s);
        owner = null;
        continue;
      }
      const batch = takeUnit(s);
      if (!batch) {
        if (s.midUnit || db.isInTransaction()) {
          // Keep the backend for this connection until it finishes; its next message restarts the loop.
          arm(s);
          return;
        }
        owner = null;
        continue;
      }
      disarm(s);
      const last = batch[batch.length - 1]!;
      if (last.type === 0x58 /* X: Terminate */) {
        s.socket.end();
        continue;
      }
      // What PGlite answers to the whole batch leaves in one write (a statement's ParseComplete, BindComplete, rows,
      // CommandComplete and ReadyForQuery were one write each, each waking the client).
      s.socket.cork();
      try {
        await db.execProtocolRawStream(batch.length === 1 ? last.data : Buffer.concat(batch.map((m) => m.data)), { onRawData: write(s) });
      } catch (err) {
        log(`connection ${s.id}: ${err instanceof Error ? err.message : String(err)}`);
        s.socket.destroy();
        s.closed = true;
        continue;
      } finally {
        s.socket.uncork();
      }
      lastMessageAt = Date.now();
      changedSinceMaintenance = true;
      s.midUnit = !(last.startup || endsUnit(last));
      if (!s.midUnit && !db.isInTransaction() && waiting.length > 0) {
        // A unit is done and nothing is open: let the next connection in; this one queues again if it has more.
        owner = null;
        if (s.pending.length > 0) waiting.push(s);
      }
    }
  }

  function kick(): void {
    running ??= loop()
      .catch((err: unknown) => log(`store server: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        running = null;
        if ((owner && owner.pending.length > 0) || (owner?.closed ?? false) || (!owner && waiting.length > 0)) kick();
      });
  }

  /** VACUUM (ANALYZE) of each due table, stopping as soon as a client waits (it is served before the next table). */
  async function maintain(onTable?: (table: string, ms: number) => void): Promise<void> {
    const due = await db.query<{ name: string }>(DUE_TABLES);
    for (const { name } of due.rows) {
      // PGlite runs a statement without returning to the event loop: let what clients sent meanwhile be read first.
      await new Promise((resolve) => setImmediate(resolve));
      if (waiting.length > 0 || stopped) {
        changedSinceMaintenance = true;
        return;
      }
      const started = performance.now();
      await db.exec(`VACUUM (ANALYZE) ${name}`);
      onTable?.(name, performance.now() - started);
    }
  }

  const maintenance = opts.maintenance;
  const maintenanceTimer = maintenance
    ? setInterval(
        () => {
          if (!changedSinceMaintenance || running || owner || waiting.length > 0 || stopped || db.isInTransaction()) return;
          if (Date.now() - lastMessageAt < maintenance.idleMs) return;
          changedSinceMaintenance = false;
          running = maintain(maintenance.onTable)
            .catch((err: unknown) => log(`store maintenance: ${err instanceof Error ? err.message : String(err)}`))
            .finally(() => {
              running = null;
              if (waiting.length > 0) kick();
            });
        },
        Math.max(50, Math.min(1_000, Math.floor(maintenance.idleMs / 4))),
      )
    : null;
  maintenanceTimer?.unref();

  function want(s: Session): void {
    if (owner !== s && !waiting.includes(s)) waiting.push(s);
    kick();
  }

  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    const s: Session = { id: nextId++, socket, buffer: Buffer.alloc(0), later: [], laterLength: 0, need: 8, started: false, pending: [], midUnit: false, closed: false, idleTimer: null };
    sessions.add(s);
    socket.on('data', (chunk) => {
      if (s.buffer.length === 0) s.buffer = chunk;
      else {
        // A large message (a batch of a million bytes) comes in many chunks: they wait in a list and are joined once,
        // when the message is whole, rather than the part received so far being copied again for every chunk.
        s.later.push(chunk);
        s.laterLength += chunk.length;
        if (s.buffer.length + s.laterLength < s.need) return;
        s.buffer = Buffer.concat([s.buffer, ...s.later], s.buffer.length + s.laterLength);
        s.later = [];
        s.laterLength = 0;
      }
      parse(s);
      if (s.pending.length > 0) want(s);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      s.closed = true;
      disarm(s);
      sessions.delete(s);
      s.pending = [];
      const i = waiting.indexOf(s);
      if (i >= 0) waiting.splice(i, 1);
      if (owner === s) kick();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if ('path' in opts.listen) server.listen(opts.listen.path, done);
    else server.listen(opts.listen.port, opts.listen.host ?? '127.0.0.1', done);
  });
  const address = server.address();

  return {
    port: address && typeof address === 'object' ? address.port : null,
    connections: () => sessions.size,
    async stop() {
      stopped = true;
      if (maintenanceTimer) clearInterval(maintenanceTimer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sessions) s.socket.destroy();
      });
      while (running) await running;
    },
  };
}

/** WEFT_PGLITE_VACUUM_IDLE_MS (default 5000; 0: never vacuum): whole milliseconds, or the store refuses to start. */
export function vacuumIdle(value: string | undefined): number {
  if (value === undefined) return 5_000;
  if (!/^(0|[1-9][0-9]{0,8})$/.test(value)) throw new Error(`WEFT_PGLITE_VACUUM_IDLE_MS must be whole milliseconds (0 to never vacuum), not ${JSON.stringify(value)}.`);
  return Number(value);
}
