// The web app's JavaScript weight: what a first visit downloads before anything is shown, and what loads later.
// Run with `npm run bench:bundle` (builds with Vite first; `--no-build` reads dist/web as it is). Prints figures.
// With `--budget <KB>` it exits 1 when the initial JavaScript is heavier than that: `npm run test:e2e` runs it after
// its build, so a page or library that slips into the first load fails CI instead of going unnoticed.
// Initial = the entry script and every chunk index.html preloads; lazy = every other chunk. It also prints what the
// first page loads beside its first request: the route contracts' chunk (web/api-contracts.ts: zod and the schemas
// that parse the answers), which web/api.ts starts loading as soon as it runs (docs/architecture.md, "The web client's
// two halves").
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const DIST = 'dist/web';
/** The target the issue set for the initial JavaScript, gzipped. */
const TARGET_KB = 110;

interface Chunk {
  file: string;
  raw: number;
  gzip: number;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function measure(file: string): Chunk {
  const bytes = readFileSync(join(DIST, file));
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** The scripts index.html loads at once: its module entry and the chunks it preloads. */
function initialFiles(html: string): Set<string> {
  const files = new Set<string>();
  for (const m of html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="\/?([^"]+\.js)"/g)) files.add(m[1] as string);
  return files;
}

function table(title: string, chunks: Chunk[]) {
  console.log(`\n${title}`);
  for (const c of [...chunks].sort((a, b) => b.gzip - a.gzip)) console.log(`  ${c.file.padEnd(48)} ${kb(c.raw).padStart(11)} raw ${kb(c.gzip).padStart(10)} gzip`);
  const raw = chunks.reduce((s, c) => s + c.raw, 0);
  const gzip = chunks.reduce((s, c) => s + c.gzip, 0);
  console.log(`  ${'total'.padEnd(48)} ${kb(raw).padStart(11)} raw ${kb(gzip).padStart(10)} gzip`);
  return gzip;
}

if (!process.argv.includes('--no-build')) await build({ configFile: 'vite.config.ts', logLevel: 'error' });

const initial = initialFiles(readFileSync(join(DIST, 'index.html'), 'utf8'));
const all = readdirSync(join(DIST, 'assets'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => `assets/${f}`);
const initialGzip = table('Initial JavaScript (loaded by index.html)', all.filter((f) => initial.has(f)).map(measure));
table('Lazy JavaScript (loaded when needed)', all.filter((f) => !initial.has(f)).map(measure));

/** A chunk and every chunk it imports statically (`import … from "./x.js"`), transitively. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(join(DIST, file), 'utf8');
  for (const m of code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]*?from\s*)?"\.\/([\w.-]+\.js)"/g)) closure(`assets/${m[1]}`, seen);
  return seen;
}
const contracts = all.find((f) => /^assets\/(api-)?contracts-/.test(f));
const beside = contracts ? [...closure(contracts)].filter((f) => !initial.has(f)) : [];
const besideGzip = beside.reduce((sum, f) => sum + measure(f).gzip, 0);
console.log(`\nInitial JS: ${kb(initialGzip)} gzipped (target ~${TARGET_KB} KB)`);
if (contracts) console.log(`Loaded beside the first request (route contracts, zod): ${kb(besideGzip)} gzipped in ${beside.length} chunks`);

const budgetAt = process.argv.indexOf('--budget');
if (budgetAt >= 0) {
  const budget = Number(process.argv[budgetAt + 1]);
  if (!Number.isFinite(budget) || budget <= 0) throw new Error('--budget needs a size in KB, e.g. --budget 90');
  if (initialGzip > budget * 1024) {
    console.error(`Initial JS is ${kb(initialGzip)} gzipped, over the budget of ${budget} KB: lazy-load the new page or library (React.lazy, import()).`);
    process.exit(1);
  }
  console.log(`Within the budget of ${budget} KB.`);
}
