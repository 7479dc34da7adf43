// The workflows' hand-written input checks (workflows/inputs.ts): what Weft sends passes as it is, with the pipeline
// tuning's unknown keys dropped as the zod objects did; anything else fails at once as a non-retryable InvalidInput.
import { ApplicationFailure } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { checkDrainWebhookInput, checkRunSetInput, checkScheduledSetInput, checkScheduledSyncInput, checkSyncIntegrationInput, isPlanShape, LOCAL_PIPELINE_TIMEOUT_MS, MAX_LOCAL_BUDGET_MS } from './inputs';

function failure(fn: () => unknown): ApplicationFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('expected an ApplicationFailure');
}

describe('the workflows’ input checks', () => {
  it('pass what Weft sends, dropping unknown tuning keys and unset ones', () => {
    expect(checkSyncIntegrationInput({ runId: 'r1', versionId: 'v1' })).toEqual({ runId: 'r1', versionId: 'v1' });
    expect(
      checkSyncIntegrationInput({ runId: 'r1', versionId: 'v1', params: { a: 1 }, pipeline: { maximumAttempts: 2, heartbeatTimeoutMs: undefined, extra: 1 } }),
    ).toEqual({ runId: 'r1', versionId: 'v1', params: { a: 1 }, pipeline: { maximumAttempts: 2 } });
    expect(checkScheduledSyncInput({ integrationId: 'i1', pipeline: { initialRetryIntervalMs: 10 } })).toEqual({ integrationId: 'i1', pipeline: { initialRetryIntervalMs: 10 } });
    expect(checkDrainWebhookInput({ integrationId: 'i1' })).toEqual({ integrationId: 'i1' });
    expect(checkRunSetInput({ setRunId: 's1' })).toEqual({ setRunId: 's1' });
    expect(checkScheduledSetInput({ setId: 'set_1', pipeline: {} })).toEqual({ setId: 'set_1', pipeline: {} });
  });

  it('fail a bad input at once, naming every problem', () => {
    const err = failure(() => checkSyncIntegrationInput({ runId: '', pipeline: { maximumAttempts: 0, heartbeatTimeoutMs: 1.5 }, params: [] }));
    expect(err.type).toBe('InvalidInput');
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toBe(
      'Invalid syncIntegration input: runId must be a non-empty string; versionId must be a non-empty string; params must be an object; ' +
        'pipeline.heartbeatTimeoutMs must be a positive integer; pipeline.maximumAttempts must be a positive integer',
    );
    expect(failure(() => checkScheduledSyncInput(null)).message).toBe('Invalid scheduledSync input: the input is not an object');
    expect(failure(() => checkDrainWebhookInput({ integrationId: 5 })).message).toBe('Invalid drainWebhook input: integrationId must be a non-empty string');
    expect(failure(() => checkRunSetInput({ setRunId: 's1', pipeline: 'fast' })).message).toBe('Invalid runSet input: pipeline must be an object');
    expect(failure(() => checkScheduledSetInput({})).type).toBe('InvalidInput');
  });

  it('take a plan by the parts the workflow reads', () => {
    expect(isPlanShape({ version: 1, steps: [{ nodeId: 'a' }], pipelines: [{ id: 'p', nodeIds: ['a'] }], valueMaps: {} })).toBe(true);
    expect(isPlanShape({ version: 1, steps: [], pipelines: [], settings: { parallelism: 2 } })).toBe(true);
    expect(isPlanShape({ version: 1, steps: [], pipelines: [], settings: 'fast' })).toBe(false);
    expect(isPlanShape(null)).toBe(false);
    expect(isPlanShape({ steps: [{ nodeId: 'a' }] })).toBe(false);
    expect(isPlanShape({ steps: [{}], pipelines: [] })).toBe(false);
    expect(isPlanShape({ steps: [], pipelines: [{ id: 'p', nodeIds: [1] }] })).toBe(false);
  });

  it('take the local budget of issue 16 (0: off), and refuse a hostile one', () => {
    for (const bad of [-1, 1.5, 2 ** 53, 2 ** 53 + 2, 600_001, '100', null, Number.NaN, Infinity]) {
      expect(failure(() => checkSyncIntegrationInput({ runId: 'r', versionId: 'v', pipeline: { localBudgetMs: bad } })).message).toMatch(/pipeline\.localBudgetMs must be an integer from 0 to 60000$/);
    }
    // The largest budget leaves the local part's timeout ten times over: it ends by a hand-over, never by a timeout.
    expect(checkSyncIntegrationInput({ runId: 'r', versionId: 'v', pipeline: { localBudgetMs: 60_000 } }).pipeline).toEqual({ localBudgetMs: 60_000 });
    expect(MAX_LOCAL_BUDGET_MS * 10).toBeLessThanOrEqual(LOCAL_PIPELINE_TIMEOUT_MS);
    // A budget the old bound (600 000) let a running workflow start with is taken as the largest, not refused: its
    // replay after a deploy runs this check again.
    for (const old of [60_001, 600_000]) expect(checkSyncIntegrationInput({ runId: 'r', versionId: 'v', pipeline: { localBudgetMs: old } }).pipeline).toEqual({ localBudgetMs: 60_000 });
    expect(checkSyncIntegrationInput({ runId: 'r', versionId: 'v', pipeline: { localBudgetMs: 0 } }).pipeline).toEqual({ localBudgetMs: 0 });
    expect(checkSyncIntegrationInput({ runId: 'r', versionId: 'v', pipeline: { localBudgetMs: 400, maximumAttempts: 2 } }).pipeline).toEqual({ localBudgetMs: 400, maximumAttempts: 2 });
    // A key named __proto__ (as JSON.parse makes it) is an own key the check does not know: dropped, not read through.
    const proto = JSON.parse('{"runId":"r","versionId":"v","pipeline":{"__proto__":{"localBudgetMs":5}}}') as unknown;
    expect(checkSyncIntegrationInput(proto).pipeline).toEqual({});
    expect(Object.getPrototypeOf(checkSyncIntegrationInput(proto).pipeline)).toBe(Object.prototype);
  });
});
