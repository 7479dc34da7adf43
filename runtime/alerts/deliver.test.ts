// Deliveries to real receivers: a mail read back from an SMTP server in this process, and a webhook whose signature
// verifies, after the receiver refused the first tries (retried with backoff).
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtp, startWebhookReceiver } from '../../test/support/alert-receivers';
import { createHostPolicy } from '../connections/host-policy';
import { createDeliverer, signWebhook } from './deliver';

let smtp: Awaited<ReturnType<typeof startSmtp>>;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.close();
});

const message = {
  event: 'run.failed',
  subject: 'Orders: the run failed',
  text: 'Orders: the run failed\n\nRun: http://localhost/#/runs/run_1',
  payload: { event: 'run.failed', run: { id: 'run_1' } },
};

describe('alert deliveries', () => {
  it('emails through SMTP: the message arrives with the sender, recipients and subject', async () => {
    const deliverer = createDeliverer({ smtpUrl: smtp.url, smtpFrom: 'Weft <alerts@weft.test>', hostPolicy: createHostPolicy() });
    expect(deliverer.emailConfigured).toBe(true);
    deliverer.enqueue(message, { emails: ['ops@example.com', 'lead@example.com'], webhookUrl: null, webhookSecret: 'x' });
    await deliverer.drain();
    const [mail] = await smtp.waitFor(1);
    expect(mail!.from).toBe('alerts@weft.test');
    expect(mail!.to).toEqual(['ops@example.com', 'lead@example.com']);
    expect(mail!.raw).toMatch(/^Subject: \[Weft\] Orders: the run failed/m);
    expect(mail!.raw).toContain('Run: http://localhost/#/runs/run_1');
    deliverer.close();
  });

  it('posts a signed webhook and retries with backoff while the receiver refuses', async () => {
    const receiver = await startWebhookReceiver({ refuse: 2 });
    const deliverer = createDeliverer({ hostPolicy: createHostPolicy({ allowPrivate: true }), attempts: 4, backoffMs: 20 });
    const started = Date.now();
    deliverer.enqueue(message, { emails: [], webhookUrl: receiver.url, webhookSecret: 'whsec_test' });
    await deliverer.drain();
    const [hook] = await receiver.waitFor(1);
    expect(receiver.refusedCount()).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 40);
    const timestamp = Number(hook!.headers['x-weft-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);
    const expected = `sha256=${createHmac('sha256', 'whsec_test').update(`${timestamp}.${hook!.body}`).digest('hex')}`;
    expect(hook!.headers['x-weft-signature']).toBe(expected);
    expect(signWebhook('whsec_test', timestamp, hook!.body)).toBe(expected);
    expect(hook!.headers['x-weft-event']).toBe('run.failed');
    expect(JSON.parse(hook!.body)).toEqual(message.payload);
    await receiver.close();
  });

  it('does not post to a host the policy refuses, and gives up without throwing', async () => {
    const receiver = await startWebhookReceiver();
    const logs: string[] = [];
    const deliverer = createDeliverer({ hostPolicy: createHostPolicy({ allowPrivate: false }), attempts: 2, backoffMs: 5, log: (m) => logs.push(m) });
    deliverer.enqueue(message, { emails: [], webhookUrl: `${receiver.url}?key=secret-of-receiver`, webhookSecret: 's' });
    await deliverer.drain();
    expect(receiver.hooks).toEqual([]);
    expect(logs.join('\n')).toMatch(/gave up after 2 tries .*WEFT_ALLOW_PRIVATE_HOSTS/);
    expect(logs.join('\n')).not.toContain('secret-of-receiver');
    await receiver.close();
  });
});
