// fileRecordsOnce without remembering (a run's sessions): the run's recorded files answered from what the attempt read,
// until saved; other ids always asked.
import { expect, it } from 'vitest';
import type { Store, StoredFile } from '../store/types';
import { fileRecordsOnce } from '.';

const file = (id: string, name: string) => ({ id, name }) as unknown as StoredFile;

it('answers the known records without asking, asks for any other id every time, and forgets a record once saved', async () => {
  const asked: string[] = [];
  const saved: string[] = [];
  const stored = new Map<string, StoredFile>([['out', file('out', 'v1')]]);
  const store = {
    getFile: (id: string) => {
      asked.push(id);
      return Promise.resolve(stored.get(id) ?? null);
    },
    saveFile: (f: StoredFile) => {
      saved.push(f.id);
      stored.set(f.id, f);
      return Promise.resolve();
    },
  } as unknown as Store;
  const via = fileRecordsOnce(store, [file('in', 'upload'), file('__proto__', 'odd')], false);
  expect((await via.getFile('in'))?.name).toBe('upload');
  expect((await via.getFile('__proto__'))?.name).toBe('odd');
  expect(await via.getFile('constructor')).toBeNull();
  expect(asked).toEqual(['constructor']);
  // An output file: read each time, so a write in between is seen.
  expect((await via.getFile('out'))?.name).toBe('v1');
  await via.saveFile(file('out', 'v2'));
  expect((await via.getFile('out'))?.name).toBe('v2');
  // A known file saved by this attempt is asked for again afterwards.
  await via.saveFile(file('in', 'appended'));
  expect((await via.getFile('in'))?.name).toBe('appended');
  expect(asked).toEqual(['constructor', 'out', 'out', 'in']);
  expect(saved).toEqual(['out', 'in']);
  // Nothing known: the store itself.
  expect(fileRecordsOnce(store, [], false)).toBe(store);
});
