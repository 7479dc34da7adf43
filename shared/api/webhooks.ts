// Inbound webhooks as the API serves them: an integration's endpoint (its URL, how senders authenticate, the secret's
// prefix, the limits) with its queue depth, the secret shown once when made or regenerated, and a request's receipt.
import { z } from 'zod';

export const WebhookAuth = z.enum(['signature', 'token']).meta({ description: 'signature: HMAC-SHA256 of "<timestamp>.<raw body>" in X-Weft-Signature; token: the secret itself in X-Weft-Token' });
export type WebhookAuth = z.infer<typeof WebhookAuth>;

/** The limits a request must keep (docs/webhooks.md). */
export const WEBHOOK_LIMITS = {
  /** Raw body bytes; more answers 413 (WEFT_WEBHOOK_MAX_BYTES changes it). */
  maxBodyBytes: 1_048_576,
  /** Records in one body; more answers 413. */
  maxRecordsPerRequest: 1_000,
  /** How far X-Weft-Timestamp may be from the server's clock, either way. */
  toleranceSeconds: 300,
  /** Requests one run drains at most; a longer queue is drained by the next runs of the same workflow. */
  maxRequestsPerRun: 5_000,
} as const;

export const WebhookQueue = z.object({
  /** Requests received and not yet drained by a run. */
  waiting: z.number().int().nonnegative(),
  waitingRecords: z.number().int().nonnegative(),
  oldestWaitingAt: z.string().nullable(),
  /** Requests drained by runs that have not completed yet (running, or failed and resumable). */
  inRuns: z.number().int().nonnegative(),
});
export type WebhookQueue = z.infer<typeof WebhookQueue>;

export const WebhookEndpoint = z.object({
  /** Where senders POST: WEFT_PUBLIC_URL + /api/hooks/<hook id>. */
  url: z.string(),
  auth: WebhookAuth,
  /** The secret's first characters, to tell secrets apart; the secret itself is shown once. */
  secretPrefix: z.string(),
  createdAt: z.string(),
  rotatedAt: z.string(),
  queue: WebhookQueue,
  limits: z.object({ maxBodyBytes: z.number().int(), maxRecordsPerRequest: z.number().int(), toleranceSeconds: z.number().int() }),
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

/** The endpoint with its new secret: the one time the secret is shown. */
export const CreatedWebhookSecret = WebhookEndpoint.extend({ secret: z.string() });
export type CreatedWebhookSecret = z.infer<typeof CreatedWebhookSecret>;

export const WebhookSecretInput = z.object({ auth: WebhookAuth.optional() });
export const WebhookSettingsInput = z.object({ auth: WebhookAuth });

/** What a sender gets back: the request is stored and will be written by a run. */
export const WebhookReceipt = z.object({
  accepted: z.literal(true),
  /** Records the body holds. */
  records: z.number().int().nonnegative(),
  /** The request's place in the integration's queue. */
  id: z.string(),
});
export type WebhookReceipt = z.infer<typeof WebhookReceipt>;
