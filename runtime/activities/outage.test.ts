import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../connectors/types';
import { PlanError } from '../executors';
import { classifyFailure, outageDelay } from './outage';

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
