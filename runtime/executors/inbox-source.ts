// A resubmit run's source: instead of reading its system, a source step reads the records the inbox resubmitted
// to it (their source values with a person's edits), typed as the source types what it reads, so the rest of the
// pipeline (transforms, target, commit, checkpoints) is the same one every run goes through.
import { z } from 'zod';
import type { PlanStep } from '../../shared/compiler/plan';
import { typeSourceRows } from '../../shared/transforms/typed-rows';
import type { InboxStore } from '../store/inbox';
import { PlanError, type SourceExecutor } from './types';

/** Where a resubmit run's source resumes: after this row number of its items. */
export const InboxCursor = z.object({ inboxAfter: z.number().int().nonnegative() });

export function inboxSource(step: PlanStep, runId: string, inbox: Pick<InboxStore, 'readResubmitItems'>): SourceExecutor {
  const fields = step.output?.fields ?? [];
  return {
    role: 'source',
    async *read(cursor, batchSize) {
      const from = cursor === null || cursor === undefined ? { success: true as const, data: { inboxAfter: 0 } } : InboxCursor.safeParse(cursor);
      if (!from.success) throw new PlanError(`The checkpoint of ${step.label} in this resubmit run cannot be read; resubmit the records again.`);
      let after = from.data.inboxAfter;
      for (;;) {
        const items = await inbox.readResubmitItems(runId, step.nodeId, after, batchSize);
        if (items.length === 0) return;
        // The same typing a file source applies to what it reads: a value that still does not fit is rejected here again.
        const typed = typeSourceRows(step.nodeId, fields, items.map((it) => ({ rowNumber: it.rowNumber, values: it.values })));
        after = items[items.length - 1]!.rowNumber;
        yield { rows: typed.rows, rejected: typed.rejected, read: items.length, cursor: { inboxAfter: after } };
        if (items.length < batchSize) return;
      }
    },
  };
}
