// What the HTTP API needs from the rest of the runtime; runtime/main.ts builds it.
import type { ConnectionService } from '../connections';
import type { AddressGuard } from '../net';
import type { FileStorage } from '../files/storage';
import type { Store } from '../store/types';
import type { ScheduleKeeper } from '../temporal/schedules';
import type { SetEngine } from '../temporal/sets';
import type { WebhookDrain } from './webhooks';

export interface RunLauncher {
  /** `resume`: a new execution of a failed run, which continues from its checkpoints. */
  start(input: { runId: string; versionId: string; resume?: boolean; params?: Record<string, unknown> }): Promise<{ workflowId: string }>;
  /**
   * Cancels the run's workflow (Cancel on the run page); absent where nothing runs (tests of other routes): 503.
   * `running: false`: Temporal has no running workflow of that id (runtime/temporal/client.ts `cancelRunning`);
   * `closed`: it had one, which ended (else none: its start has not reached Temporal yet).
   */
  cancel?(workflowId: string): Promise<{ running: boolean; closed?: boolean }>;
}

export interface ApiDeps {
  store: Store;
  launcher: RunLauncher;
  /** Integration schedules as Temporal Schedules; without it, schedule routes answer 503. */
  schedules?: ScheduleKeeper;
  /** Integration sets on Temporal (runs, cancel, the set's Schedule); without it, running or scheduling a set answers 503. */
  sets?: SetEngine;
  /** Where uploaded files are kept (a local folder), unless `files` says otherwise. */
  filesDir: string;
  /** The file storage (WEFT_FILES_URL: a bucket, or a folder); default: the folder `filesDir`. */
  files?: FileStorage;
  /** Uploads larger than this are refused with 413 (default 50 MB). */
  maxUploadBytes: number;
  /** How often the SSE stream re-reads a run in flight. */
  ssePollMs?: number;
  /** How often a run's event stream checks that its session or token still holds (default 15 s). */
  sseRecheckMs?: number;
  /** The one door to connectors (runtime/connections), built once by runtime/wiring.ts: saved connections, sessions, secrets. */
  connections: ConnectionService;
  /** Reports whether Temporal answers, for /api/health (with why, when it does not). */
  temporalHealth?: () => Promise<boolean | { up: boolean; message?: string }>;
  /** Health answers "down" when `temporalHealth` takes longer than this (default 2 s). */
  temporalHealthDeadlineMs?: number;
  /** Where people reach Weft (WEFT_PUBLIC_URL): the one Host and Origin it accepts; https makes cookies Secure. Default http://localhost. */
  publicUrl?: string;
  /** log2 of scrypt's N for new password hashes (default 17); tests lower it. */
  passwordCost?: number;
  /** Failed sign-ins allowed per email and per address in a window (default 10 per 15 minutes). */
  signInLimit?: { max: number; windowMs: number };
  /** Runs one trigger token may start in a window (default 60 a minute); more answer 429 with Retry-After. */
  triggerLimit?: { max: number; windowMs: number };
  /** Which hosts an alert webhook may post to: the outbound-address guard (default: WEFT_ALLOWED_HOSTS / WEFT_ALLOW_PRIVATE_HOSTS). */
  alertGuard?: AddressGuard;
  /** Whether alert emails can be sent (WEFT_SMTP_URL is set); the alerts form says so when not. */
  emailConfigured?: boolean;
  /** Starts or signals an integration's webhook drain after a request is stored; without it requests wait for the sweep. */
  webhookDrain?: WebhookDrain;
  /** Inbound webhook bodies larger than this answer 413 (default 1 MB, WEFT_WEBHOOK_MAX_BYTES). */
  webhookMaxBytes?: number;
}
