// Compile-time checks of the webhook source: its fields (from a sample body) and that the sample still reads.
import type { WebhookSourceConfig } from '../../graph/kinds/webhook-source';
import { webhookRows } from '../../webhooks/records';
import type { KindInfer } from './types';

export const inferWebhookSource: KindInfer<WebhookSourceConfig> = (config, _input, report) => {
  const seen = new Set<string>();
  config.columns.forEach((c, i) => {
    if (seen.has(c.name)) report({ code: 'duplicate-column', message: `Field "${c.name}" appears twice`, path: `columns.${i}.name` });
    seen.add(c.name);
  });
  if (config.sample.trim() !== '') {
    const read = webhookRows(config.sample, config.recordsPath);
    if (!read.ok) report({ code: 'bad-sample', message: `${read.reason}: the runs would reject such bodies`, path: 'sample', severity: 'warning' });
  }
  return { fields: config.columns, key: [] };
};
