// `npm run worker`: one more worker for a Temporal cluster, sharing the API's Postgres. Scale out by running more.
// The same wiring as `npm start` (runtime/wiring.ts) in the worker role; compiled by esbuild, so paths are the cwd's.
import { loadConfig } from './config';
import { startWeft } from './wiring';

try {
  await startWeft(loadConfig({ ...process.env, WEFT_ROLE: 'worker' }, process.cwd()));
} catch (err) {
  console.error(`[worker] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}
