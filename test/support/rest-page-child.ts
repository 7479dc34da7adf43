// Run in a worker-sized heap (--max-old-space-size=160) by runtime/connectors/rest/page-heap.test.ts (probe15): a
// local API answers one page of N tiny records (`{}`, `0` or a short object), the REST connector reads it, and the
// child prints one JSON line: the rows read and the heap's peak, or the error the read ended with.
import { createServer } from 'node:http';
import { openRestSession } from '../../runtime/connectors/rest/index';
import { RestConfig, RestEndpoint } from '../../runtime/connectors/rest/manifest';

const kind = process.argv[2] ?? 'empty';
const count = Number(process.argv[3] ?? '1000');
const item = kind === 'empty' ? '{}' : kind === 'zero' ? '0' : '{"a":"xxxxxxxxxxxxxxxxxxxx"}';
const body = Buffer.from(`{"data":[${Array<string>(count).fill(item).join(',')}]}`);
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  void (async () => {
    const { port } = server.address() as { port: number };
    const config = RestConfig.parse({ baseUrl: `http://127.0.0.1:${port}`, allowPrivateNetwork: true, objects: [RestEndpoint.parse({ name: 'items', path: '/items', recordsPath: 'data' })] });
    const session = openRestSession(config, {});
    let rows = 0;
    let peak = 0;
    try {
      for await (const b of session.read('items', { batchSize: 5000 })) {
        rows += b.rows.length;
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
      console.log(JSON.stringify({ ok: true, rows, peakMb: Math.round(peak / 1e6) }));
    } catch (e) {
      console.log(JSON.stringify({ ok: false, error: (e as Error).message }));
    } finally {
      await session.close();
      server.close();
    }
  })();
});
