// Runtime settings from the environment, parsed once; everything has an embedded default.
import { resolve } from 'node:path';
import { z } from 'zod';
import { fileLimits } from './files/limits';
import { PROJECT_ROOT } from './project-root';

const ON = ['1', 'true', 'on', 'yes'] as const;
const OFF = ['0', 'false', 'off', 'no'] as const;

/**
 * A switch from the environment: unset or empty is `fallback`; 1/true/on/yes and 0/false/off/no (any case, no spaces
 * around) are on and off; anything else is refused with the setting's name, never read as "on".
 */
export function onOff(name: string, value: string | undefined, fallback = false): boolean {
  if (value === undefined || value === '') return fallback;
  const v = value.toLowerCase();
  if ((ON as readonly string[]).includes(v)) return true;
  if ((OFF as readonly string[]).includes(v)) return false;
  throw new Error(`${name} must be one of ${ON.join(', ')} (on) or ${OFF.join(', ')} (off), not ${JSON.stringify(value.slice(0, 40))}.`);
}

/** The most pipelines a worker may be told to read at once. */
export const MAX_PIPELINES_IN_FLIGHT = 64;
/** A whole number from 1 to 64 written plainly (no sign, spaces, exponent, hex or leading zero). */
const inFlightCap = z
  .string()
  .regex(/^[1-9][0-9]{0,1}$/, `Write a whole number from 1 to ${MAX_PIPELINES_IN_FLIGHT}, like 4`)
  .transform(Number)
  .refine((n) => n <= MAX_PIPELINES_IN_FLIGHT, `Write a whole number from 1 to ${MAX_PIPELINES_IN_FLIGHT}, like 4`);

const Env = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  WEFT_DATA_DIR: z.string().default('data'),
  DATABASE_URL: z.string().url().optional(),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_PORT: z.coerce.number().int().default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().default(8233),
  WEFT_TASK_QUEUE: z.string().default('weft'),
  WEFT_MAX_UPLOAD_MB: z.coerce.number().positive().default(50),
  /** Inbound webhook bodies above this answer 413 (docs/webhooks.md). */
  WEFT_WEBHOOK_MAX_BYTES: z.coerce.number().int().positive().max(52_428_800).default(1_048_576),
  WEFT_SEED: z.enum(['true', 'false']).default('true'),
  /** 32 bytes as hex or base64; when unset, <dataDir>/secret.key is created once (mode 0600). */
  WEFT_SECRET_KEY: z.string().optional(),
  /** Where people reach Weft; the one Host and Origin the API accepts. Default http://<HOST>:<PORT> (localhost for 0.0.0.0). */
  WEFT_PUBLIC_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\/[^/]+\/?$/.test(u), 'Give the origin only, like https://weft.example.com (no path)')
    .optional(),
  /** On a first start (no account yet): create the owner with these, without the browser. */
  WEFT_OWNER_EMAIL: z.string().optional(),
  WEFT_OWNER_PASSWORD: z.string().optional(),
  /** What this process runs: API + worker (+ the embedded dev server), the API alone, or a worker alone. */
  WEFT_ROLE: z.enum(['all', 'api', 'worker'], { error: 'WEFT_ROLE must be all, api or worker' }).default('all'),
  /** Uploaded files; shared storage when workers run on other machines. Default <dataDir>/files. */
  WEFT_FILES_DIR: z.string().optional(),
  /** Uploaded files in an S3-compatible bucket: s3://bucket/prefix (docs/scale-out.md); unset: WEFT_FILES_DIR on local disk. */
  WEFT_FILES_URL: z
    .string()
    .refine((u) => /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(u), 'Write s3://bucket or s3://bucket/prefix (the bucket name in lower case)')
    .optional(),
  /** An S3-compatible server's address (MinIO, Ceph, moto…); unset: AWS itself. Region and credentials follow the AWS SDK (AWS_REGION, AWS_ACCESS_KEY_ID…). */
  WEFT_S3_ENDPOINT: z.string().url().optional(),
  WEFT_S3_REGION: z.string().optional(),
  /** Path-style addresses (http://host/bucket/key); default true with WEFT_S3_ENDPOINT, false for AWS. */
  WEFT_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).optional(),
  /** How long one request to the bucket waits for the server's answer before it is retried (then fails plainly); default 60. */
  WEFT_S3_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).optional(),
  /** Rows per batch. */
  WEFT_BATCH_SIZE: z.coerce.number().int().positive().optional(),
  /** Test hook: pause after each batch (ms), so a run lasts long enough to interrupt. */
  WEFT_BATCH_DELAY_MS: z.coerce.number().int().nonnegative().optional(),
  /**
   * Pipelines one worker reads at once, whole or parts of split ones: the worker's budget of pipeline windows
   * (docs/scale-out.md "Memory on one worker"); default from the worker's heap, at most 8.
   */
  WEFT_MAX_PIPELINES_IN_FLIGHT: inFlightCap.optional(),
  /** The older name of WEFT_MAX_PIPELINES_IN_FLIGHT (it counted parts only); still read, the same budget. */
  WEFT_MAX_PARTS_IN_FLIGHT: inFlightCap.optional(),
  /** How long a run waits for an unreachable source or target before it fails (minutes); an integration may set its own. */
  WEFT_OUTAGE_WINDOW_MINUTES: z.coerce.number().positive().default(15),
  /** Temporal SDK log level (Weft prints its own progress; the worker role defaults to INFO, the others to WARN). */
  WEFT_TEMPORAL_LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).optional(),
  /** auto: build the web app at start when its sources changed; never: serve what dist/web holds (built images, tests). */
  WEFT_WEB_BUILD: z.enum(['auto', 'never']).default('auto'),
  /** Alert emails: an SMTP address (smtp://user:pass@host:587, smtps://…:465); unset: alerts go to webhooks only. */
  WEFT_SMTP_URL: z.string().url().optional(),
  /** The sender of alert emails. */
  WEFT_SMTP_FROM: z.string().default('Weft <weft@localhost>'),
  /** Diagnostics: log the process's memory every second. */
  WEFT_MEMORY_LOG: z.string().optional(),
  /**
   * On (1/true/on/yes): `npm start` runs workflows on its main thread instead of the SDK's workflow thread: ~15–20 MB
   * less, but 50 runs at once took ~1.5x as long (the thread is a second core's worth of parallelism). Off by default;
   * any value but the on and off words is refused (`onOff`).
   */
  WEFT_WORKFLOWS_ON_MAIN_THREAD: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      try {
        onOff('WEFT_WORKFLOWS_ON_MAIN_THREAD', v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  /** Diagnostics: log, after each pipeline pass, how long its read, transform, write and commit stages were busy. */
  WEFT_STAGE_LOG: z.string().optional(),
});

/** http://<host>:<port> as a browser on this machine would write it. */
function defaultPublicUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' || host === '' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

export type Role = z.infer<typeof Env>['WEFT_ROLE'];

export type Config = ReturnType<typeof loadConfig>;

/** `projectDir` anchors relative paths; the compiled worker (dist/worker) passes the cwd. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, projectDir = PROJECT_ROOT) {
  const parsed = Env.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.WEFT_MAX_PIPELINES_IN_FLIGHT !== undefined && e.WEFT_MAX_PARTS_IN_FLIGHT !== undefined && e.WEFT_MAX_PIPELINES_IN_FLIGHT !== e.WEFT_MAX_PARTS_IN_FLIGHT) {
    throw new Error('Invalid environment:\n  WEFT_MAX_PARTS_IN_FLIGHT: the older name of WEFT_MAX_PIPELINES_IN_FLIGHT, set to another value: keep one of the two');
  }
  // The file limits are read where files are read (runtime/files/limits.ts); a bad one stops the start here.
  try {
    fileLimits(env);
  } catch (err) {
    throw new Error(`Invalid environment:\n  ${(err as Error).message}`);
  }
  const dataDir = resolve(projectDir, e.WEFT_DATA_DIR);
  return {
    projectDir,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    filesDir: e.WEFT_FILES_DIR ? resolve(projectDir, e.WEFT_FILES_DIR) : resolve(dataDir, 'files'),
    filesUrl: e.WEFT_FILES_URL,
    s3: {
      ...(e.WEFT_S3_ENDPOINT ? { endpoint: e.WEFT_S3_ENDPOINT } : {}),
      region: e.WEFT_S3_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      forcePathStyle: e.WEFT_S3_FORCE_PATH_STYLE ? e.WEFT_S3_FORCE_PATH_STYLE === 'true' : !!e.WEFT_S3_ENDPOINT,
      ...(e.WEFT_S3_TIMEOUT_SECONDS !== undefined && { timeoutMs: Math.round(e.WEFT_S3_TIMEOUT_SECONDS * 1000) }),
    },
    databaseUrl: e.DATABASE_URL,
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    temporalPort: e.TEMPORAL_PORT,
    temporalUiPort: e.TEMPORAL_UI_PORT,
    taskQueue: e.WEFT_TASK_QUEUE,
    maxUploadBytes: Math.round(e.WEFT_MAX_UPLOAD_MB * 1024 * 1024),
    webhookMaxBytes: e.WEFT_WEBHOOK_MAX_BYTES,
    seed: e.WEFT_SEED === 'true',
    secretKey: e.WEFT_SECRET_KEY,
    role: e.WEFT_ROLE,
    batchSize: e.WEFT_BATCH_SIZE,
    batchDelayMs: e.WEFT_BATCH_DELAY_MS,
    /** Pipelines (whole or parts) this worker reads at once; unset: from the heap (part-gate.ts). */
    maxPipelinesInFlight: e.WEFT_MAX_PIPELINES_IN_FLIGHT ?? e.WEFT_MAX_PARTS_IN_FLIGHT,
    outageWindowMs: Math.round(e.WEFT_OUTAGE_WINDOW_MINUTES * 60_000),
    temporalLogLevel: e.WEFT_TEMPORAL_LOG_LEVEL ?? (e.WEFT_ROLE === 'worker' ? 'INFO' : 'WARN'),
    memoryLog: !!e.WEFT_MEMORY_LOG,
    workflowsOnMainThread: onOff('WEFT_WORKFLOWS_ON_MAIN_THREAD', e.WEFT_WORKFLOWS_ON_MAIN_THREAD),
    stageLog: !!e.WEFT_STAGE_LOG,
    smtpUrl: e.WEFT_SMTP_URL,
    smtpFrom: e.WEFT_SMTP_FROM,
    webBuild: e.WEFT_WEB_BUILD,
    webDist: resolve(projectDir, 'dist/web'),
    publicUrl: (e.WEFT_PUBLIC_URL ?? defaultPublicUrl(e.HOST, e.PORT)).replace(/\/$/, ''),
    ownerEmail: e.WEFT_OWNER_EMAIL,
    ownerPassword: e.WEFT_OWNER_PASSWORD,
  };
}
