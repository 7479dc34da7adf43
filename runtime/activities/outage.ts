// What a failed pipeline attempt means: a system that is unreachable for now (wait and try again), a mistake no retry
// can fix (fail at once with its message), or anything else (Temporal's retry policy decides); and the loop that
// waits an outage out inside the activity, recording on the step what it waits for.
import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import { waitingMessage, type StepWaiting } from '../../shared/api/runs';
import { ConnectorError } from '../connections/sessions';
import { PlanError } from '../executors';
import { failedStep, STORE_FAILURE } from '../executors/pipeline-pass';
import { publicMessage } from '../public-message';

export type Failure =
  | { kind: 'permanent'; message: string }
  | { kind: 'unreachable'; system: string; message: string }
  | { kind: 'other' };

/** Connector failures a retry cannot heal: wrong credentials, a missing table or column, a refused query, no permission. */
const PERMANENT_CODES: readonly ConnectorError['code'][] = ['auth', 'not_found', 'permission', 'invalid_query', 'invalid_config', 'tls'];
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);
/** Postgres: the server is shutting down or starting (57P0x), the connection failed (08xxx). */
const PG_UNAVAILABLE = /^(57P0[123]|08\d\d\d)$/;
const LOST = /connection terminated|server closed the connection|client has encountered a connection error|connection lost|PROTOCOL_CONNECTION_LOST/i;

type Coded = Error & { code?: string; address?: string; port?: number };

function chain(err: unknown): Coded[] {
  const out: Coded[] = [];
  for (let e: unknown = err; e instanceof Error && out.length < 5; e = e.cause) out.push(e as Coded);
  return out;
}

/** "Postgres at 127.0.0.1:5432" from a connector's message, else the socket's address, else the step's name. */
function systemOf(errors: readonly Coded[], fallback: string): string {
  for (const e of errors) {
    const named = /\b(Postgres|PostgreSQL|MySQL|MariaDB|SFTP|S3)\b at (\S+?:\d+)/.exec(e.message);
    if (named) return `${named[1]} at ${named[2]}`;
  }
  const socket = errors.find((e) => e.address && e.port);
  return socket ? `${fallback} (${socket.address}:${socket.port})` : fallback;
}

export function classifyFailure(err: unknown, fallbackSystem: string): Failure {
  const errors = chain(err);
  const first = errors[0];
  if (!first) return { kind: 'other' };
  if (first instanceof PlanError) return { kind: 'permanent', message: first.message };
  const connector = errors.find((e): e is ConnectorError => e instanceof ConnectorError);
  if (connector && PERMANENT_CODES.includes(connector.code)) return { kind: 'permanent', message: first.message };
  const unreachable =
    connector?.code === 'unreachable' ||
    errors.some((e) => (e.code && (NETWORK_CODES.has(e.code) || PG_UNAVAILABLE.test(e.code))) || LOST.test(e.message));
  if (unreachable) return { kind: 'unreachable', system: systemOf(errors, fallbackSystem), message: first.message };
  return { kind: 'other' };
}

/** The wait before the next try: 4 s, doubling, at most `maxMs` (1 minute). */
export function outageDelay(failures: number, backoff: { initialMs: number; maxMs: number }): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(Math.max(failures - 1, 0), 20));
}

export function spell(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes >= 1) return `${Number.isInteger(minutes) ? minutes : minutes.toFixed(1)} minute${minutes === 1 ? '' : 's'}`;
  return `${Math.round(ms / 1000)} s`;
}

/** An outage a pipeline is waiting out: which step's system, since when (ms), how many tries failed (and, for
 * Temporal's UI while the store itself is down, the system's name). */
export const Outage = z.object({ nodeId: z.string(), since: z.number(), failures: z.number().int().nonnegative(), system: z.string().optional() });
export type Outage = z.infer<typeof Outage>;

export interface OutageWaitOptions {
  /** The outage the previous worker was waiting out (from its heartbeat): the window keeps counting from its start. */
  resumed: Outage | null;
  /** How long an unreachable system is waited for before the step fails for good. */
  windowMs: number;
  /** The wait between tries: `initialMs`, doubling, at most `maxMs`. */
  backoff: { initialMs: number; maxMs: number };
  /** The pipeline's steps, to name the system after the step an error came from. */
  steps: readonly { nodeId: string; label: string }[];
  /** The step an untagged failure is blamed on (the pipeline's target). */
  fallbackNodeId: string;
  /** Records (or clears) what a step waits for, for the run page. */
  setWaiting(nodeId: string, waiting: StepWaiting | null): Promise<void>;
  /** Sleeps (Temporal's cancellable `Context.sleep`). */
  sleep(ms: number): Promise<void>;
  cancelled(): boolean;
  /** Heartbeats, so the outage rides in the details and a new worker keeps the window. */
  beat(): void;
  warn(message: string): void;
  now?: () => number;
  /**
   * Issue 16: the budgeted (local) pipeline pass waits out no outage: at the first unreachable failure it throws
   * `OutageHandOver` with the outage, before recording anything on the step (the store may be the system that is
   * down), and the ordinary activity waits it out from there (heartbeating, the window counted from its start).
   */
  handOver?: boolean;
}

/** Thrown by a hand-over pass (`handOver`) at an outage: the ordinary activity goes on waiting it out. */
export class OutageHandOver extends Error {
  constructor(readonly outage: Outage) {
    super(`Handed over to the ordinary activity: ${outage.system ?? outage.nodeId} is unreachable`);
  }
}

/**
 * Runs `pass` until it succeeds. A pass that failed because a source's or target's system cannot be reached is tried
 * again after a backoff, up to the outage window, with the step saying what it waits for; anything else is thrown
 * (a permanent connector error as a non-retryable failure, the rest for Temporal's retry policy).
 */
export function outageWaits(o: OutageWaitOptions) {
  const clock = o.now ?? Date.now;
  let outage: Outage | null = o.resumed;
  /** This activity recorded the current outage's waiting state (not only resumed or handed it): its system answering
   * clears it, whoever else waits. */
  let wrote = false;

  /** The system answered (a batch committed, or the pass ended): the run page stops saying it waits. */
  const clear = async () => {
    if (!outage) return;
    const nodeId = outage.nodeId;
    outage = null;
    wrote = false;
    await o.setWaiting(nodeId, null).catch(() => undefined);
  };

  async function failed(err: unknown): Promise<void> {
    // A source's or target's system is waited for here, and so is Weft's own store (a commit that could not reach a
    // DATABASE_URL Postgres): the commit is the target's, so the target step says it waits. While the store is down
    // that state cannot be written (the API that would show it reads the same store): it is in the activity's
    // heartbeat (Temporal's UI) and the worker's log. A commit that did land before its connection broke is not
    // applied twice: the retry's checkpoint claim finds the batch already committed (runtime/store/commit-batch.ts).
    const tag = failedStep(err);
    const from = tag === STORE_FAILURE ? o.fallbackNodeId : tag;
    const nodeId = from ?? o.fallbackNodeId;
    const label = tag === STORE_FAILURE ? "Weft's store" : (o.steps.find((s) => s.nodeId === nodeId)?.label ?? nodeId);
    const failure = classifyFailure(err, label);
    if (failure.kind !== 'unreachable' || !from || o.cancelled()) {
      await clear();
      if (failure.kind === 'permanent' && !(err instanceof PlanError)) throw ApplicationFailure.nonRetryable(publicMessage(failure.message), 'PermanentError');
      throw err;
    }
    const now = clock();
    if (!outage || outage.nodeId !== nodeId) {
      await clear();
      outage = { nodeId, since: now, failures: 0 };
    }
    outage.failures++;
    outage.system = failure.system;
    const until = outage.since + o.windowMs;
    if (now >= until) {
      const since = outage.since;
      await clear();
      throw ApplicationFailure.nonRetryable(`${failure.system} was unreachable for ${spell(now - since)}, the integration's outage window: ${publicMessage(failure.message)}`, 'Unreachable');
    }
    if (o.handOver) throw new OutageHandOver({ ...outage });
    const delay = Math.min(until - now, outageDelay(outage.failures, o.backoff));
    const waiting: StepWaiting = {
      system: failure.system,
      attempt: outage.failures + 1,
      since: new Date(outage.since).toISOString(),
      nextTryAt: new Date(now + delay).toISOString(),
      until: new Date(until).toISOString(),
      error: publicMessage(failure.message),
    };
    wrote = true;
    await o.setWaiting(nodeId, waiting).catch(() => undefined);
    o.warn(`${waitingMessage(waiting, now)}: ${failure.message}`);
    o.beat();
    await o.sleep(delay);
  }

  return {
    /** The outage being waited out, for the heartbeat's details. */
    current: (): Outage | null => outage,
    clear,
    /**
     * `settle: false`: the outage (if any) is not cleared when `pass` succeeds (it may be another system's); `'met'`:
     * cleared unless it is one this activity never recorded (resumed from a heartbeat or handed over by the local pass,
     * of a step `pass` did not fail on): one it recorded is the one a pass met, and a pass succeeding means its system
     * answered, so the run page stops saying it waits (lat16l: a store blip while preparing, then parts returned).
     */
    async rideOut(pass: () => Promise<void>, settle: boolean | 'met' = true): Promise<void> {
      for (;;) {
        try {
          await pass();
          if (settle === true || (settle === 'met' && wrote)) await clear();
          return;
        } catch (err) {
          await failed(err);
        }
      }
    },
  };
}
