// Run in a worker-sized heap (--max-old-space-size=160) by runtime/connectors/rest/page-heap.test.ts (review14a): an
// API whose every page gives a new next cursor of SIZE characters, for PAGES pages; the read remembers the cursors it
// followed to see a circle. The child prints one JSON line: the rows read, or the error the read ended with.
import { createServer } from 'node:http';
import { openRestSession } from '../../runtime/connectors/rest/index';
import { RestConfig, RestEndpoint } from '../../runtime/connectors/rest/manifest';

const size = Number(process.argv[2] ?? '1000');
const pages = Number(process.argv[3] ?? '10');
let served = 0;
const server = createServer({ maxHeaderSize: 4 * size + 65_536 }, (_req, res) => {
  served++;
  const next = served < pages ? `${String(served).padStart(8, '0')}${'c'.repeat(size - 8)}` : null;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ data: [{ n: served }], next }));
});
server.listen(0, '127.0.0.1', () => {
  void (async () => {
    const { port } = server.address() as { port: number };
    const config = RestConfig.parse({ baseUrl: `http://127.0.0.1:${port}`, allowPrivateNetwork: true, objects: [RestEndpoint.parse({ name: 'items', path: '/items', recordsPath: 'data', pagination: 'cursor', pageParam: 'cursor', cursorPath: 'next' })] });
    const session = openRestSession(config, {});
    let rows = 0;
    try {
      for await (const b of session.read('items', { batchSize: 5000 })) rows += b.rows.length;
      console.log(JSON.stringify({ ok: true, rows }));
    } catch (e) {
      console.log(JSON.stringify({ ok: false, error: (e as Error).message.slice(0, 300) }));
    } finally {
      await session.close();
      server.close();
    }
  })();
});
