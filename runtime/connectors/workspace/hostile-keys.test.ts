// del16c: the workspace's delete-phase calls (countRecords, deleteRecords) with keys no record's key can hold (U+0000,
// half a character: the workspace write refuses them): missing, never sent (the store's text threw on U+0000, and
// half a character reached it as U+FFFD, another record's key), next to ordinary and hostile keys in the same call.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../../store';
import type { Store } from '../../store/types';
import { openWorkspaceSession } from './session';

let store: Store;
beforeAll(async () => {
  store = await openStore({ memory: true });
});
afterAll(async () => {
  await store?.close();
});

it('counts and deletes keys it cannot hold as missing, never another record', async () => {
  const fields = [
    { name: 'k', type: 'text' as const },
    { name: 'v', type: 'number' as const },
  ];
  const held = ['h\ufffd', '__proto__', "x'); DELETE FROM workspace_records; --", '["a","b"]', '10'];
  await store.writeWorkspace({ object: 'h', key: ['k'], fields, mode: 'upsert', rows: held.map((k, v) => ({ k, v })) });
  const s = openWorkspaceSession(store);
  const rows = ['a\u0000b', 'h\ud83d', '\udc00', ...held, 'nope'].map((k) => ({ k }));
  expect(await s.countRecords!('h', rows, { key: ['k'] })).toBe(held.length);
  expect(await s.countRecords!('h', rows.slice(0, 3), { key: ['k'] })).toBe(0);
  expect(await s.deleteRecords!('h', rows.slice(0, 3), { key: ['k'] })).toEqual(['missing', 'missing', 'missing']);
  expect((await store.listWorkspaceRecords('h')).total).toBe(held.length);
  expect(await s.deleteRecords!('h', rows, { key: ['k'] })).toEqual(['missing', 'missing', 'missing', ...held.map(() => 'deleted'), 'missing']);
  expect((await store.listWorkspaceRecords('h')).total).toBe(0);
});

it('the store looks up and deletes such keys as none (a test record traced to the workspace, a delete by stored key)', async () => {
  const fields = [
    { name: 'k', type: 'text' as const },
    { name: 'v', type: 'number' as const },
  ];
  await store.writeWorkspace({ object: 'p', key: ['k'], fields, mode: 'upsert', rows: [{ k: 'h\ufffd', v: 1 }] });
  const preview = await store.previewWorkspaceWrite({ object: 'p', key: ['k'], fields, mode: 'upsert', rows: [{ k: 'a\u0000b', v: 2 }, { k: 'h\ud83d', v: 3 }, { k: 'h\ufffd', v: 4 }] });
  expect(preview.outcomes.map((o) => o.outcome)).toEqual(['rejected', 'rejected', 'updated']);
  expect(preview.before).toEqual([null, null, { k: 'h\ufffd', v: 1 }]);
  expect(await store.deleteWorkspaceRecords('p', ['a\u0000b', 'h\ud83d'])).toEqual(['missing', 'missing']);
  expect((await store.listWorkspaceRecords('p')).total).toBe(1);
});
