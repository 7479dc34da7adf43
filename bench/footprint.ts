// Footprint: the memory `npm start` holds, process by process, as a person meets it: a first start on an empty data
// folder (Temporal dev server, PGlite store with its initdb, migrations, the demo seed), idle after it, a 100 MB CSV
// uploaded and previewed (plain, then with a filter that keeps no row, so the preview reads on to its bounds), and a
// second start on the warm data folder (its start time too). Each process's RSS is sampled every 100 ms from /proc;
// peaks are the kernel's high-water marks (VmHWM) where the process is still there to ask, else the largest sample.
// Runs what `npm start` runs (dist/server/main.mjs, built first, with the start script's node flags and environment
// settings from package.json) on its own free ports and data folder, 127.0.0.1 only,
// and stops by itself. Env: BENCH_FILE_MB (default 100), BENCH_WEB_BUILD=1 to include a web build in the first start.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { npmScriptCommand } from './npm-script';
import { freePort } from '../runtime/temporal/dev-server';

const ROOT = resolve(import.meta.dirname, '..');
const WORK = join(ROOT, '.tmp', `bench-footprint-${process.pid}`);
const FILE_MB = Number(process.env.BENCH_FILE_MB ?? 100);
const EMAIL = 'owner@footprint.test';
const PASSWORD = 'footprint-bench-1';
const log = (m: string) => console.log(`[bench:footprint] ${m}`);
const MB = (kb: number) => `${Math.round(kb / 1024)} MB`;

setTimeout(() => {
  console.error('[bench:footprint] deadline (15 min) passed; exiting.');
  process.exit(2);
}, 15 * 60_000).unref();

/** pid -> parent pid and a short name, for every process now. */
function processTable(): Map<number, { ppid: number; cmd: string }> {
  const table = new Map<number, { ppid: number; cmd: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      table.set(Number(entry), { ppid, cmd });
    } catch {
      // gone between readdir and read
    }
  }
  return table;
}

function role(cmd: string): string {
  if (cmd.includes('pglite-main')) return 'store (PGlite)';
  if (cmd.includes('temporal') && cmd.includes('start-dev')) return 'Temporal dev server';
  if (cmd.includes('dist/server/main.mjs')) return 'Weft (API + worker)';
  if (cmd.includes('vite')) return 'web build (vite)';
  if (cmd.includes('bundle-child')) return 'workflow bundle';
  if (cmd.includes('esbuild')) return 'esbuild';
  return cmd.split(' ').slice(0, 2).join(' ').slice(0, 40);
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Whether a store process is the one-shot one that creates the database (pglite-process.ts). */
function initOnly(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes('WEFT_PGLITE_INIT_ONLY=1');
  } catch {
    return false;
  }
}

/** Samples the tree under `root` until stopped: per role the largest RSS seen, and the largest sum over the tree. */
class Sampler {
  peaks = new Map<string, number>();
  peakSum = 0;
  peakSumNoTemporal = 0;
  /** What each process held at the moment of the largest sum (a store process creating the database is marked). */
  atPeak = '';
  private pids = new Map<number, string>();
  private timer: NodeJS.Timeout;
  constructor(private root: number) {
    this.timer = setInterval(() => this.sample(), 100);
    this.sample();
  }
  tree(): Map<number, string> {
    const table = processTable();
    const out = new Map<number, string>();
    const walk = (pid: number) => {
      const p = table.get(pid);
      if (!p) return;
      out.set(pid, role(p.cmd));
      for (const [child, c] of table) if (c.ppid === pid) walk(child);
    };
    walk(this.root);
    return out;
  }
  sample(): void {
    const tree = this.tree();
    let sum = 0;
    let sumNoTemporal = 0;
    const parts: string[] = [];
    for (const [pid, name] of tree) {
      this.pids.set(pid, name);
      const rss = statusKb(pid, 'VmRSS');
      if (rss > 0) parts.push(`${name}${name.startsWith('store') && initOnly(pid) ? ' creating the database' : ''} ${MB(rss)}`);
      sum += rss;
      if (name !== 'Temporal dev server') sumNoTemporal += rss;
      this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, rss, statusKb(pid, 'VmHWM')));
    }
    if (sum > this.peakSum) this.atPeak = `${MB(sum)} = ${parts.join(' + ')}`;
    this.peakSum = Math.max(this.peakSum, sum);
    this.peakSumNoTemporal = Math.max(this.peakSumNoTemporal, sumNoTemporal);
  }
  now(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [pid, name] of this.tree()) out.set(name, (out.get(name) ?? 0) + statusKb(pid, 'VmRSS'));
    return out;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

interface Weft {
  child: ChildProcess;
  base: string;
  output: string[];
}

async function startWeft(dataDir: string, ports: { http: number; temporal: number; ui: number }): Promise<{ weft: Weft; readyMs: number; sampler: Sampler }> {
  const started = performance.now();
  const start = npmScriptCommand('start');
  const child = spawn(process.execPath, [...start.flags, join(ROOT, 'dist/server/main.mjs')], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...start.env,
      PORT: String(ports.http),
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      WEFT_DATA_DIR: dataDir,
      WEFT_OWNER_EMAIL: EMAIL,
      WEFT_OWNER_PASSWORD: PASSWORD,
      WEFT_WEB_BUILD: process.env.BENCH_WEB_BUILD ? 'auto' : 'never',
      WEFT_MAX_UPLOAD_MB: String(FILE_MB * 2),
      TEMPORAL_ADDRESS: '',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampler = new Sampler(child.pid!);
  const weft: Weft = { child, base: `http://127.0.0.1:${ports.http}`, output: [] };
  const ready = new Promise<void>((resolveReady, reject) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      weft.output.push(text);
      if (text.includes('Weft is ready at')) resolveReady();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`Weft exited (${code}) before it was ready:\n${weft.output.join('').slice(-2000)}`)));
  });
  await ready;
  return { weft, readyMs: performance.now() - started, sampler };
}

async function stopWeft(weft: Weft): Promise<void> {
  weft.child.kill('SIGTERM');
  const exited = once(weft.child, 'exit');
  const timeout = new Promise((r) => setTimeout(r, 30_000));
  await Promise.race([exited, timeout]);
  if (weft.child.exitCode === null) weft.child.kill('SIGKILL');
}

async function signIn(base: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const session = (await res.json()) as { csrfToken?: string };
  return JSON.stringify({ cookie, csrf: session.csrfToken ?? '' });
}

async function writeCsv(path: string, megabytes: number): Promise<number> {
  const out = createWriteStream(path);
  out.write('id,name,email,city,country,amount,created_at,active,score,note\n');
  let rows = 0;
  let bytes = 0;
  while (bytes < megabytes * 1024 * 1024) {
    const chunk: string[] = [];
    for (let i = 0; i < 10_000; i++, rows++) {
      chunk.push(`${rows + 1},Customer ${rows},c${rows}@example.com,City ${rows % 997},Country ${rows % 41},${(rows % 100_000) / 100},2026-0${1 + (rows % 9)}-1${rows % 10}T10:00:00Z,${rows % 2 === 0},${rows % 1000},"a note, with a comma ${rows}"\n`);
    }
    const text = chunk.join('');
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return rows;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

async function main() {
  if (!existsSync(join(ROOT, 'dist/web/index.html')) && !process.env.BENCH_WEB_BUILD) {
    log('dist/web is missing: building the web app first (not measured)');
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  }
  log('building the server as `npm start` does (esbuild → dist/server/main.mjs)');
  execFileSync('npm', ['run', '-s', 'build:server'], { cwd: ROOT, stdio: 'inherit' });
  await rm(WORK, { recursive: true, force: true });
  await mkdir(WORK, { recursive: true });
  const dataDir = join(WORK, 'data');
  const ports = { http: await freePort(), temporal: await freePort(), ui: await freePort() };
  const csv = join(WORK, 'big.csv');
  const rows = await writeCsv(csv, FILE_MB);
  log(`wrote ${MB(statSync(csv).size / 1024)} CSV, ${rows.toLocaleString('en-US')} rows`);

  const report: string[][] = [['phase', 'Weft (API + worker)', 'store (PGlite)', 'Temporal dev server', 'others', 'sum without Temporal', 'sum']];
  const addRow = (phase: string, byRole: Map<string, number>, sums?: { all: number; noTemporal: number }) => {
    const known = ['Weft (API + worker)', 'store (PGlite)', 'Temporal dev server'];
    const others = [...byRole].filter(([k]) => !known.includes(k)).reduce((s, [, v]) => s + v, 0);
    const all = sums?.all ?? [...byRole.values()].reduce((s, v) => s + v, 0);
    const noTemporal = sums?.noTemporal ?? all - (byRole.get('Temporal dev server') ?? 0);
    report.push([phase, ...known.map((k) => MB(byRole.get(k) ?? 0)), MB(others), MB(noTemporal), MB(all)]);
  };

  // 1. First start on an empty data folder.
  log('first start (empty data folder)…');
  const first = await startWeft(dataDir, ports);
  log(`ready in ${(first.readyMs / 1000).toFixed(1)} s; the largest sum: ${first.sampler.atPeak}`);
  addRow('peak during first start', first.sampler.peaks, { all: first.sampler.peakSum, noTemporal: first.sampler.peakSumNoTemporal });
  await new Promise((r) => setTimeout(r, 20_000));
  addRow('idle 20 s after first start', first.sampler.now());

  // 2. Upload and preview a large file.
  const auth = JSON.parse(await signIn(first.weft.base)) as { cookie: string; csrf: string };
  const headers = { cookie: auth.cookie, origin: first.weft.base, ...(auth.csrf ? { 'x-csrf-token': auth.csrf } : {}) };
  first.sampler.peaks.clear();
  first.sampler.peakSum = 0;
  first.sampler.peakSumNoTemporal = 0;
  const uploadStarted = performance.now();
  const { openAsBlob } = await import('node:fs');
  const upload = await fetch(`${first.weft.base}/api/files?name=big.csv`, { method: 'POST', headers: { ...headers, 'content-type': 'text/csv' }, body: await openAsBlob(csv) });
  if (upload.status !== 201) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
  const file = (await upload.json()) as { id: string };
  const uploadMs = performance.now() - uploadStarted;
  const previewStarted = performance.now();
  const plain = await fetch(`${first.weft.base}/api/files/${file.id}/preview`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
  if (!plain.ok) throw new Error(`preview: ${plain.status} ${await plain.text()}`);
  const filtered = await fetch(`${first.weft.base}/api/files/${file.id}/preview`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '[id] < 0' }),
  });
  if (!filtered.ok) throw new Error(`filtered preview: ${filtered.status} ${await filtered.text()}`);
  const previewMs = performance.now() - previewStarted;
  first.sampler.sample();
  // The kernel's high-water marks include the first start; the samples taken since the reset do not.
  const uploadPeaks = new Map(first.sampler.peaks);
  for (const [pid, name] of first.sampler.tree()) uploadPeaks.set(name, Math.max(uploadPeaks.get(name) ?? 0, statusKb(pid, 'VmRSS')));
  addRow(`upload ${FILE_MB} MB + 2 previews (sampled)`, uploadPeaks, { all: first.sampler.peakSum, noTemporal: first.sampler.peakSumNoTemporal });
  log(`upload ${(uploadMs / 1000).toFixed(1)} s, previews ${(previewMs / 1000).toFixed(1)} s`);
  await new Promise((r) => setTimeout(r, 10_000));
  addRow('idle 10 s after the upload', first.sampler.now());
  first.sampler.stop();
  await stopWeft(first.weft);

  // 3. A second start on the warm data folder.
  log('second start (warm data folder)…');
  const second = await startWeft(dataDir, ports);
  log(`ready in ${(second.readyMs / 1000).toFixed(1)} s; the largest sum: ${second.sampler.atPeak}`);
  addRow('peak during warm start', second.sampler.peaks, { all: second.sampler.peakSum, noTemporal: second.sampler.peakSumNoTemporal });
  await new Promise((r) => setTimeout(r, 20_000));
  addRow('idle 20 s after warm start', second.sampler.now());
  second.sampler.stop();
  await stopWeft(second.weft);
  await rm(WORK, { recursive: true, force: true });

  console.log('');
  console.log(table(report));
  console.log('');
  console.log(`first start ready in ${(first.readyMs / 1000).toFixed(1)} s; warm start ready in ${(second.readyMs / 1000).toFixed(1)} s`);
  console.log(`targets (issue #16): idle < 250 MB, peak during a first start and a ${FILE_MB} MB upload + preview < 500 MB`);
}

main().catch((err: unknown) => {
  console.error(`[bench:footprint] ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
