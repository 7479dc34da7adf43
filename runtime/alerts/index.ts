// Alerts after a run ends: decide (decide.ts) under the integration's row lock, deactivate when it keeps failing
// (auto-disable.ts), and queue the email and webhook deliveries (deliver.ts), which retry in the background.
import type { AlertEvent } from '../../shared/api/operations';
import { RUN_STATUS_LABELS, type Run } from '../../shared/api/runs';
import type { Store } from '../store/types';
import { onAutoDisable, type AutoDisableHooks } from './auto-disable';
import { decideAlerts, type RunOutcome } from './decide';
import { alertSecretOf, type SecretBox } from './secret';
import type { AlertMessage, Deliverer } from './deliver';

export interface AlertService {
  /**
   * Called once when a run has ended (the finishRun activity). Never throws: alerts must not fail a run. `ended` is
   * the run as it was just recorded, when the caller has it (then it is not read again).
   */
  afterRun(runId: string, ended?: Run): Promise<void>;
  readonly deliverer: Deliverer;
}

export interface AlertDeps {
  store: Store;
  deliverer: Deliverer;
  /** Where people reach Weft, for links in the messages. */
  publicUrl: string;
  /** Opens the webhook's sealed signing secret (and makes one when there is none yet). */
  secrets: SecretBox;
  hooks?: AutoDisableHooks;
  log?: (message: string, err?: unknown) => void;
}

function outcomeOf(run: Run): RunOutcome | null {
  if (run.status === 'failed') return { kind: 'failed', error: run.error };
  if (run.status === 'completed' || run.status === 'completed_with_errors') {
    const read = Math.max(run.counts.read, run.counts.rejected);
    return { kind: 'completed', rejectedPercent: read > 0 ? (run.counts.rejected / read) * 100 : 0 };
  }
  return null;
}

function messageOf(event: AlertEvent, name: string, run: Run, runUrl: string, extra: { reason?: string; threshold?: number | null }): AlertMessage {
  const read = Math.max(run.counts.read, run.counts.rejected);
  const percent = read > 0 ? (run.counts.rejected / read) * 100 : 0;
  const subject =
    event === 'run.failed'
      ? `${name}: the run failed`
      : event === 'run.rejected_above_threshold'
        ? `${name}: ${percent.toFixed(1)}% of records rejected`
        : `${name} was deactivated`;
  const lines = [
    event === 'integration.auto_disabled' ? `${extra.reason ?? 'Deactivated after repeated failures'}. Activate it again on its page once the cause is fixed.` : subject,
    '',
    `Run: ${runUrl}`,
    `Status: ${RUN_STATUS_LABELS[run.status]}`,
    `Read ${run.counts.read}, written ${run.counts.written}, rejected ${run.counts.rejected}`,
    ...(run.error ? [`Error: ${run.error}`] : []),
    ...(event === 'run.rejected_above_threshold' && extra.threshold != null ? [`Threshold: ${extra.threshold}% rejected`] : []),
  ];
  return {
    event,
    subject,
    text: lines.join('\n'),
    payload: {
      event,
      integration: { id: run.integrationId, name },
      run: { id: run.id, status: run.status, error: run.error, counts: run.counts, url: runUrl, endedAt: run.endedAt },
      ...(event === 'run.rejected_above_threshold' && { rejectedPercent: Number(percent.toFixed(2)), threshold: extra.threshold ?? null }),
      ...(event === 'integration.auto_disabled' && { reason: extra.reason ?? null }),
      at: new Date().toISOString(),
    },
  };
}

export function createAlerts(deps: AlertDeps): AlertService {
  const log = deps.log ?? ((m: string, err?: unknown) => console.warn(`[alerts] ${m}`, err ?? ''));
  return {
    deliverer: deps.deliverer,
    async afterRun(runId, ended) {
      try {
        // The run's status, counts and error only (two queries; getRun would also read its files and sync report).
        const run = ended?.id === runId ? ended : await deps.store.getRunState(runId);
        if (!run) return;
        const outcome = outcomeOf(run);
        if (!outcome) return;
        const decided = await deps.store.ops.transitionAlerts(run.integrationId, (memory) => {
          const d = decideAlerts(memory, outcome);
          return { update: d.update, result: { ...d, memory } };
        });
        if (!decided) return;
        // A schedule that could not be paused is logged after the deliveries are queued: the state change is recorded,
        // so an alert not queued now would never be sent.
        const disabled = decided.autoDisable ? await onAutoDisable(deps.store, run.integrationId, decided.autoDisable, deps.hooks) : null;
        const { memory } = decided;
        const runUrl = `${deps.publicUrl.replace(/\/$/, '')}/#/runs/${encodeURIComponent(run.id)}`;
        // The webhook is signed or not sent: a receiver that checks the signature would refuse it, one that does not
        // could not tell it from a forgery (a worker without the secrets key, or a secret sealed with another key).
        let webhookUrl = memory.settings.webhookUrl;
        let webhookSecret = '';
        if (webhookUrl && decided.events.length > 0) {
          const secret = await alertSecretOf(deps.store, run.integrationId, memory.webhookSecret, deps.secrets);
          if (secret) webhookSecret = secret;
          else {
            log(`Not sending the webhook alerts of ${run.integrationId}: its signing secret cannot be read here (start the worker with WEFT_SECRET_KEY, the API's key; or rotate the secret on the Alerts card)`);
            webhookUrl = null;
          }
        }
        for (const event of decided.events) {
          const message = messageOf(event, memory.name, run, runUrl, { reason: decided.autoDisable ?? undefined, threshold: memory.settings.rejectedAbovePercent });
          deps.deliverer.enqueue(message, { emails: memory.settings.emails, webhookUrl, webhookSecret });
        }
        if (disabled) log(`Deactivated ${run.integrationId} but could not pause its schedule`, disabled.pauseError);
      } catch (err) {
        log(`Could not evaluate alerts after run ${runId}`, err);
      }
    },
  };
}
