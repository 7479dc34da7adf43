// Partitioned reads (issue 16): one pipeline's source split into parts that run as parallel activities, each with
// its own checkpoint. Pure: the shapes the workflow and the activities pass, how many parts a source gets, and
// how an integer key's [min, max] is cut into ranges. The planning itself (min/max, a file's record boundaries)
// is runtime/activities/partitions.ts.
import { z } from 'zod';

/**
 * A part of a source: an integer key range `from <= key < to` (text, so a bigint keeps every digit; null: unbounded
 * on that side), or a byte range `[start, end)` of a plain file that starts and ends on a record boundary, whose
 * first record is data record `firstRow + 1` of the whole file (so row numbers stay the file's own).
 */
export const Partition = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('keys'), field: z.string().min(1), from: z.string().nullable(), to: z.string().nullable() }),
  z.object({ kind: z.literal('bytes'), start: z.number().int().nonnegative(), end: z.number().int().nonnegative(), firstRow: z.number().int().nonnegative() }),
]);
export type Partition = z.infer<typeof Partition>;
export type KeyPartition = Extract<Partition, { kind: 'keys' }>;
export type BytePartition = Extract<Partition, { kind: 'bytes' }>;

/** A pipeline's parts; one part (or none planned) reads the whole source as before. `why` says why there is one. */
export const PartitionPlan = z.object({ partitions: z.array(Partition), why: z.string().optional() });
export type PartitionPlan = z.infer<typeof PartitionPlan>;

/** The most parts an integration may ask for (each is an activity; more than the workers' slots only queue). */
export const MAX_PARALLELISM = 32;

/** The default ("by size"): one part per this many rows of a table, or bytes of a file, at most DEFAULT_MAX_PARTS. */
export const ROWS_PER_PART = 250_000;
export const BYTES_PER_PART = 32 * 1024 * 1024;
export const DEFAULT_MAX_PARTS = 8;

/** The checkpoint key of part k (0-based) of a pipeline: its batches commit under it. */
export const partitionKey = (pipelineId: string, k: number) => `${pipelineId}#p${k}`;

/** The key a pipeline's parts are kept under (Store.keepPartitions), batch 0. */
export const partsKey = (pipelineId: string) => `${pipelineId}#parts`;

/** A key `partitionKey` or `partsKey` makes ends so; a whole pipeline's id may too, and then gets one more `#`. */
const DERIVED_END = /#(?:parts|p\d+)#*$/;

/**
 * The checkpoint key of a pipeline read whole: its id, one `#` added when the id ends as a part's or the parts' key
 * does (review13a). Pipeline ids are `p-<target node id>` and a node id may hold any character: a whole pipeline
 * `p-t#p0` (target `t#p0`) committed under the key of part 0 of `p-t`, and `p-t#parts` over `p-t`'s kept parts, each
 * resuming from the other's checkpoint. Every key stays distinct: a part's or the parts' key ends `#p<digits>` or
 * `#parts` (the last `#` is the one added), a whole id that does not end so is its own key, and one that does gets a
 * key that ends in `#` — distinct from each other as their ids are. An id without such an end (every id without `#`)
 * keeps the key it had, so runs in flight across the change resume as before.
 */
export const wholeKey = (pipelineId: string) => (DERIVED_END.test(pipelineId) ? `${pipelineId}#` : pipelineId);

/**
 * How many parts: the integration's setting when it has one (1: never split), else by size — one part below
 * ROWS_PER_PART rows (BYTES_PER_PART bytes), one more per such amount, at most DEFAULT_MAX_PARTS.
 */
export function partitionCount(setting: number | undefined, size: { rows?: number | null; bytes?: number | null }): number {
  if (setting !== undefined) return Math.max(1, Math.min(MAX_PARALLELISM, Math.floor(setting)));
  const byRows = size.rows ? Math.ceil(size.rows / ROWS_PER_PART) : 1;
  const byBytes = size.bytes ? Math.ceil(size.bytes / BYTES_PER_PART) : 1;
  return Math.max(1, Math.min(DEFAULT_MAX_PARTS, Math.max(byRows, byBytes)));
}

/**
 * [min, max] of an integer key cut into at most `parts` contiguous ranges of equal width (by value, not by row: a key
 * with gaps gives uneven parts, never wrong ones). The first range is open below and the last open above, so a row
 * inserted after planning with a key outside [min, max] is still read, by exactly one part.
 */
export function keyRanges(field: string, min: bigint, max: bigint, parts: number): KeyPartition[] {
  const span = max - min + 1n;
  const n = BigInt(Math.max(1, Math.min(parts, MAX_PARALLELISM)));
  const count = span < n ? span : n;
  if (count <= 1n) return [{ kind: 'keys', field, from: null, to: null }];
  const out: KeyPartition[] = [];
  let from: bigint | null = null;
  for (let k = 1n; k < count; k++) {
    const to = min + (span * k) / count;
    out.push({ kind: 'keys', field, from: from === null ? null : String(from), to: String(to) });
    from = to;
  }
  out.push({ kind: 'keys', field, from: String(from), to: null });
  return out;
}
