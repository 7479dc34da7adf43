// Gives memory back when the process is idle. V8 collects its old generation when it needs room, not when a process
// goes quiet, so what a start, an upload or a preview left behind (10–30 MB in Weft's process) stays in its resident
// size for as long as nothing else happens. Every `intervalMs` (5 s), when the event loop was nearly idle since the last
// look and the heap grew by `growthBytes` since the last collection, one full collection runs (a few ms at this size).
// The `gc` function is taken from a context of its own and the flag is switched off again, so no other code (the
// workflow sandbox included) sees a `gc` global.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { performance } from 'node:perf_hooks';

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

let cachedGc: (() => void) | null | undefined;

function fullGc(): (() => void) | null {
  if (cachedGc !== undefined) return cachedGc;
  try {
    setFlagsFromString('--expose-gc');
    cachedGc = runInNewContext('gc') as () => void;
  } catch {
    cachedGc = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return typeof cachedGc === 'function' ? cachedGc : (cachedGc = null);
}

export function startIdleCollector(opts: IdleCollectorOptions = {}): IdleCollector {
  const intervalMs = opts.intervalMs ?? 5_000;
  const growthBytes = opts.growthBytes ?? 4 * 1024 * 1024;
  const idleBelow = opts.idleBelow ?? 0.05;
  const gc = fullGc();
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
