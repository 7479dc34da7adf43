// Run by runtime/idle-gc.test.ts as `node --expose-gc --import tsx test/support/idle-gc-child.ts <idle|busy>`, the way
// `npm start` and the store process run: prints what the idle collector did as one line of JSON.
import { getHeapSpaceStatistics } from 'node:v8';
import { runInNewContext, runInThisContext } from 'node:vm';
import { startIdleCollector } from '../../runtime/idle-gc';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mode = process.argv[2];
const seen = { globalGc: typeof (globalThis as { gc?: unknown }).gc, contextGc: runInNewContext('typeof gc') as string };

if (mode === 'idle') {
  let garbage: { i: number; s: string }[] | null = [];
  for (let i = 0; i < 400_000; i++) garbage.push({ i, s: `row ${i}` });
  const before = process.memoryUsage().heapUsed;
  garbage = null;
  const collector = startIdleCollector({ intervalMs: 100, growthBytes: 1024 * 1024, idleBelow: 0.9 });
  for (let i = 0; i < 30 && collector.collections() === 0; i++) await sleep(100);
  collector.stop();
  console.log(JSON.stringify({ ...seen, collections: collector.collections(), freedBytes: before - process.memoryUsage().heapUsed }));
} else if (mode === 'defaults') {
  // The collector as npm start runs it (no options): 3 MB of leftovers are collected within ~2 s of quiet.
  let garbage: { i: number; s: string }[] | null = [];
  for (let i = 0; i < 60_000; i++) garbage.push({ i, s: `row ${i}` });
  const collector = startIdleCollector();
  const before = process.memoryUsage().heapUsed;
  garbage = null;
  const started = Date.now();
  while (Date.now() - started < 4_000 && collector.collections() === 0) await sleep(100);
  collector.stop();
  console.log(JSON.stringify({ ...seen, collections: collector.collections(), freedBytes: before - process.memoryUsage().heapUsed, afterMs: Date.now() - started }));
} else if (mode === 'young') {
  // A burst of short-lived objects with some surviving (a preview's rows) grows V8's new space to its most (8 MB
  // under --max-semi-space-size=4); the collector as npm start runs it gives it back once the process stays quiet.
  const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;
  const keep: { i: number; s: string }[][] = [];
  for (let round = 0; round < 40; round++) {
    const batch: { i: number; s: string }[] = [];
    for (let i = 0; i < 20_000; i++) batch.push({ i, s: `row ${round} ${i}` });
    keep.push(batch);
    if (keep.length > 4) keep.shift();
  }
  keep.length = 0;
  const grown = newSpace();
  const collector = startIdleCollector();
  const started = Date.now();
  while (Date.now() - started < 12_000 && collector.shrinks() === 0) await sleep(100);
  collector.stop();
  console.log(JSON.stringify({ ...seen, collections: collector.collections(), shrinks: collector.shrinks(), grown, after: newSpace(), afterMs: Date.now() - started }));
} else if (mode === 'start-code' || mode === 'start-code-kept') {
  // A start: code run once (module bodies, migrations) keeps its bytecode. The first long quiet spell drops it, once;
  // the functions still work (compiled again when called).
  const body = Array.from({ length: 3_000 }, (_, i) => `function f${i}(a, b) { const x = a * ${i} + b; if (x > ${i}) return [x, 'r${i}', { k: x }]; return { x, s: 's${i}' }; }`).join('\n');
  const functions = runInThisContext(`(() => {\n${body}\nreturn [${Array.from({ length: 3_000 }, (_, i) => `f${i}`).join(', ')}];\n})()`) as ((a: number, b: number) => unknown)[];
  for (const f of functions) f(1, 2);
  let garbage: { i: number; s: string }[] | null = [];
  for (let i = 0; i < 60_000; i++) garbage.push({ i, s: `row ${i}` });
  garbage = null;
  const collector = startIdleCollector({ flushStartCode: mode === 'start-code' });
  const started = Date.now();
  while (Date.now() - started < 4_000 && collector.collections() === 0) await sleep(100);
  const afterCollection = process.memoryUsage().heapUsed;
  while (Date.now() - started < 12_000 && collector.shrinks() === 0) await sleep(100);
  const afterShrink = process.memoryUsage().heapUsed;
  // A second long quiet spell: nothing more to drop, no second flush.
  const works = JSON.stringify(functions[2_999]!(5, 1));
  collector.stop();
  console.log(JSON.stringify({ ...seen, collections: collector.collections(), shrinks: collector.shrinks(), freedBytes: afterCollection - afterShrink, works }));
} else if (mode === 'fragmented') {
  // Every tenth object kept: the garbage is spread over every page. The collection gives the pages back (compacted).
  const keep: { i: number; s: string }[] = [];
  let junk: { i: number; s: string }[] | null = [];
  for (let i = 0; i < 300_000; i++) (i % 10 === 0 ? keep : junk).push({ i, s: `x${i}` });
  junk = null;
  const collector = startIdleCollector({ intervalMs: 100, quietIntervals: 1, growthBytes: 1024 * 1024, idleBelow: 0.9 });
  for (let i = 0; i < 30 && collector.collections() === 0; i++) await sleep(100);
  collector.stop();
  const m = process.memoryUsage();
  console.log(JSON.stringify({ ...seen, collections: collector.collections(), slackBytes: m.heapTotal - m.heapUsed, kept: keep.length }));
} else if (mode === 'stretched') {
  // A loaded machine: the event loop reads busy (blocked without using the CPU, as a descheduled process is) while the
  // process does no work. Its leftovers are still collected.
  let garbage: { i: number; s: string }[] | null = [];
  for (let i = 0; i < 60_000; i++) garbage.push({ i, s: `row ${i}` });
  const collector = startIdleCollector({ intervalMs: 200, quietIntervals: 2 });
  garbage = null;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const started = Date.now();
  while (Date.now() - started < 4_000 && collector.collections() === 0) {
    Atomics.wait(cell, 0, 0, 40);
    await sleep(5);
  }
  collector.stop();
  console.log(JSON.stringify({ ...seen, collections: collector.collections() }));
} else if (mode === 'pages') {
  // The used heap back at its level but the pages grown by 10 MB (V8's own collections in a burst): collected once, and
  // not again while nothing grows.
  let total = 50 * 1024 * 1024;
  const collector = startIdleCollector({ intervalMs: 50, quietIntervals: 2, growthBytes: 2 * 1024 * 1024, idleBelow: 0.9, memoryUsage: () => ({ heapUsed: 40 * 1024 * 1024, heapTotal: total }) });
  for (let i = 0; i < 30 && collector.collections() === 0; i++) await sleep(50);
  const first = collector.collections(); // the first quiet spell collects (nothing collected yet)
  total += 10 * 1024 * 1024;
  for (let i = 0; i < 30 && collector.collections() === first; i++) await sleep(50);
  const second = collector.collections();
  await sleep(500);
  collector.stop();
  console.log(JSON.stringify({ ...seen, collections: collector.collections(), first, second }));
} else {
  // Busy: every interval counts as busy (idleBelow 0), however much the heap grew.
  const collector = startIdleCollector({ intervalMs: 50, growthBytes: 0, idleBelow: 0 });
  const junk: string[] = [];
  const until = Date.now() + 400;
  while (Date.now() < until) {
    junk.push(`x${junk.length}`);
    if (junk.length % 10_000 === 0) await sleep(1);
  }
  collector.stop();
  console.log(JSON.stringify({ ...seen, collections: collector.collections() }));
}
