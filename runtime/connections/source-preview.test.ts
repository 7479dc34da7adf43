// Why a source preview failed, in the designer's words: the database's own reason first when it says what to fix.
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../connectors/types';
import { meantName } from '../connectors/postgres';
import { describeReadFailure, withSuggestion } from './source-preview';

describe('describeReadFailure', () => {
  it('leads with the database’s reason and its hint, not a general sentence with the reason in brackets', () => {
    const err = new ConnectorError('invalid_query', 'The query is not valid: column "stat" does not exist', { reason: 'column "stat" does not exist', suggestion: 'state' });
    expect(describeReadFailure(err, 'orders').message).toBe('column "stat" does not exist — did you mean state?');
  });

  it('suggests the closest column of the table when the database gave no hint (MySQL)', () => {
    const err = new ConnectorError('invalid_query', "The query is not valid: Unknown column 'stat' in 'where clause'", { reason: "Unknown column 'stat' in 'where clause'" });
    const named = withSuggestion(err, ['id', 'state', 'total']);
    expect(describeReadFailure(named, 'orders').message).toBe("Unknown column 'stat' in 'where clause' — did you mean state?");
    expect(describeReadFailure(withSuggestion(err, ['id', 'amount']), 'orders').message).toBe("Unknown column 'stat' in 'where clause'");
  });

  it('keeps the general sentence for a statement that is not one SELECT', () => {
    const err = new ConnectorError('invalid_query', 'The query is not valid: syntax error at or near "COMMIT"');
    expect(describeReadFailure(err, 'orders').message).toMatch(/^Only a single SELECT \(or WITH \.\.\. SELECT\) can filter a source/);
  });
});

describe('meantName', () => {
  it('reads the column Postgres suggests from its hint', () => {
    expect(meantName('Perhaps you meant to reference the column "orders.state".')).toBe('state');
    expect(meantName(undefined)).toBeUndefined();
  });
});
