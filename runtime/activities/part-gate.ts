// Issue 16: how many parts of split pipelines one worker reads at once. Each part is a pipeline with its own bounded
// window (drive.ts: a few batches alive), so a worker's memory grows with the parts it runs side by side; without a
// cap that is every part its activity slots let in (all of a run's parts, when one worker polls them all). The gate
// is worker-wide (one per createActivities): a part over the cap waits, heartbeating, in the order it came, and a
// part cancelled while waiting leaves the queue.
import { getHeapStatistics } from 'node:v8';

/** The most parts a worker reads at once by default, whatever its heap (more than its cores buys nothing here). */
export const MAX_DEFAULT_PARTS_IN_FLIGHT = 8;
/** What one part's window is budgeted at with 5,000-row batches (drive.ts keeps up to 4 batches alive). */
const PART_BUDGET_BYTES = 64 * 1024 * 1024;
/** The share of the heap the parts' windows may take together. */
const HEAP_SHARE = 0.25;

/**
 * The default cap from the worker's heap: a quarter of it over one part's budget (scaled by the batch size), at least
 * 1 and at most 8. A 2 GB heap with 5,000-row batches gives 8; a 512 MB heap gives 2.
 */
export function defaultPartsInFlight(batchSize: number, heapLimitBytes = getHeapStatistics().heap_size_limit): number {
  const perPart = PART_BUDGET_BYTES * Math.max(1, batchSize / 5_000);
  return Math.max(1, Math.min(MAX_DEFAULT_PARTS_IN_FLIGHT, Math.floor((heapLimitBytes * HEAP_SHARE) / perPart)));
}

export interface PartGate {
  readonly limit: number;
  /** Parts reading now. */
  readonly inFlight: number;
  /** Parts waiting for a place. */
  readonly waiting: number;
  /**
   * Resolves with the release once the part may read (release once, in a finally); rejects with `cancelled()` when
   * `signal` aborts first (the part never took a place).
   */
  enter(signal: AbortSignal, cancelled: () => Error): Promise<() => void>;
}

export function createPartGate(limit: number): PartGate {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`The parts a worker reads at once must be a whole number from 1, not ${limit}`);
  let inFlight = 0;
  const queue: { admit: () => void }[] = [];

  const release = () => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      // The place passes straight to the next waiter, so a newcomer cannot jump the queue.
      const next = queue.shift();
      if (next) next.admit();
      else inFlight--;
    };
  };

  return {
    limit,
    get inFlight() {
      return inFlight;
    },
    get waiting() {
      return queue.length;
    },
    enter(signal, cancelled) {
      if (signal.aborted) return Promise.reject(cancelled());
      if (inFlight < limit) {
        inFlight++;
        return Promise.resolve(release());
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          admit: () => {
            signal.removeEventListener('abort', onAbort);
            resolve(release());
          },
        };
        const onAbort = () => {
          const at = queue.indexOf(waiter);
          if (at >= 0) queue.splice(at, 1);
          reject(cancelled());
        };
        signal.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
      });
    },
  };
}
