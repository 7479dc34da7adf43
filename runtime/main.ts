// `npm start`: Weft in the role WEFT_ROLE names (all by default: API, worker and the embedded Temporal dev server).
// First: takes the collector `node --expose-gc` gave and hides it from every other module and context (idle-gc.ts).
import './idle-gc';
import { loadConfig } from './config';
import { startWeft } from './wiring';

try {
  await startWeft(loadConfig());
} catch (err) {
  console.error('[weft] could not start:', err instanceof Error ? err.message : err);
  process.exit(2);
}
