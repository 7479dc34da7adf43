// Real receivers for alert tests: an SMTP server (smtp-server) in the test process that keeps every delivered
// message, and an HTTP server that records webhook posts (and can refuse the first ones, to exercise the retries).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  from: string;
  to: string[];
  raw: string;
}

async function waitUntil<T>(what: string, read: () => T[], n: number, timeoutMs: number): Promise<T[]> {
  const until = Date.now() + timeoutMs;
  while (read().length < n) {
    if (Date.now() > until) throw new Error(`${what}: ${read().length} of ${n} arrived within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return read();
}

/**
 * `maxClients`: connections the server takes at once; more are answered "421 Too many connected clients".
 * `port`: listen there (a server that comes back after being down); else any free port.
 */
export async function startSmtp(opts: { maxClients?: number; port?: number } = {}) {
  const mails: Mail[] = [];
  let connections = 0;
  let peak = 0;
  const server = new SMTPServer({
    ...(opts.maxClients !== undefined && { maxClients: opts.maxClients }),
    onConnect(_session, callback) {
      connections++;
      peak = Math.max(peak, connections);
      callback();
    },
    onClose() {
      connections--;
    },
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    waitFor: (n: number, timeoutMs = 10_000) => waitUntil('mails', () => mails, n, timeoutMs),
    /** The most connections open at once. */
    peakConnections: () => peak,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Hook {
  headers: IncomingHttpHeaders;
  body: string;
}

/** `refuse`: answer 503 to this many posts first. `redirectTo`: answer every post with a 307 to that address. */
export async function startWebhookReceiver(opts: { refuse?: number; redirectTo?: string } = {}) {
  const hooks: Hook[] = [];
  let refused = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (opts.redirectTo) {
        res.writeHead(307, { location: opts.redirectTo }).end();
        return;
      }
      if (refused < (opts.refuse ?? 0)) {
        refused++;
        res.writeHead(503).end('busy');
        return;
      }
      hooks.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/weft`,
    hooks,
    refusedCount: () => refused,
    waitFor: (n: number, timeoutMs = 10_000) => waitUntil('webhooks', () => hooks, n, timeoutMs),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
