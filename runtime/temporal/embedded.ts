// The embedded Temporal dev server as `npm start` keeps it: recorded in the data folder, adopted after a crash
// of Weft, and restarted (with backoff) when it dies, on the same ports and database so runs in flight continue.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HOST, isReady, portOpen, startDevServer, type DevServer, type Log } from './dev-server';
import { describeProcess, findPortHolder, isAlive, readCmdline } from './processes';

/** What `<dataDir>/temporal-dev-server.json` holds: enough to recognise the process again after Weft dies. */
export interface DevServerRecord {
  pid: number;
  argv: string[];
  dbFile: string;
  port: number;
  uiPort: number;
  startedAt: string;
}

export const recordPath = (dataDir: string) => join(dataDir, 'temporal-dev-server.json');

export async function readRecord(dataDir: string): Promise<DevServerRecord | null> {
  try {
    const r = JSON.parse(await readFile(recordPath(dataDir), 'utf8')) as Partial<DevServerRecord>;
    if (typeof r.pid !== 'number' || !Array.isArray(r.argv) || typeof r.dbFile !== 'string') return null;
    return r as DevServerRecord;
  } catch {
    return null;
  }
}

const sameArgv = (a: readonly string[] | null, b: readonly string[]) => !!a && a.length === b.length && a.every((x, i) => x === b[i]);

/** A `temporal server start-dev` whose database is `dbFile`: this data folder's own server, whoever started it. */
export function isDevServerOf(argv: readonly string[] | null, dbFile: string): boolean {
  if (!argv?.includes('start-dev')) return false;
  const i = argv.indexOf('--db-filename');
  return i >= 0 && argv[i + 1] === dbFile;
}

export interface EmbeddedTemporalOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  projectDir?: string;
  log: Log;
  /** Restart backoff (tests shorten it): first delay and cap. */
  backoff?: { initialMs: number; maxMs: number };
  /** After this many failed restarts in a row, say loudly that runs are waiting (default 5). */
  alarmAfter?: number;
  startTimeoutMs?: number;
}

export interface EmbeddedTemporal {
  address: string;
  uiAddress: string;
  /** The server's pid now (it changes when it is restarted). */
  pid(): number;
  /** 'up' while a server runs; 'restarting' between its death and its return. */
  state(): 'up' | 'restarting';
  /** How the current server came to be: started by this process, or adopted from an earlier one. */
  origin(): 'started' | 'adopted';
  /** Times the server was restarted after dying. */
  restarts(): number;
  stop(): Promise<void>;
}

interface Running {
  pid: number;
  adopted: boolean;
  exited: Promise<string>;
  stop(): Promise<void>;
}

/** Waits without keeping the process alive (the supervisor's backoff must not hold a stopping Weft). */
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
/** Waits, keeping the process alive: stopping a server must finish before the process may exit. */
const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A server we did not spawn (adopted): its end is noticed by polling, and it is stopped through its process group. */
function adopted(pid: number, pollMs = 500): Running {
  const exited = new Promise<string>((resolve) => {
    const timer = setInterval(() => {
      if (!isAlive(pid)) {
        clearInterval(timer);
        resolve('it exited');
      }
    }, pollMs);
    timer.unref();
  });
  return { pid, adopted: true, exited, stop: () => stopPid(pid) };
}

/** SIGTERM to the process group (the CLI runs detached, so its pid is its group), SIGKILL after 5 s. */
export async function stopPid(pid: number, graceMs = 5_000): Promise<void> {
  const send = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  if (!isAlive(pid)) return;
  send('SIGTERM');
  const until = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < until) await pause(100);
  if (isAlive(pid)) {
    send('SIGKILL');
    for (let i = 0; isAlive(pid) && i < 100; i++) await pause(50);
  }
}

function fromChild(server: DevServer): Running {
  return {
    pid: server.pid,
    adopted: false,
    exited: server.exited.then(({ code, signal }) => (signal ? `it was killed by ${signal}` : `it exited with code ${code}`)),
    stop: () => server.stop(),
  };
}

/**
 * Starts (or adopts) the data folder's dev server and keeps it running until `stop()`.
 * Adopts a server this data folder started before (same command line as recorded, or any `start-dev` on this
 * database file) when it serves the configured ports; stops it and starts afresh when the ports changed.
 * A port held by anything else stops the start with the holder's pid and command and what to do.
 */
export async function startEmbeddedTemporal(opts: EmbeddedTemporalOptions): Promise<EmbeddedTemporal> {
  const dbFile = join(opts.dataDir, 'temporal.db');
  const address = `${HOST}:${opts.port}`;
  const uiAddress = `${HOST}:${opts.uiPort}`;
  const backoff = opts.backoff ?? { initialMs: 1_000, maxMs: 30_000 };
  const alarmAfter = opts.alarmAfter ?? 5;
  const log = opts.log;

  const writeRecord = (r: DevServerRecord) => writeFile(recordPath(opts.dataDir), `${JSON.stringify(r, null, 2)}\n`);

  /** Our own server from an earlier Weft: adopt it when it serves our ports, else stop it. Null when there is none. */
  async function adoptOrStop(pid: number, argv: string[]): Promise<Running | null> {
    const servesOurPorts = argv[argv.indexOf('--port') + 1] === String(opts.port) && argv[argv.indexOf('--ui-port') + 1] === String(opts.uiPort);
    if (servesOurPorts && (await isReady(address, ['default']))) {
      log(`Adopting the Temporal dev server an earlier Weft left running (pid ${pid}, ${dbFile}).`);
      await writeRecord({ pid, argv, dbFile, port: opts.port, uiPort: opts.uiPort, startedAt: new Date().toISOString() });
      return adopted(pid);
    }
    log(`Stopping the Temporal dev server an earlier Weft left running (pid ${pid}): ${servesOurPorts ? 'it does not answer' : 'its ports differ from TEMPORAL_PORT/TEMPORAL_UI_PORT'}.`);
    await stopPid(pid);
    return null;
  }

  async function launch(first: boolean): Promise<Running> {
    if (first) {
      const record = await readRecord(opts.dataDir);
      if (record && isAlive(record.pid) && sameArgv(await readCmdline(record.pid), record.argv)) {
        const kept = await adoptOrStop(record.pid, record.argv);
        if (kept) return kept;
      }
    }
    for (const [what, port] of [['gRPC', opts.port], ['UI', opts.uiPort]] as const) {
      if (!(await portOpen(HOST, port))) continue;
      const holder = await findPortHolder(port);
      if (holder && isDevServerOf(holder.argv, dbFile) && holder.argv) {
        // Ours without a record (the record was lost, or written by a Weft that died while starting).
        const kept = await adoptOrStop(holder.pid, holder.argv);
        if (kept) return kept;
        continue;
      }
      const who = holder ? describeProcess(holder) : 'a process this user cannot inspect';
      throw new Error(
        `The Temporal ${what} port ${HOST}:${port} is already in use by ${who}, which is not this Weft's dev server (its database would be ${dbFile}). ` +
          `Stop that process, or start Weft with other ports (TEMPORAL_PORT / TEMPORAL_UI_PORT), or set TEMPORAL_ADDRESS to use a Temporal server that is already running.`,
      );
    }
    const server = await startDevServer({
      dbFile,
      port: opts.port,
      uiPort: opts.uiPort,
      projectDir: opts.projectDir,
      startTimeoutMs: opts.startTimeoutMs,
      // Not a pipe: the server may outlive this process, and a write to a dead parent's pipe would kill it.
      logFile: join(opts.dataDir, 'temporal-dev-server.log'),
    });
    await writeRecord({ pid: server.pid, argv: [...server.argv], dbFile, port: opts.port, uiPort: opts.uiPort, startedAt: new Date().toISOString() });
    return fromChild(server);
  }

  let current = await launch(true);
  let state: 'up' | 'restarting' = 'up';
  let restarts = 0;
  let stopping = false;

  const supervise = async () => {
    for (;;) {
      const how = await current.exited;
      if (stopping) return;
      state = 'restarting';
      log(`The Temporal dev server (pid ${current.pid}) stopped: ${how}. Restarting it on ${address}; runs in flight continue when it is back.`);
      for (let failures = 0; ; ) {
        await sleep(Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failures, 16)));
        if (stopping) return;
        try {
          current = await launch(false);
          restarts++;
          state = 'up';
          log(`Temporal is back at ${address} (pid ${current.pid}).`);
          break;
        } catch (err) {
          failures++;
          const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
          if (failures === alarmAfter || (failures > alarmAfter && failures % 10 === 0)) {
            log(
              `The Temporal dev server has failed to restart ${failures} times in a row (last: ${reason}). Runs are paused, not lost: ` +
                `they continue once it starts. Still retrying every ${Math.round(backoff.maxMs / 1000)} s; check the disk and ${dbFile}, or stop Weft and start it again.`,
            );
          } else if (failures < alarmAfter) {
            log(`Restarting the Temporal dev server failed (attempt ${failures}): ${reason}`);
          }
        }
      }
    }
  };
  void supervise();

  return {
    address,
    uiAddress,
    pid: () => current.pid,
    state: () => state,
    origin: () => (current.adopted ? 'adopted' : 'started'),
    restarts: () => restarts,
    async stop() {
      stopping = true;
      await current.stop();
      await rm(recordPath(opts.dataDir), { force: true });
      // The supervisor sees `stopping` and returns by itself; waiting for it here could only hold the exit up.
    },
  };
}
