// What the HTTP API needs from the rest of the runtime; runtime/main.ts builds it.
import type { Store } from '../store/types';

export interface RunLauncher {
  start(input: { runId: string; versionId: string }): Promise<{ workflowId: string }>;
}

export interface ApiDeps {
  store: Store;
  launcher: RunLauncher;
  /** Where uploaded files are kept. */
  filesDir: string;
  /** Uploads larger than this are refused with 413 (default 50 MB). */
  maxUploadBytes: number;
  /** How often the SSE stream re-reads a run in flight. */
  ssePollMs?: number;
  /** Reports whether Temporal answers, for /api/health. */
  temporalHealth?: () => Promise<boolean>;
}
