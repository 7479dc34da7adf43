// Gives memory back when the process is idle. V8 collects its old generation when it needs room, not when a process
// goes quiet, so what a start, an upload or a preview left behind (10–30 MB in Weft's process) stays in its resident
// size for as long as nothing else happens. Every `intervalMs` (5 s), when the event loop was nearly idle since the last
// look and the heap grew by `growthBytes` since the last collection, one full collection runs (a few ms at this size).
// The process is started with `--expose-gc` (`npm start`, the store process); when first loaded, before any thread or
// context is made, this module keeps `gc` for itself, leaves the global `gc` undefined and switches the flag off, so
// no other code (the workflow sandbox included) sees a collector. Started without the flag, the collector does nothing.
import { setFlagsFromString } from 'node:v8';
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

export interface IdleCollectorOptions {
  intervalMs?: number;
  growthBytes?: number;
  /** Event loop utilization (0..1) over the last interval under which the process counts as idle. */
  idleBelow?: number;
}

export interface IdleCollector {
  /** Full collections run so far. */
  collections(): number;
  stop(): void;
}

export function startIdleCollector(opts: IdleCollectorOptions = {}): IdleCollector {
  const intervalMs = opts.intervalMs ?? 5_000;
  const growthBytes = opts.growthBytes ?? 4 * 1024 * 1024;
  const idleBelow = opts.idleBelow ?? 0.05;
  const gc = taken;
  let collections = 0;
  if (!gc) return { collections: () => 0, stop: () => undefined };
  let baseline = 0;
  let elu = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const since = performance.eventLoopUtilization(elu);
    elu = performance.eventLoopUtilization();
    if (since.utilization > idleBelow) return;
    if (process.memoryUsage().heapUsed - baseline < growthBytes) return;
    gc();
    collections++;
    baseline = process.memoryUsage().heapUsed;
  }, intervalMs);
  timer.unref();
  return { collections: () => collections, stop: () => clearInterval(timer) };
}
