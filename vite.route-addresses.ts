// A Vite plugin (used by vite.config.ts and vitest.config.ts): the virtual module `virtual:weft-route-addresses`
// holds each route contract's method and path, read from shared/api/routes at build time. The web client starts a
// request from that address at once, while the contracts themselves (zod and every schema, ~35 KB gzipped) load in
// a lazy chunk beside the request and parse its answer (web/api.ts). A path stays written once, in its contract.
import { fileURLToPath } from 'node:url';
import { runnerImport, type Plugin } from 'vite';

const ID = 'virtual:weft-route-addresses';
const RESOLVED = `\0${ID}`;
const ROUTES = fileURLToPath(new URL('./shared/api/routes/index.ts', import.meta.url));
const SHARED_DIR = fileURLToPath(new URL('./shared/', import.meta.url));

type Address = { method: string; path: string };
const isAddress = (v: unknown): v is Address =>
  typeof v === 'object' && v !== null && typeof (v as Address).method === 'string' && typeof (v as Address).path === 'string';

/** `{ name: { method, path } }` for every route contract shared/api/routes exports, and API_BASE. */
export async function routeAddresses(): Promise<{ base: string; addresses: Record<string, Address> }> {
  const { module } = await runnerImport<Record<string, unknown>>(ROUTES, { configFile: false, logLevel: 'error' });
  const addresses: Record<string, Address> = {};
  for (const [name, value] of Object.entries(module)) if (isAddress(value)) addresses[name] = { method: value.method, path: value.path };
  return { base: String(module.API_BASE), addresses };
}

export function routeAddressesPlugin(): Plugin {
  return {
    name: 'weft-route-addresses',
    resolveId: { filter: { id: new RegExp(`^${ID}$`) }, handler: () => RESOLVED },
    load: {
      filter: { id: new RegExp(`^\0${ID}$`) },
      async handler() {
        const { base, addresses } = await routeAddresses();
        return `export const API_BASE = ${JSON.stringify(base)};\nexport const ADDRESSES = ${JSON.stringify(addresses)};\n`;
      },
    },
    // In dev (vite serve), a changed contract changes the addresses too.
    handleHotUpdate({ file, server }) {
      if (!file.startsWith(SHARED_DIR)) return;
      const mod = server.moduleGraph.getModuleById(RESOLVED);
      if (mod) server.moduleGraph.invalidateModule(mod);
    },
  };
}
