// The Hono app over an in-memory store in a scratch folder, signed in as the owner, with a launcher that starts no
// workflow: for API tests that need no worker (test/support/api-rig.ts has the whole API on a real worker).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApi } from '../../runtime/api/app';
import type { ApiDeps } from '../../runtime/api/deps';
import { openStore } from '../../runtime/store';
import type { Store } from '../../runtime/store/types';
import { testConnections } from './connections';
import { asOwner } from './signed-in';

export interface ApiApp {
  /** Signed in as the owner. */
  app: ReturnType<typeof createApi>;
  /** The same app without credentials. */
  anonymous: ReturnType<typeof createApi>;
  store: Store;
  dir: string;
  close(): Promise<void>;
}

/** `deps`: any further settings of createApi (ssePollMs, passwordCost, …). */
export async function openApiApp(opts: { name: string; maxUploadBytes: number; temporalHealthy?: boolean; deps?: Partial<Omit<ApiDeps, 'store' | 'connections' | 'filesDir'>> }): Promise<ApiApp> {
  const dir = await mkdtemp(join(tmpdir(), `weft-${opts.name}-`));
  const store = await openStore({ dataDir: dir, memory: true });
  await store.migrate();
  const app = createApi({
    store,
    launcher: { start: async (input) => ({ workflowId: `run-${input.runId}` }) },
    filesDir: join(dir, 'files'),
    maxUploadBytes: opts.maxUploadBytes,
    connections: testConnections(store, { filesDir: join(dir, 'files') }),
    ...(opts.temporalHealthy && { temporalHealth: async () => true }),
    ...opts.deps,
  });
  return {
    app: await asOwner(app, store),
    anonymous: app,
    store,
    dir,
    close: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
