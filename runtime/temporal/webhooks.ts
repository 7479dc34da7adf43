// Starts or signals an integration's webhook drain (workflows/drain-webhook.ts) with one signal-with-start: Temporal
// starts workflow webhook-<integration id> if it is not running and signals it either way, so there is one drain per
// integration however many requests arrive. Signals are coalesced per integration: while one is on its way, further
// requests only ask for one more after it, so a burst of 10,000 requests sends a handful of signals, and the last one
// always follows the last request stored. A signal that fails (Temporal down) is sent again by the sweep.
import type { Client } from '@temporalio/client';
import type { WebhookDrain } from '../api/webhooks';
import type { Store } from '../store/types';
import type { SyncIntegrationInput } from '../../workflows/sync-integration';
import { DEFAULT_TASK_QUEUE } from './client';

export const drainWorkflowId = (integrationId: string) => `webhook-${integrationId}`;

export interface WebhookDrainer extends WebhookDrain {
  /** Kicks the drain of every integration with requests waiting longer than `olderThanMs`, and forgets old replay digests. */
  sweep(store: Store, olderThanMs?: number): Promise<number>;
  /** Settles when no signal is on its way (tests). */
  idle(): Promise<void>;
  /** Signals sent so far (tests and the bench print it). */
  readonly sent: number;
}

export function createWebhookDrainer(opts: {
  client: Client;
  taskQueue?: string;
  pipeline?: SyncIntegrationInput['pipeline'];
  log?: (message: string) => void;
}): WebhookDrainer {
  const taskQueue = opts.taskQueue ?? DEFAULT_TASK_QUEUE;
  const log = opts.log ?? ((m: string) => console.warn(`[webhooks] ${m}`));
  const inFlight = new Map<string, { again: boolean; done: Promise<void> }>();
  let sent = 0;

  const signal = (integrationId: string) =>
    opts.client.workflow.signalWithStart('drainWebhook', {
      workflowId: drainWorkflowId(integrationId),
      taskQueue,
      args: [{ integrationId, ...(opts.pipeline && { pipeline: opts.pipeline }) }],
      signal: 'webhookRequestsArrived',
      signalArgs: [],
    });

  function kick(integrationId: string) {
    const current = inFlight.get(integrationId);
    if (current) {
      current.again = true;
      return;
    }
    const entry = { again: true, done: Promise.resolve() };
    inFlight.set(integrationId, entry);
    entry.done = (async () => {
      // Check and delete with no await between them: a kick after the last signal started always sends another.
      while (entry.again) {
        entry.again = false;
        try {
          await signal(integrationId);
          sent++;
        } catch (err) {
          log(`Could not start the webhook drain of ${integrationId} (the sweep tries again): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        }
      }
      inFlight.delete(integrationId);
    })();
  }

  return {
    kick,
    get sent() {
      return sent;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight.values()].map((e) => e.done));
    },
    async sweep(store, olderThanMs = 30_000) {
      const waiting = await store.webhooks.integrationsWaiting(new Date(Date.now() - olderThanMs));
      for (const id of waiting) kick(id);
      // Digests older than twice the timestamp tolerance can no longer match a request that passes the timestamp check.
      await store.webhooks.pruneReplays(new Date(Date.now() - 600_000));
      return waiting.length;
    },
  };
}
