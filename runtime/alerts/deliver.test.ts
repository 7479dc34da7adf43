// Deliveries to real receivers: a mail read back from an SMTP server in this process, and a webhook whose signature
// verifies, after the receiver refused the first tries (retried with backoff). Webhooks go through the outbound-address
// guard: the metadata address, loopback and a name resolving to a private address are refused unless allowed, and a
// redirect is checked again.
import { createHmac } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtp, startWebhookReceiver } from '../../test/support/alert-receivers';
import { createAddressGuard, type AddressGuard } from '../net';
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
    const deliverer = createDeliverer({ smtpUrl: smtp.url, smtpFrom: 'Weft <alerts@weft.test>', guard: createAddressGuard() });
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

  it('an alert storm (40 failures at once) reaches a mail server that takes 3 connections: every mail, over a few reused connections', async () => {
    // sched13: every alert opened its own SMTP connection at once; a server that limits connections (as mail servers
    // do) answered the rest "421 Too many connected clients", and after 5 quick tries most alerts were given up.
    const limited = await startSmtp({ maxClients: 3 });
    const logged: string[] = [];
    const deliverer = createDeliverer({ smtpUrl: limited.url, guard: createAddressGuard(), backoffMs: 20, log: (m) => void logged.push(m) });
    for (let k = 0; k < 40; k++) deliverer.enqueue({ ...message, subject: `Orders ${k}: the run failed` }, { emails: ['ops@example.com'], webhookUrl: null, webhookSecret: 'x' });
    await deliverer.drain();
    expect(logged).toEqual([]);
    expect((await limited.waitFor(40)).length).toBe(40);
    expect(limited.peakConnections()).toBeLessThanOrEqual(2);
    deliverer.close();
    await limited.close();
  });

  it('SMTP down, then back: the alert arrives on a retry (through the pool too)', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const deliverer = createDeliverer({ smtpUrl: `smtp://127.0.0.1:${port}`, guard: createAddressGuard(), backoffMs: 200 });
    deliverer.enqueue(message, { emails: ['ops@example.com'], webhookUrl: null, webhookSecret: 'x' });
    await new Promise((r) => setTimeout(r, 300));
    const back = await startSmtp({ port });
    await deliverer.drain();
    expect((await back.waitFor(1)).map((m) => m.to)).toEqual([['ops@example.com']]);
    deliverer.close();
    await back.close();
  });

  it('a CR/LF in the subject (an integration named to inject headers) stays in the subject: no Bcc, no extra header', async () => {
    const deliverer = createDeliverer({ smtpUrl: smtp.url, guard: createAddressGuard() });
    const before = smtp.mails.length;
    const name = 'Orders\r\nBcc: thief@example.net\r\nX-Injected: yes\r\n\r\n<b>fake body</b>';
    deliverer.enqueue({ ...message, subject: `${name}: the run failed`, text: `${name}: the run failed\r\n.\r\nRCPT TO:<thief@example.net>` }, { emails: ['ops@example.com'], webhookUrl: null, webhookSecret: 'x' });
    await deliverer.drain();
    const mail = (await smtp.waitFor(before + 1))[before]!;
    expect(mail.to).toEqual(['ops@example.com']);
    const headers = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'));
    expect(headers).not.toMatch(/^(Bcc|X-Injected):/im);
    expect(headers).toMatch(/^Subject: \[Weft\] Orders Bcc: thief@example.net X-Injected: yes/m);
    deliverer.close();
  });

  it('a body that tries to end the mail early, markup, a 5,000-character line and non-ASCII arrive as one mail, as written (probe21)', async () => {
    // A run's error is the source's own words: "\r\n.\r\n" would end the DATA of a client that does not dot-stuff,
    // and what follows would be read as SMTP commands (a second mail to anyone).
    const hostile = `Failed\r\n.\r\nMAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nSubject: forged\r\n\r\nhi\r\n.\r\n<script>alert(1)</script> ${'x'.repeat(5000)} é東🚀`;
    const deliverer = createDeliverer({ smtpUrl: smtp.url, guard: createAddressGuard() });
    const before = smtp.mails.length;
    deliverer.enqueue({ ...message, subject: 'Commandes été 東京 🚀: the run failed', text: hostile }, { emails: ['ops@example.com'], webhookUrl: null, webhookSecret: 'x' });
    await deliverer.drain();
    await smtp.waitFor(before + 1);
    await new Promise((r) => setTimeout(r, 300));
    const mails = smtp.mails.slice(before);
    expect(mails.map((m) => m.to)).toEqual([['ops@example.com']]);
    const raw = mails[0]!.raw;
    const end = raw.search(/\r?\n\r?\n/);
    const head = raw.slice(0, end);
    const body = raw.slice(end).replace(/^\r?\n\r?\n/, '');
    // Quoted-printable (RFC 2045) and its header form (RFC 2047, "_" for a space), decoded to UTF-8.
    const bytes = (qp: string) => Buffer.from(qp.replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
    const subject = [...head.matchAll(/=\?UTF-8\?Q\?(.*?)\?=/g)].map((m) => m[1]!.replace(/_/g, ' ')).join('');
    expect(bytes(subject)).toBe('[Weft] Commandes été 東京 🚀: the run failed');
    expect(head).toMatch(/^Content-Type: text\/plain; charset=utf-8$/m);
    expect(head).not.toMatch(/forged|evil|victim/);
    expect(bytes(body.replace(/=\r?\n/g, '')).replace(/\r\n/g, '\n').trim()).toBe(hostile.replace(/\r\n/g, '\n'));
    expect(raw.split(/\r?\n/).every((line) => line.length <= 998)).toBe(true);
    deliverer.close();
  });

  it('posts a signed webhook and retries with backoff while the receiver refuses', async () => {
    const receiver = await startWebhookReceiver({ refuse: 2 });
    const deliverer = createDeliverer({ guard: createAddressGuard({ allowPrivate: true }), attempts: 4, backoffMs: 20 });
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
    const deliverer = createDeliverer({ guard: createAddressGuard({ allowPrivate: false }), attempts: 2, backoffMs: 5, log: (m) => logs.push(m) });
    deliverer.enqueue(message, { emails: [], webhookUrl: `${receiver.url}?key=secret-of-receiver`, webhookSecret: 's' });
    await deliverer.drain();
    expect(receiver.hooks).toEqual([]);
    expect(logs.join('\n')).toMatch(/gave up after 2 tries .*WEFT_ALLOW_PRIVATE_HOSTS/);
    expect(logs.join('\n')).not.toContain('secret-of-receiver');
    await receiver.close();
  });

  it('never logs a token in the webhook address, in its path (Slack-style) or its query (probe19)', async () => {
    const target = await startWebhookReceiver();
    // Redirects for ever (to itself): the client's error names the address it started from.
    const looping = await startWebhookReceiver({ redirectTo: '/services/T0A1B2C3/B4D5E6F7/pathsecret7f3a9c1e?token=querysecret5b2d' });
    const logs: string[] = [];
    const deliverer = createDeliverer({ guard: createAddressGuard({ allowPrivate: true }), attempts: 1, log: (m) => logs.push(m) });
    deliverer.enqueue(message, { emails: [], webhookUrl: `${new URL(looping.url).origin}/services/T0A1B2C3/B4D5E6F7/pathsecret7f3a9c1e?token=querysecret5b2d`, webhookSecret: 's' });
    await deliverer.drain();
    const text = logs.join('\n');
    expect(text).toMatch(/Webhook to http:\/\/127\.0\.0\.1:\d+: gave up after 1 tries \(.*redirected more than 3 times/);
    expect(text).not.toContain('pathsecret7f3a9c1e');
    expect(text).not.toContain('querysecret5b2d');
    deliverer.close();
    await Promise.all([target.close(), looping.close()]);
  });

  it('refuses the metadata address and a name that resolves to a private address, unless private addresses are allowed', async () => {
    const logs: string[] = [];
    const deliverer = createDeliverer({ guard: createAddressGuard({ allowPrivate: false }), attempts: 1, log: (m) => logs.push(m) });
    deliverer.enqueue(message, { emails: [], webhookUrl: 'http://169.254.169.254/latest/meta-data/', webhookSecret: 's' });
    await deliverer.drain();
    expect(logs.join('\n')).toMatch(/169\.254\.169\.254.*link-local/);

    // A public-looking name whose DNS answer is a private address is refused before anything is sent.
    const receiver = await startWebhookReceiver();
    const port = new URL(receiver.url).port;
    const sneaky = createAddressGuard({ allowPrivate: false, lookupAll: async () => [{ address: '127.0.0.1', family: 4 }] });
    const refused: string[] = [];
    const d2 = createDeliverer({ guard: sneaky, attempts: 1, log: (m) => refused.push(m) });
    d2.enqueue(message, { emails: [], webhookUrl: `http://hooks.example.test:${port}/hooks/weft`, webhookSecret: 's' });
    await d2.drain();
    expect(refused.join('\n')).toMatch(/"hooks\.example\.test" \(127\.0\.0\.1\): it is a loopback address/);
    expect(receiver.hooks).toEqual([]);

    // The same name with private addresses allowed (WEFT_ALLOW_PRIVATE_HOSTS=true) is delivered.
    const allowed = createDeliverer({ guard: createAddressGuard({ allowPrivate: true, lookupAll: async () => [{ address: '127.0.0.1', family: 4 }] }), attempts: 1 });
    allowed.enqueue(message, { emails: [], webhookUrl: `http://hooks.example.test:${port}/hooks/weft`, webhookSecret: 's' });
    await allowed.drain();
    expect(receiver.hooks).toHaveLength(1);
    for (const d of [deliverer, d2, allowed]) d.close();
    await receiver.close();
  });

  it('checks a redirect again: a receiver that redirects to 127.0.0.1 or to the metadata address gets nothing through', async () => {
    const target = await startWebhookReceiver();
    const toLoopback = await startWebhookReceiver({ redirectTo: target.url });
    const toMetadata = await startWebhookReceiver({ redirectTo: 'http://169.254.169.254/latest/meta-data/' });
    // The receivers' own name passes (as a public host would); every other address goes through the real rules.
    const strict = createAddressGuard({ allowPrivate: false });
    const guard: AddressGuard = {
      allowPrivate: false,
      check: async (host, o) => (host === 'public.example.test' ? { address: '127.0.0.1', family: 4 } : strict.check(host, o)),
    };
    const logs: string[] = [];
    const deliverer = createDeliverer({ guard, attempts: 1, log: (m) => logs.push(m) });
    const viaPublic = (url: string) => url.replace('127.0.0.1', 'public.example.test');
    deliverer.enqueue(message, { emails: [], webhookUrl: viaPublic(toLoopback.url), webhookSecret: 's' });
    deliverer.enqueue(message, { emails: [], webhookUrl: viaPublic(toMetadata.url), webhookSecret: 's' });
    await deliverer.drain();
    expect(target.hooks).toEqual([]);
    expect(logs.join('\n')).toMatch(/"127\.0\.0\.1": it is a loopback address/);
    expect(logs.join('\n')).toMatch(/169\.254\.169\.254.*link-local/);
    deliverer.close();
    for (const r of [target, toLoopback, toMetadata]) await r.close();
  });
});
