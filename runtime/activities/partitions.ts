// Planning a pipeline's parts (issue 16, partitioned reads; docs/scale-out.md "Partitioned reads"): whether its
// source may be split, and where. A part is read, transformed and written by its own runPipeline activity with its
// own checkpoint, so what a part does must not depend on another part's rows. Split only:
// - a database table (Postgres, MySQL/MariaDB) by its single-column integer primary key, read in full (no cursor
//   field: the incremental high-water mark is kept per pipeline), or a plain (not compressed, not encrypted) CSV or
//   NDJSON file by byte ranges at record boundaries;
// - through row-by-row transforms only (Map, Filter, Calculated field);
// - into a database table or a workspace object that applies no deletes (a full sync's deletes compare the whole
//   run's keys with the target's, which needs every part's keys first);
// - not a resubmit run (it reads the inbox's records), not a two-way sync (a step that reads and writes both sides).
import type { Plan, PlanStep } from '../../shared/compiler/plan';
import { FileSourceConfig, SqlSourceConfig } from '../../shared/graph/kinds';
import { keyRanges, partitionCount, type Partition, type PartitionPlan } from '../../shared/sync/partitions';
import type { SessionOpener } from '../connections/sessions';
import { scanFilePartitions } from '../files/partition-scan';
import { sizeOf } from '../files/storage';
import type { Store } from '../store/types';
import { unsplittable } from '../../shared/sync/partition-shape';

export interface PlanPartsInput {
  store: Store;
  sessions: SessionOpener;
  plan: Plan;
  steps: readonly PlanStep[];
  resubmit: boolean;
  /** Called before each chunk of a file's scan: may throw to stop the planning (the local part's budget); nothing is kept. */
  check?: () => void;
}

/** The pipeline's parts: more than one, or none (then it reads as one, as before) with why. */
export async function planPartitions({ store, sessions, plan, steps, resubmit, check }: PlanPartsInput): Promise<PartitionPlan> {
  const none = (why: string): PartitionPlan => ({ partitions: [], why });
  const shape = unsplittable(steps, resubmit);
  if (shape) return none(shape);
  const setting = plan.settings?.parallelism;
  if (setting === 1) return none('the integration reads in one part');
  const source = steps[0]!;
  let parts: Partition[] | null;
  if (source.kind === 'sql-source') {
    const c = SqlSourceConfig.parse(source.config);
    const session = await sessions.open(c.connectionId);
    try {
      const range = session.keyRange ? await session.keyRange(c.object) : null;
      if (!range) return none('the table has no single-column integer primary key');
      if (range.min === null || range.max === null) return none('the table is empty');
      const rows = session.estimateRows ? await session.estimateRows(c.object).catch(() => null) : null;
      parts = keyRanges(range.field, BigInt(range.min), BigInt(range.max), partitionCount(setting, { rows }));
    } finally {
      await session.close().catch(() => undefined);
    }
  } else {
    const c = FileSourceConfig.parse(source.config);
    const file = await store.getFile(c.fileId);
    if (!file) return none('the file is missing');
    if (file.encrypted) return none('an encrypted file is decrypted from its start');
    const size = await sizeOf(file.path);
    if (size === null) return none('the file is missing');
    const count = partitionCount(setting, { bytes: size });
    if (count <= 1) return none('the file is small');
    parts = await scanFilePartitions(file.path, { format: c.format === 'ndjson' ? 'ndjson' : 'csv', delimiter: c.delimiter, hasHeader: c.hasHeader, size, parts: count, ...(check && { check }) });
    if (!parts) return none('a quote in the file could not be followed, so no cut is provably outside a quoted value');
  }
  if (parts.length <= 1) return none('the source is small');
  return { partitions: parts };
}
