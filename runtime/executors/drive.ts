// The pipeline driver: a source's batches through transform, write and commit, overlapped yet bounded in memory.
//
// Every stage works on one batch at a time, in order, and the stages overlap: batch n+1 is read while batch n
// is transformed, an earlier one written and an earlier one still committed. A batch takes a slot when its
// read starts and gives it back when its commit ends (or fails), and there are `maxAlive` slots, so however
// slow one stage is against the others (a commit slower than reads, a source slower than writes) no more than
// `maxAlive` batches are held at once: the fast stages wait for a slot instead of queueing batches.

/** The four stages of a pipeline; the driver calls each in batch order, one batch at a time per stage. */
export interface PipelineStages<B, F, E> {
  /** The source's batches; the next one is asked for only when a slot is free. */
  read: AsyncIterable<B>;
  /** CPU work on one batch (source counts, transforms). `index` counts batches from 1. */
  transform(batch: B, index: number): F | Promise<F>;
  /**
   * The target's write; batch n+1's write starts after batch n's started and batch n+1-`writers`' ended (with one
   * writer, after batch n's ended). Writes start in batch order, so a target can order batches that share keys.
   */
  write(flowed: F, index: number): Promise<E>;
  /** The commit; runs after this batch's write and the previous batch's commit. */
  commit(effect: E, index: number): Promise<void>;
  /** Called before each batch is transformed; throw to stop (a cancelled run). */
  check?(): void;
}

export interface DriveOptions {
  /** Batches alive at once, from the start of their read to the end of their commit (default 4: one per stage; plus one per extra writer). */
  maxAlive?: number;
  /** Writes in flight at once (default 1). */
  writers?: number;
}

export const DEFAULT_MAX_ALIVE = 4;

const ignore = () => undefined;

/** A counting semaphore that can be closed: a closed one wakes its waiters with `false` and hands out nothing. */
class Slots {
  private readonly waiters: ((granted: boolean) => void)[] = [];
  private closed = false;

  constructor(private free: number) {}

  acquire(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next(!this.closed);
    else this.free += 1;
  }

  close(): void {
    this.closed = true;
    for (const wake of this.waiters.splice(0)) wake(false);
  }
}

/**
 * Runs every batch of `stages.read` through transform, write and commit, and resolves with the number of
 * batches committed. The first failure (of any stage) stops reading; the writes and commits already started
 * are left to land (or fail) before it is thrown, and the source is closed either way.
 */
export async function drivePipeline<B, F, E>(stages: PipelineStages<B, F, E>, options: DriveOptions = {}): Promise<number> {
  const writers = Math.max(1, Math.floor(options.writers ?? 1));
  const maxAlive = options.maxAlive ?? DEFAULT_MAX_ALIVE + writers - 1;
  if (!Number.isInteger(maxAlive) || maxAlive < 2) throw new Error(`drivePipeline: maxAlive must be an integer >= 2, not ${maxAlive}`);
  const slots = new Slots(maxAlive);
  const it = stages.read[Symbol.asyncIterator]();
  let failure: { error: unknown } | null = null;
  const fail = (error: unknown) => {
    failure ??= { error };
    slots.close();
  };

  // Reads one batch once a slot is free; null once the driver has stopped.
  const readNext = async (): Promise<IteratorResult<B> | null> => {
    if (!(await slots.acquire())) return null;
    try {
      const r = await it.next();
      if (r.done) slots.release();
      return r;
    } catch (err) {
      slots.release();
      throw err;
    }
  };

  // The last `writers` writes in flight, oldest first, and the start of the latest one.
  const writing: Promise<unknown>[] = [];
  let started: Promise<unknown> = Promise.resolve();
  let committing: Promise<void> = Promise.resolve();
  let committed = 0;
  let issued = 0;
  let next = readNext();
  // Handled where awaited; a failure while the loop is busy must not count as an unhandled rejection.
  next.catch(ignore);
  try {
    for (;;) {
      const r = await next;
      if (failure || r === null || r.done) break;
      next = readNext();
      next.catch(ignore);
      stages.check?.();
      const index = ++issued;
      const flowed = await stages.transform(r.value, index);
      const freeWhen = writing.length >= writers ? writing.shift() : undefined;
      const previousStart = started;
      let markStarted!: () => void;
      started = new Promise<void>((resolve) => (markStarted = resolve));
      const written = (async () => {
        try {
          await previousStart;
          // A failed earlier write stops this one (its commit fails with that error).
          await freeWhen;
        } finally {
          markStarted();
        }
        return stages.write(flowed, index);
      })();
      const previousCommit = committing;
      committing = (async () => {
        try {
          // Settled in order, so the last commit settles after every write and commit before it.
          const [effect, before] = await Promise.allSettled([written, previousCommit]);
          if (before.status === 'rejected') throw before.reason;
          if (effect.status === 'rejected') throw effect.reason;
          await stages.commit(effect.value, index);
          committed += 1;
        } catch (err) {
          // Stop before this batch's slot is given back, so no further batch is read.
          fail(err);
          throw err;
        } finally {
          slots.release();
        }
      })();
      writing.push(written);
      // A failed write stops reading at once; its commit (and those after it) then fail with its error.
      written.catch(fail);
      committing.catch(ignore);
    }
  } catch (err) {
    fail(err);
  } finally {
    slots.close();
    // Each commit waits for its own write and the commit before it: the last one settles after all of them.
    await committing.catch(ignore);
    await next.catch(ignore);
    await it.return?.().catch(ignore);
  }
  if (failure) throw (failure as { error: unknown }).error;
  return committed;
}
