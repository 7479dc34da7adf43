import { describe, expect, it } from 'vitest';
import { executorDeps } from '../../test/support/connections';
import { ConnectorError } from '../connectors/types';
import { PlanError, type Executor } from '../executors';
import { runPipelinePass } from '../executors/pipeline-pass';
import { classifyFailure, outageDelay, outageWaits } from './outage';

const coded = (message: string, code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { code, ...extra });

describe('classifyFailure', () => {
  it('waits for a system that cannot be reached, naming it', () => {
    expect(classifyFailure(new ConnectorError('unreachable', 'Could not reach Postgres at 10.0.0.5:5432: the connection was refused.'), 'Orders')).toEqual({
      kind: 'unreachable',
      system: 'Postgres at 10.0.0.5:5432',
      message: 'Could not reach Postgres at 10.0.0.5:5432: the connection was refused.',
    });
    expect(classifyFailure(coded('connect ECONNREFUSED 127.0.0.1:3306', 'ECONNREFUSED', { address: '127.0.0.1', port: 3306 }), 'Orders table')).toMatchObject({
      kind: 'unreachable',
      system: 'Orders table (127.0.0.1:3306)',
    });
    expect(classifyFailure(coded('terminating connection due to administrator command', '57P01'), 'Orders')).toMatchObject({ kind: 'unreachable', system: 'Orders' });
    expect(classifyFailure(new Error('Connection terminated unexpectedly'), 'Orders')).toMatchObject({ kind: 'unreachable' });
  });

  it('fails at once on what no retry can fix, with its message', () => {
    expect(classifyFailure(new ConnectorError('auth', 'Postgres at h:5432 refused the password for user "u".'), 'T')).toEqual({
      kind: 'permanent',
      message: 'Postgres at h:5432 refused the password for user "u".',
    });
    expect(classifyFailure(new ConnectorError('not_found', 'Table public.x was not found'), 'T')).toMatchObject({ kind: 'permanent' });
    expect(classifyFailure(new PlanError('The file is gone.'), 'T')).toEqual({ kind: 'permanent', message: 'The file is gone.' });
    // Wrapped (e.g. by an executor) still counts by its cause.
    expect(classifyFailure(new Error('Orders: failed', { cause: new ConnectorError('permission', 'no') }), 'T')).toMatchObject({ kind: 'permanent' });
  });

  it('leaves anything else to Temporal’s retry policy', () => {
    expect(classifyFailure(new Error('something odd'), 'T')).toEqual({ kind: 'other' });
    expect(classifyFailure('a string', 'T')).toEqual({ kind: 'other' });
  });
});

describe('outageDelay', () => {
  it('doubles from the first delay up to its cap', () => {
    const b = { initialMs: 4_000, maxMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 30].map((n) => outageDelay(n, b))).toEqual([4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });
});

describe('outageWaits', () => {
  const steps = [
    { nodeId: 'src', kind: 'map', label: 'Rows', config: {}, input: null, output: null },
    { nodeId: 'dst', kind: 'map', label: 'Orders table', config: {}, input: null, output: null },
  ];
  /** A pass whose target cannot be reached for its first `down` writes, then writes. */
  const passWith = (down: number, error: () => Error = () => new ConnectorError('unreachable', 'Could not reach Postgres at 10.0.0.5:5432: refused.')) => {
    let writes = 0;
    return () =>
      runPipelinePass({
        steps,
        owned: new Set(['src', 'dst']),
        deps: executorDeps(),
        batchSize: 10,
        from: { batch: 0, cursor: null },
        create: async (s): Promise<Executor> =>
          s.nodeId === 'src'
            ? {
                role: 'source',
                async *read() {
                  yield { rows: [{ rowNumber: 1, values: {}, source: {} }], rejected: [], read: 1, cursor: 1 };
                },
              }
            : {
                role: 'target',
                write: async () => {
                  if (++writes <= down) throw error();
                  return { counts: { written: 1, created: 1, updated: 0, unchanged: 0, rejected: 0 }, rejected: [] };
                },
              },
        commit: async () => undefined,
      }).then(() => undefined);
  };
  const rig = (windowMs = 60_000) => {
    let now = 1_000_000;
    const waiting: [string, string | null][] = [];
    const slept: number[] = [];
    const waits = outageWaits({
      resumed: null,
      windowMs,
      backoff: { initialMs: 4_000, maxMs: 60_000 },
      steps,
      fallbackNodeId: 'dst',
      setWaiting: async (nodeId, w) => void waiting.push([nodeId, w && `${w.system}, attempt ${w.attempt}`]),
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
      cancelled: () => false,
      beat: () => undefined,
      warn: () => undefined,
      now: () => now,
    });
    return { waits, waiting, slept };
  };

  it('waits out an unreachable target with growing pauses, says so on the step, and clears it when it answers', async () => {
    const { waits, waiting, slept } = rig();
    await waits.rideOut(passWith(2));
    expect(slept).toEqual([4_000, 8_000]);
    expect(waiting).toEqual([
      ['dst', 'Postgres at 10.0.0.5:5432, attempt 2'],
      ['dst', 'Postgres at 10.0.0.5:5432, attempt 3'],
      ['dst', null],
    ]);
    expect(waits.current()).toBeNull();
  });

  it('fails for good once the outage window is over, and at once on an error no retry can fix', async () => {
    const { waits, slept } = rig(10_000);
    await expect(waits.rideOut(passWith(10))).rejects.toThrow(/^Postgres at 10\.0\.0\.5:5432 was unreachable for 10 s, the integration's outage window/);
    expect(slept).toEqual([4_000, 6_000]);

    const wrongPassword = rig();
    await expect(wrongPassword.waits.rideOut(passWith(1, () => new ConnectorError('auth', 'password authentication failed')))).rejects.toMatchObject({ nonRetryable: true, message: 'password authentication failed' });
    expect(wrongPassword.slept).toEqual([]);
  });
});
