// review13a: the checkpoint keys of whole pipelines, parts and kept parts never meet. A pipeline's id is `p-<target node
// id>` and a node id may hold `#`: a whole pipeline `p-t#p0` committed under part 0 of `p-t`'s key, `p-t#parts` over
// `p-t`'s kept parts, so each resumed from the other's checkpoint.
import { describe, expect, it } from 'vitest';
import { partitionKey, partsKey, wholeKey } from './partitions';

const ids = ['p-t', 'p-t#p0', 'p-t#p1', 'p-t#p10', 'p-t#parts', 'p-t#', 'p-t##', 'p-t#p0#', 'p-t#p0##', 'p-t#parts#', 'p-t#p', 'p-t#p0#p1', 'p-#p0', 'p-t#P0', 'p-t#p01'];

describe('checkpoint keys', () => {
  it('are distinct across every whole pipeline, part and kept-parts key', () => {
    const owner = new Map<string, string>();
    for (const id of ids) {
      for (const [what, key] of [['whole', wholeKey(id)], ['parts', partsKey(id)], ...[0, 1, 10].map((k) => [`part ${k}`, partitionKey(id, k)])] as const) {
        const label = `${what} of ${id}`;
        expect(owner.get(key), `${label} has the key ${JSON.stringify(key)}`).toBeUndefined();
        owner.set(key, label);
      }
    }
  });

  it('keep a whole pipeline its own id when the id has no part-like end (runs in flight resume as before)', () => {
    for (const id of ['p-t', 'p-source target', 'p-t#', 'p-t#x', 'p-t#p', 'p-t#P0', 'p-a#b']) expect(wholeKey(id)).toBe(id);
    expect(partitionKey('p-t', 2)).toBe('p-t#p2');
    expect(partsKey('p-t')).toBe('p-t#parts');
  });
});
