// A bare HTTP listener on 127.0.0.1 that records what reaches it (method, path, authorization) and answers a fixed
// JSON body: the "other host" of hostile-server tests (a next-page address or a redirect to somewhere else), where no
// credential may arrive.
import { createServer, type Server } from 'node:http';

export interface Listener {
  url: string;
  hits: { method: string; path: string; authorization: string | null }[];
  close(): Promise<void>;
}

export function startListener(body: unknown = { records: [], done: true, results: [] }): Promise<Listener> {
  const hits: Listener['hits'] = [];
  const server: Server = createServer((req, res) => {
    hits.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization ?? null });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        hits,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
