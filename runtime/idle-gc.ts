// Gives memory back when the process is idle. V8 collects its old generation when it needs room, not when a process
// goes quiet, so what a start, an upload or a preview left behind (10–30 MB in Weft's process) stays in its resident
// size for as long as nothing else happens. Every `intervalMs` (1 s) the collector looks; when the event loop was nearly
// idle for `quietIntervals` looks in a row (2: ~2 s of quiet) and the heap grew by `growthBytes` (2 MB) since the last
// collection — its used size, or the pages V8 holds for it — one full collection runs (20–40 ms at this size, once per quiet spell). It was 5 s and 4 MB: an upload's
// leftovers then stayed for 5–10 s after the last request, and growth under 4 MB stayed for good.
// When the quiet lasts ~6 s more, one more collection gives back the young generation V8 grew for the busy spell (its
// two semi-spaces, 8 MB under npm start's `--max-semi-space-size=4`): V8 shrinks it only at a full collection after 5 s
// of little allocation, which its own memory reducer reaches ~30 s into a quiet spell, and never in a thread it does not run in.
// The process is started with `--expose-gc` (`npm start`, the store process); when first loaded, before any thread or
// context is made, this module keeps `gc` for itself, leaves the global `gc` undefined and switches the flag off, so
// no other code (the workflow sandbox included) sees a collector. Started without the flag, the collector does nothing.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { performance } from 'node:perf_hooks';

const taken: (() => void) | null = takeGc();

function takeGc(): (() => void) | null {
  const global = globalThis as { gc?: unknown };
  if (typeof global.gc !== 'function') return null;
  const gc = global.gc as () => void;
  // The flag makes it writable but not configurable: it cannot be deleted, only overwritten.
  global.gc = undefined;
  setFlagsFromString('--no-expose-gc');
  return gc;
}

/**
 * One full collection that also compacts every page. A plain forced collection frees only pages left empty: after an
 * upload, Weft's heap stayed at 56 MB for 39 MB used. The flag is V8's own and read at each full collection; it is
 * set for this one only (V8's collections in busy times keep their usual, cheaper choice of pages).
 */
function collectCompacting(gc: () => void): void {
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
}

/**
 * Two full collections that drop the bytecode of every function not on the stack (V8's `--stress-flush-code`, set for
 * these two only: V8 otherwise drops a function's bytecode after five full collections without a call). The first
 * replaces the bytecode; the second frees it.
 */
function collectFlushingCode(gc: () => void): void {
  setFlagsFromString('--stress-flush-code');
  try {
    gc();
    gc();
  } finally {
    setFlagsFromString('--no-stress-flush-code');
  }
}

export interface IdleCollectorOptions {
  intervalMs?: number;
  /** Looks in a row the event loop must have been idle for (a pause between two requests is not a quiet spell). */
  quietIntervals?: number;
  growthBytes?: number;
  /** Event loop utilization, or the process's CPU time as a share of the interval (0..1), under which it counts as idle. */
  idleBelow?: number;
  /** The heap's figures (tests); process.memoryUsage by default. */
  memoryUsage?: () => { heapUsed: number; heapTotal: number };
  /**
   * Quiet time after a collection before one more that gives the young generation back (5.2 s, so the next look at ~6 s: V8 needs its two samples 5 s apart; 0: never). V8 shrinks
   * its new space (both semi-spaces, up to 2 x `--max-semi-space-size`) only at a full collection that finds under
   * ~1 MB/s allocated over its last 5 s: never the first collection of a quiet spell, which follows the busy seconds.
   */
  shrinkAfterMs?: number;
  /**
   * Whether the first of those collections also drops the bytecode of every function not running then (true): what
   * the start ran once (module bodies, migrations, the seed; ~5 MB in Weft's process) V8 would drop only after five
   * more full collections. Functions a request needs later are compiled again then, once.
   */
  flushStartCode?: boolean;
  /** The young generation's size now (tests); V8's new space by default. */
  newSpaceBytes?: () => number;
}

/** V8's new space when it is at its smallest (~1 MB): under this, a collection to shrink it gives nothing back. */
const NEW_SPACE_FLOOR = 2 * 1024 * 1024;

function newSpaceSize(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

export interface IdleCollector {
  /** Full collections run so far for what the heap grew by. */
  collections(): number;
  /** Collections run so far to give the young generation back (`shrinkAfterMs`). */
  shrinks(): number;
  stop(): void;
}

export function startIdleCollector(opts: IdleCollectorOptions = {}): IdleCollector {
  const intervalMs = opts.intervalMs ?? 1_000;
  const quietIntervals = Math.max(1, opts.quietIntervals ?? 2);
  const growthBytes = opts.growthBytes ?? 2 * 1024 * 1024;
  const idleBelow = opts.idleBelow ?? 0.05;
  const shrinkAfterMs = opts.shrinkAfterMs ?? 5_200;
  const gc = taken;
  let collections = 0;
  let shrinks = 0;
  if (!gc) return { collections: () => 0, shrinks: () => 0, stop: () => undefined };
  const memory = opts.memoryUsage ?? (() => process.memoryUsage());
  const newSpace = opts.newSpaceBytes ?? newSpaceSize;
  // When the young generation is to be given back: `shrinkAfterMs` of quiet after a collection (null: nothing due).
  let shrinkDue: number | null = null;
  // The start's own code (module bodies, migrations, the seed: run once) goes at the first long quiet spell only.
  let startCodeFlushed = !(opts.flushStartCode ?? true);
  // The heap after the last collection: its live objects, and the pages V8 held for them.
  let baseline = { heapUsed: 0, heapTotal: 0 };
  let quiet = 0;
  let elu = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  let at = performance.now();
  const timer = setInterval(() => {
    const since = performance.eventLoopUtilization(elu);
    elu = performance.eventLoopUtilization();
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const wallUs = Math.max(1, (performance.now() - at) * 1000);
    at = performance.now();
    // Quiet: the event loop nearly idle, or (a loaded machine stretches every callback's wall time, so the loop's share
    // reads high when the process does nothing) the process's CPU time under the same share of the interval.
    if (since.utilization > idleBelow && (used.user + used.system) / wallUs > idleBelow) {
      quiet = 0;
      // V8 looks at the last 5 s of allocation: the shrink waits for a whole quiet spell again.
      if (shrinkDue !== null) shrinkDue = at + shrinkAfterMs;
      return;
    }
    if (++quiet < quietIntervals) return;
    if (shrinkDue !== null && at >= shrinkDue) {
      shrinkDue = null;
      if (newSpace() > NEW_SPACE_FLOOR || !startCodeFlushed) {
        if (startCodeFlushed) gc();
        else {
          startCodeFlushed = true;
          collectFlushingCode(gc);
        }
        shrinks++;
        const after = memory();
        baseline = { heapUsed: after.heapUsed, heapTotal: after.heapTotal };
        return;
      }
    }
    // Either figure: V8's own collections during a burst (an upload, a preview) bring the used heap back down but keep
    // the pages they grew the heap by; only a full collection like this one gives those back.
    const now = memory();
    if (now.heapUsed - baseline.heapUsed < growthBytes && now.heapTotal - baseline.heapTotal < growthBytes) return;
    collectCompacting(gc);
    collections++;
    const after = memory();
    baseline = { heapUsed: after.heapUsed, heapTotal: after.heapTotal };
    if (shrinkAfterMs > 0) shrinkDue = at + shrinkAfterMs;
  }, intervalMs);
  timer.unref();
  return { collections: () => collections, shrinks: () => shrinks, stop: () => clearInterval(timer) };
}
