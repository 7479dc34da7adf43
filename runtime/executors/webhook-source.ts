// Webhook source: reads the requests its run drained from the integration's webhook queue, in the order they
// arrived, each body read exactly and flattened as the JSON file source reads a file, then typed as the published
// schema says. Batches end at a request's end, so the checkpoint is "after request N" and a retry never splits one.
import { z } from 'zod';
import { WebhookSourceConfig } from '../../shared/graph/kinds';
import { typeSourceRows } from '../../shared/transforms/typed-rows';
import { emptyRecord } from '../../shared/util/records';
import { webhookRows } from '../../shared/webhooks/records';
import type { NewRejected } from '../store/types';
import { defineExecutor, PlanError } from './types';

/** The checkpoint: the last request read (its queue sequence) and the records read so far (row numbers). */
export const WebhookSourceCursor = z.object({ afterSeq: z.number().int().nonnegative(), rows: z.number().int().nonnegative() });
export type WebhookSourceCursor = z.infer<typeof WebhookSourceCursor>;

/** Requests fetched from the store at a time. */
const REQUESTS_PER_READ = 200;

export const webhookSourceExecutor = defineExecutor({
  kind: 'webhook-source',
  config: WebhookSourceConfig,
  needs: ['webhookRequests'],
  create(config, step, { webhookRequests }) {
    const output = step.output;
    if (!output) throw new PlanError(`${step.label} has no schema; publish the integration again.`);
    const names = output.fields.map((f) => f.name);
    return {
      role: 'source',
      async *read(cursor, batchSize) {
        const from = cursor === null || cursor === undefined ? { success: true as const, data: { afterSeq: 0, rows: 0 } } : WebhookSourceCursor.safeParse(cursor);
        if (!from.success) throw new PlanError(`The checkpoint of ${step.label} cannot be read; start a new run.`);
        let { afterSeq, rows } = from.data;
        let raw: { rowNumber: number; values: Record<string, unknown> }[] = [];
        let unreadable: NewRejected[] = [];
        const flush = () => {
          const typed = typeSourceRows(step.nodeId, output.fields, raw);
          const batch = { rows: typed.rows, rejected: [...unreadable, ...typed.rejected], read: raw.length + unreadable.length, cursor: { afterSeq, rows } satisfies WebhookSourceCursor };
          raw = [];
          unreadable = [];
          return batch;
        };
        for (;;) {
          const requests = await webhookRequests.read(afterSeq, REQUESTS_PER_READ);
          for (const request of requests) {
            const read = webhookRows(request.body, config.recordsPath, config.emptyTextIsNull);
            if (!read.ok) {
              // Checked when it arrived; a version published since may read another records path.
              unreadable.push({ nodeId: step.nodeId, rowNumber: ++rows, source: { body: request.body.slice(0, 10_000) }, mapped: null, reason: `Request ${request.seq}: ${read.reason}` });
            } else {
              for (const flat of read.rows) {
                const values = emptyRecord<string | null>();
                for (const n of names) values[n] = Object.hasOwn(flat, n) ? flat[n]! : null;
                raw.push({ rowNumber: ++rows, values });
              }
            }
            afterSeq = request.seq;
            if (raw.length + unreadable.length >= batchSize) yield flush();
          }
          if (requests.length < REQUESTS_PER_READ) break;
        }
        if (raw.length + unreadable.length > 0) yield flush();
      },
    };
  },
});
