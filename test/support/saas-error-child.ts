// Run in a worker-sized heap (--max-old-space-size=160) by runtime/connectors/saas/error-heap.test.ts (review14a): an
// error answer (400) whose body is N empty objects goes through the HubSpot or Salesforce error reader; the child prints
// one JSON line with the error's message, or dies out of memory.
import { hubspotError } from '../../runtime/connectors/hubspot/index';
import { salesforceError } from '../../runtime/connectors/salesforce/index';

const system = process.argv[2] ?? 'hubspot';
const count = Number(process.argv[3] ?? '1000');
const response = { status: 400, headers: { 'content-type': 'application/json' }, text: `[${Array<string>(count).fill('{}').join(',')}]` };
if (system === 'salesforce-token') {
  // The token endpoint answering 200 with that body: signing in reads it.
  const { createServer } = await import('node:http');
  const { salesforceConnector } = await import('../../runtime/connectors/salesforce/index');
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(response.text);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  process.env.WEFT_ALLOW_PRIVATE_HOSTS = 'true';
  try {
    const session = await salesforceConnector.open({ loginUrl: `http://127.0.0.1:${port}`, flow: 'client_credentials', clientId: '3MVG9local.test.client', username: '', apiVersion: '62.0', maxConcurrency: 1 }, { clientSecret: 'local-test-client-secret-0123', password: '', securityToken: '' });
    await session.test();
    console.log(JSON.stringify({ ok: false, message: 'signed in' }));
  } catch (e) {
    console.log(JSON.stringify({ ok: true, message: (e as Error).message.slice(0, 300) }));
  }
  server.close();
} else {
  const error = system === 'hubspot' ? hubspotError(response, 'reading contacts') : salesforceError(response, 'reading Account');
  console.log(JSON.stringify({ ok: true, message: error.message.slice(0, 300) }));
}
