// The start's one-shot processes (issue 16's first-start peak): one after the other, each done before the Temporal dev
// server would start (oneShotStepsFirst returns only when the last has finished).
import { describe, expect, it } from 'vitest';
import { oneShotStepsFirst } from './wiring';

const later = <T>(value: T, ms: number, log: string[], name: string) =>
  new Promise<T>((done) => {
    log.push(`${name} started`);
    setTimeout(() => {
      log.push(`${name} done`);
      done(value);
    }, ms);
  });

describe('oneShotStepsFirst', () => {
  it('creates the database, hashes the owner, then bundles the workflow code, each finished before the next and before it returns', async () => {
    const log: string[] = [];
    const result = await oneShotStepsFirst({
      createDatabase: () => later(true, 20, log, 'database'),
      hashOwner: () => later('hash', 10, log, 'hash'),
      bundle: () => later('/bundle.js', 30, log, 'bundle'),
    });
    log.push('returned');
    expect(result).toEqual({ created: true, ownerHash: 'hash' });
    expect(log).toEqual(['database started', 'database done', 'hash started', 'hash done', 'bundle started', 'bundle done', 'returned']);
  });

  it('hashes nothing on a warm data folder, still bundles (a no-op when the bundle is cached), and skips the bundle for the API role', async () => {
    const log: string[] = [];
    expect(await oneShotStepsFirst({ createDatabase: () => later(false, 1, log, 'database'), hashOwner: () => later('hash', 1, log, 'hash'), bundle: () => later('/b.js', 1, log, 'bundle') })).toEqual({ created: false, ownerHash: undefined });
    expect(log).toEqual(['database started', 'database done', 'bundle started', 'bundle done']);
    const apiLog: string[] = [];
    await oneShotStepsFirst({ createDatabase: () => later(true, 1, apiLog, 'database'), hashOwner: () => later(undefined, 1, apiLog, 'hash'), bundle: null });
    expect(apiLog).toEqual(['database started', 'database done', 'hash started', 'hash done']);
  });
});
