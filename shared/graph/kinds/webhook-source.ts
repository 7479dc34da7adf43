// Webhook source: records other systems POST to the integration's inbound URL. Each request is checked (signature or
// token), stored in a queue and answered 202 at once; one workflow per integration drains the queue in runs, and
// this source reads the requests its run drained. Its fields come from a sample body the person pastes.
import { z } from 'zod';
import { Field } from '../field-types';
import { defineKind } from './types';

export const WebhookSourceConfig = z.object({
  // The URL, secret and queue live with the integration (the store's webhook_endpoints), not in the graph: the
  // widget shows them. The key only anchors the widget in the form.
  endpoint: z.string().default('').meta({ title: 'Inbound URL', widget: 'webhook-endpoint' }),
  recordsPath: z
    .string()
    .max(500)
    .regex(/^([^.]+(\.[^.]+)*)?$/, 'Write the path with dots between names, e.g. data.items')
    .default('')
    .meta({ title: 'Records path', description: 'Where the records are in each body, e.g. data or data.items; empty: the body itself (an object, or an array of objects)' }),
  sample: z.string().max(65_536, 'Keep the sample under 64 KB').default('').meta({ title: 'Sample body', widget: 'webhook-sample' }),
  columns: z.array(Field).min(1, 'Paste a sample body and detect its fields').meta({ title: 'Fields', widget: 'columns' }),
  emptyTextIsNull: z.boolean().default(true).meta({ title: 'Empty text is null', description: 'Off: "" stays empty text' }),
});
export type WebhookSourceConfig = z.infer<typeof WebhookSourceConfig>;

export const webhookSource = defineKind({
  kind: 'webhook-source',
  label: 'Receive webhook',
  description: 'Records other systems send to an inbound URL, signed with a secret; drained in batches by runs.',
  category: 'source',
  inputs: 0,
  outputs: 1,
  config: WebhookSourceConfig,
  defaults: (): WebhookSourceConfig => ({ endpoint: '', recordsPath: '', sample: '', columns: [], emptyTextIsNull: true }),
});
