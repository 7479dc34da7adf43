// Sends alerts: email through SMTP (nodemailer) and signed webhooks, each retried with backoff in the background so
// a slow or dead receiver never holds up or fails the run that caused it. Webhooks go out through Weft's one HTTP
// client (runtime/net): every hop's host is checked by the outbound-address guard and connected to as checked.
import { createHmac } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import { createHttpClient, type AddressGuard } from '../net';

export interface AlertMessage {
  event: string;
  /** One line for a subject: "Orders sync: the run failed". */
  subject: string;
  /** Plain text for the mail body. */
  text: string;
  /** The JSON body a webhook receives. */
  payload: Record<string, unknown>;
}

export interface DeliverySettings {
  /** smtp(s)://user:pass@host:port; absent: email alerts are skipped (and logged). */
  smtpUrl?: string;
  /** The sender (WEFT_SMTP_FROM), default "Weft <weft@localhost>". */
  smtpFrom?: string;
  /**
   * The outbound-address guard (runtime/net, WEFT_ALLOWED_HOSTS / WEFT_ALLOW_PRIVATE_HOSTS): loopback, private,
   * link-local (169.254.169.254) and multicast receivers are refused unless allowed, after every redirect too.
   */
  guard: AddressGuard;
  /** Tries per delivery (default 5) and the first wait between them (default 2 s, doubling). */
  attempts?: number;
  backoffMs?: number;
  /** Per webhook request (default 10 s). */
  timeoutMs?: number;
  log?: (message: string) => void;
}

/** The header a receiver checks: HMAC-SHA256 of `<timestamp>.<body>` with the integration's webhook secret. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface Deliverer {
  /** Queues the message for each target; returns at once. */
  enqueue(message: AlertMessage, targets: { emails: string[]; webhookUrl: string | null; webhookSecret: string }): void;
  /** Settles when every queued delivery has succeeded or given up (tests, and a clean stop). */
  drain(): Promise<void>;
  readonly emailConfigured: boolean;
  close(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** SMTP connections open at once for alerts. */
const SMTP_CONNECTIONS = 2;

export function createDeliverer(settings: DeliverySettings): Deliverer {
  const attempts = settings.attempts ?? 5;
  const backoffMs = settings.backoffMs ?? 2_000;
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const log = settings.log ?? ((m: string) => console.warn(`[alerts] ${m}`));
  const from = settings.smtpFrom ?? 'Weft <weft@localhost>';
  const smtpUrl = settings.smtpUrl;
  // nodemailer (~3 MB in memory) is loaded by the first email, not when Weft starts. A pool of at most two connections,
  // each reused for many messages: an alert storm (many integrations failing at once) queues its mails here instead of
  // opening one connection per alert, which mail servers that limit connections refuse ("421 Too many connected
  // clients") until the retries run out. `?pool=false` in WEFT_SMTP_URL turns the pool off.
  let mailer: Promise<Transporter> | null = null;
  const mail = (url: string) =>
    (mailer ??= import('nodemailer').then((loaded) =>
      ((loaded as typeof loaded & { default?: typeof loaded }).default ?? loaded).createTransport({ url, pool: true, maxConnections: SMTP_CONNECTIONS, maxMessages: 100 }),
    ));
  // One try per call: the deliverer's own retries (with their log line) are the ones that count. Redirects are followed
  // and each hop checked again by the guard; never to another scheme.
  const http = createHttpClient({ guard: settings.guard, attempts: 1, timeoutMs, maxRedirects: 3, maxResponseBytes: 64 * 1024, userAgent: 'Weft-Alerts/1' });
  const pending = new Set<Promise<void>>();

  async function withRetries(what: string, attempt: () => Promise<void>): Promise<void> {
    for (let i = 1; i <= attempts; i++) {
      try {
        await attempt();
        return;
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        if (i === attempts) {
          log(`${what}: gave up after ${attempts} tries (${why})`);
          return;
        }
        await sleep(backoffMs * 2 ** (i - 1));
      }
    }
  }

  async function postWebhook(url: string, secret: string, message: AlertMessage) {
    const body = JSON.stringify(message.payload);
    const timestamp = Math.floor(Date.now() / 1000);
    const res = await http.request({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/json',
        'x-weft-event': message.event,
        'x-weft-timestamp': String(timestamp),
        'x-weft-signature': signWebhook(secret, timestamp, body),
      },
      body,
      anyStatus: true,
    });
    if (res.status < 200 || res.status >= 300) throw new Error(`the receiver answered ${res.status}`);
  }

  function track(p: Promise<void>) {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }

  return {
    emailConfigured: !!smtpUrl,
    enqueue(message, targets) {
      if (targets.emails.length > 0) {
        if (!smtpUrl) log(`${message.subject}: not emailed, WEFT_SMTP_URL is not set`);
        else {
          track(
            withRetries(`Email "${message.subject}"`, async () => {
              await (await mail(smtpUrl)).sendMail({ from, to: targets.emails, subject: `[Weft] ${message.subject}`, text: message.text });
            }),
          );
        }
      }
      if (targets.webhookUrl) {
        const url = targets.webhookUrl;
        // The address is logged as its origin only: a receiver's own token may be in its query string or, as in Slack's,
        // Teams' and Discord's incoming-webhook URLs, in its path (probe19). The client's errors name the path too.
        const u = new URL(url);
        const scrub = (text: string) => (u.pathname.length > 1 ? text.split(u.pathname).join('/…') : text);
        track(
          withRetries(`Webhook to ${u.origin}`, () =>
            postWebhook(url, targets.webhookSecret, message).catch((err: unknown) => {
              throw new Error(scrub(err instanceof Error ? err.message : String(err)));
            }),
          ),
        );
      }
    },
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    close() {
      void mailer?.then((m) => m.close(), () => undefined);
      void http.close();
    },
  };
}
