import { describe, expect, it } from 'vitest';
import { formatLabel, lackingMessage } from './file-labels';

describe('run file labels', () => {
  it('names a format with its compression', () => {
    expect(formatLabel('csv')).toBe('CSV');
    expect(formatLabel('ndjson', 'gzip')).toBe('NDJSON · gzip');
    expect(formatLabel('json', 'zip')).toBe('JSON · zip');
    expect(formatLabel('parquet')).toBe('PARQUET');
  });

  // Which columns it lacks is missingColumns' (shared/compiler/run-files.test.ts holds these cases).
  it('says in plain words which columns a replacement lacks', () => {
    expect(lackingMessage('march.csv', 'Customers', ['Plan'])).toBe('"march.csv" has no column "Plan", which Customers reads. Choose a file with that column.');
    expect(lackingMessage('march.csv', 'Customers', ['Email', 'Plan'])).toBe(
      '"march.csv" has no columns "Email", "Plan", which Customers reads. Choose a file with those columns.',
    );
  });
});
