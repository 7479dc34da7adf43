import { describe, expect, it } from 'vitest';
import { formatLabel, lackingColumns, lackingMessage } from './file-labels';

describe('run file labels', () => {
  it('names a format with its compression', () => {
    expect(formatLabel('csv')).toBe('CSV');
    expect(formatLabel('ndjson', 'gzip')).toBe('NDJSON · gzip');
    expect(formatLabel('json', 'zip')).toBe('JSON · zip');
    expect(formatLabel('parquet')).toBe('PARQUET');
  });

  it('finds the columns a replacement lacks, by exact name, and says so in plain words', () => {
    const file = [{ name: 'email' }, { name: 'Name' }, { name: 'Extra' }];
    expect(lackingColumns(['Email', 'Name', 'Plan'], file)).toEqual(['Email', 'Plan']);
    expect(lackingColumns(['Name'], file)).toEqual([]);
    expect(lackingMessage('march.csv', 'Customers', ['Plan'])).toBe('"march.csv" has no column "Plan", which Customers reads. Choose a file with that column.');
    expect(lackingMessage('march.csv', 'Customers', ['Email', 'Plan'])).toBe(
      '"march.csv" has no columns "Email", "Plan", which Customers reads. Choose a file with those columns.',
    );
  });
});
