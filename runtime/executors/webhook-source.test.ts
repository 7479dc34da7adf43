// The webhook source reads the requests its run drained, through the reader its deps give it; outside a run (test a
// record, benches) the reader it is given says a webhook source reads only in a run.
import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../../shared/compiler/plan';
import type { QueuedRequest } from '../store/webhooks';
import { NO_WEBHOOK_REQUESTS, PlanError, type SourceBatch, type WebhookRequestReader } from './types';
import { webhookSourceExecutor } from './webhook-source';

const fields = [{ name: 'id', type: 'text' as const }, { name: '__proto__', type: 'text' as const }];
const step: PlanStep = {
  nodeId: 'hook',
  kind: 'webhook-source',
  label: 'Orders webhook',
  config: { endpoint: '', recordsPath: 'items', sample: '', columns: fields, emptyTextIsNull: true },
  input: null,
  output: { fields, key: [] },
};

const queue: QueuedRequest[] = [
  { seq: 3, body: '{"items":[{"id":"9007199254740993","__proto__":"a"},{"id":"0042"}]}', records: 2 },
  { seq: 7, body: JSON.stringify({ items: [{ id: 'c\u0000d' }] }), records: 1 },
];
const reader: WebhookRequestReader = { read: (after, limit) => Promise.resolve(queue.filter((r) => r.seq > after).slice(0, limit)) };

async function readAll(webhookRequests: WebhookRequestReader, cursor: unknown = null): Promise<SourceBatch[]> {
  const source = await webhookSourceExecutor.create(step, { webhookRequests });
  if (source.role !== 'source') throw new Error('not a source');
  const out: SourceBatch[] = [];
  for await (const b of source.read(cursor, 2)) out.push(b);
  return out;
}

describe('webhook source', () => {
  it('reads the drained requests in order, values exact, and checkpoints after each request', async () => {
    const batches = await readAll(reader);
    const rows = batches.flatMap((b) => b.rows);
    expect(rows.map((r) => r.values.id)).toEqual(['9007199254740993', '0042', 'c\u0000d']);
    expect(Object.hasOwn(rows[0]!.values, '__proto__')).toBe(true);
    expect(rows[0]!.values['__proto__']).toBe('a');
    expect(batches.at(-1)?.cursor).toEqual({ afterSeq: 7, rows: 3 });
    expect((await readAll(reader, { afterSeq: 3, rows: 2 })).flatMap((b) => b.rows.map((r) => r.values.id))).toEqual(['c\u0000d']);
  });

  it('outside a run, says it reads only in a run of its integration', async () => {
    await expect(readAll(NO_WEBHOOK_REQUESTS)).rejects.toThrow(PlanError);
    await expect(readAll(NO_WEBHOOK_REQUESTS)).rejects.toThrow(/runs only in a run of its integration/);
  });
});
