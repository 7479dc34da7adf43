// Every node kind has one entry in every layer: the compiler's inference, the transforms (transform kinds only), the
// runtime's executors and the web app's registry. The registries are typed by the kind ids, so a missing entry is a
// compile error (`npm run typecheck`, the @ts-expect-error lines below prove it bites); this test checks the same at
// run time, and is the list docs/architecture.md "Adding a node kind" follows.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { EXECUTORS, type ExecutorDef } from '../runtime/executors';
import { INFER, type KindInfer } from '../shared/compiler/infer';
import { KIND_IDS, KINDS, type KindConfig, type KindId, type KindIdsOf } from '../shared/graph/kinds';
import { TRANSFORMS, type TransformKind } from '../shared/transforms';
import { WEB_KINDS, type WebKind } from '../web/kinds/registry';

const sorted = (keys: Iterable<string>) => [...keys].sort();

describe('the node-kind registries', () => {
  it('have one entry per kind in every layer', () => {
    expect(sorted(Object.keys(INFER))).toEqual(sorted(KIND_IDS));
    expect(sorted(Object.keys(EXECUTORS))).toEqual(sorted(KIND_IDS));
    expect(sorted(Object.keys(WEB_KINDS))).toEqual(sorted(KIND_IDS));
    for (const k of KIND_IDS) expect(KINDS[k].kind).toBe(k);
  });

  it('have a transform for exactly the transform kinds', () => {
    expect(sorted(Object.keys(TRANSFORMS))).toEqual(sorted(KIND_IDS.filter((k) => KINDS[k].category === 'transform')));
    expectTypeOf<TransformKind>().toEqualTypeOf<KindIdsOf<'transform'>>();
    // The categories stay literal in the registry's type; widened, every kind would count as a transform.
    expectTypeOf<KindIdsOf<'transform'>>().toEqualTypeOf<'map' | 'filter' | 'calculated-field'>();
  });

  it('tell the preview where each source gets its sample rows, and uploads for the kinds reading uploaded files', () => {
    for (const k of KIND_IDS) {
      const samples = (WEB_KINDS[k] as { samples?: string }).samples;
      expect(samples !== undefined, k).toBe(KINDS[k].category === 'source');
      expect(samples === 'uploaded-file', k).toBe((KINDS[k] as { readsUploadedFiles?: true }).readsUploadedFiles === true);
    }
  });

  it('do not compile with a kind missing or a transform too many', () => {
    const { 'sql-target': _web, ...web } = WEB_KINDS;
    // @ts-expect-error the web registry without one kind's entry
    const webMissing: { readonly [K in KindId]: WebKind<K> } = web;
    const { 'sql-target': _infer, ...infer } = INFER;
    // @ts-expect-error the compiler's registry without one kind's entry
    const inferMissing: { readonly [K in KindId]: KindInfer<KindConfig<K>> } = infer;
    const { 'sql-target': _executor, ...executors } = EXECUTORS;
    // @ts-expect-error the executors without one kind's entry
    const executorsMissing: { readonly [K in KindId]: ExecutorDef<K> } = executors;
    const { filter: _filter, ...transforms } = TRANSFORMS;
    // @ts-expect-error the transforms without one transform kind's entry
    const transformsMissing: typeof TRANSFORMS = transforms;
    // @ts-expect-error a transform entry for a kind that is not a transform
    const transformsExtra: typeof TRANSFORMS = { map: TRANSFORMS.map, filter: TRANSFORMS.filter, 'calculated-field': TRANSFORMS['calculated-field'], 'sql-target': TRANSFORMS.map };
    // @ts-expect-error a source without `samples`
    const sourceWithoutSamples: WebKind<'sql-source'> = { icon: WEB_KINDS['sql-source'].icon, summary: () => '' };
    // @ts-expect-error the kind that reads uploaded files takes the upload's rows, not a table preview
    const fileSourceWrongSamples: WebKind<'csv-source'> = { icon: WEB_KINDS['csv-source'].icon, summary: () => '', samples: 'sql-preview' };
    expect([webMissing, inferMissing, executorsMissing, transformsMissing, transformsExtra, sourceWithoutSamples, fileSourceWrongSamples].length).toBe(7);
  });
});
