// Operating an integration: trigger tokens (the trigger API), alert settings, activation and what a delete removes.
import { z } from 'zod';
import { StartRunInput } from './integrations';
import { hasControlCharacters, NAME_CONTROL_MESSAGE } from '../util/control-characters';

/** A token that may trigger one integration, as listed (never the token itself, which is shown once). */
export const TriggerTokenInfo = z.object({
  id: z.string(),
  integrationId: z.string(),
  name: z.string(),
  /** The first characters, to tell tokens apart ("weft_trg_Ab12Cd"). */
  prefix: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type TriggerTokenInfo = z.infer<typeof TriggerTokenInfo>;

export const TriggerTokenInput = z.object({
  name: z.string().trim().min(1, 'Name the token (what will call it)').max(120).refine((n) => !hasControlCharacters(n), NAME_CONTROL_MESSAGE),
});

export const CreatedTriggerToken = z.object({ token: z.string(), info: TriggerTokenInfo });

/** The body of `POST /api/integrations/:id/trigger`: the run's parameters (all optional). */
export const TriggerInput = StartRunInput.pick({ params: true, fullSync: true, confirmDeletes: true, refresh: true });

export const TriggerResult = z.object({
  runId: z.string(),
  /** The status: an absolute `GET /api/runs/:id` address (read with a session or an API token). */
  statusUrl: z.string(),
});

/** When an integration alerts, and whom. */
export const AlertSettings = z.object({
  /** Email recipients (empty: no email). */
  emails: z.array(z.email('Not an email address')).max(20).default([]),
  /** An https (or, with WEFT_ALLOW_PRIVATE_HOSTS, a private http) address that receives signed JSON posts; null: no webhook. */
  webhookUrl: z.url({ protocol: /^https?$/, message: 'An http(s) address' }).max(2000).nullable().default(null),
  /** A run ends Failed. */
  onFailure: z.boolean().default(true),
  /** A run completes with more than this percentage of its records rejected (null: never). */
  rejectedAbovePercent: z.number().min(0).max(100).nullable().default(null),
  /** The integration is deactivated after failing again and again. */
  onAutoDisable: z.boolean().default(true),
  /** Consecutive failed runs after which the integration is deactivated (0: never). */
  autoDisableAfter: z.number().int().min(0).max(1000).default(5),
});
export type AlertSettings = z.infer<typeof AlertSettings>;
export const DEFAULT_ALERT_SETTINGS: AlertSettings = AlertSettings.parse({});

/** The integration's alert settings with what is derived from them: the webhook's signing secret and the current state. */
export const AlertView = z.object({
  settings: AlertSettings,
  /**
   * The HMAC-SHA256 key webhook receivers verify `X-Weft-Signature` with (kept sealed with the secrets key). Null when
   * it cannot be read with this server's key (sealed with another one): rotate it to make a new one.
   */
  webhookSecret: z.string().nullable(),
  /** What was last alerted: ok (nothing, or recovered), failing, errors (rejected above the threshold), disabled. */
  state: z.enum(['ok', 'failing', 'errors', 'disabled']),
  consecutiveFailures: z.number().int(),
  /** Whether mail can be sent at all (WEFT_SMTP_URL is set). */
  emailConfigured: z.boolean(),
});
export type AlertView = z.infer<typeof AlertView>;

export const ActivationInput = z.object({ active: z.boolean() });

/** What deleting an integration removes (and what it leaves: records already written to targets). */
export const DeletionSummary = z.object({
  versions: z.number().int(),
  runs: z.number().int(),
  rejectedRecords: z.number().int(),
  tokens: z.number().int(),
});
export type DeletionSummary = z.infer<typeof DeletionSummary>;

/** The events an alert is sent for. */
export const AlertEvent = z.enum(['run.failed', 'run.rejected_above_threshold', 'integration.auto_disabled']);
export type AlertEvent = z.infer<typeof AlertEvent>;
