import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { KINDS } from '../../shared';
import { buildForm, emptyItem, humanize, isVisible, visibleFields } from './form-model';

describe('buildForm', () => {
  it('reads titles and widgets from the file source schema, showing CSV settings only for CSV', () => {
    const form = buildForm(KINDS['csv-source'].config);
    expect(form.map((f) => [f.key, f.type, f.widget, f.visibleWhen ?? null])).toEqual([
      ['fileId', 'string', 'file', null],
      ['fileName', 'string', 'hidden', null],
      ['format', 'enum', undefined, null],
      ['compression', 'enum', undefined, null],
      ['recordsPath', 'string', undefined, { format: 'json' }],
      ['zipEntry', 'string', undefined, { compression: 'zip' }],
      ['delimiter', 'enum', undefined, { format: 'csv' }],
      ['hasHeader', 'boolean', undefined, { format: 'csv' }],
      ['sheet', 'string', 'hidden', null],
      ['connectionId', 'string', 'hidden', null],
      ['columns', 'list', 'columns', null],
      ['emptyTextIsNull', 'boolean', undefined, { format: ['csv', 'json', 'ndjson'] }],
      ['stripNul', 'boolean', undefined, null],
      ['query', 'string', 'file-query', null],
      ['preview', 'unsupported', 'hidden', null],
    ]);
    const format = form.find((f) => f.key === 'format');
    expect(format?.type === 'enum' && format.options.map((o) => o.label)).toEqual(['CSV', 'JSON', 'NDJSON (one record per line)', 'Excel (.xlsx)']);
    expect(format?.default).toBe('csv');
    const json = { format: 'json', compression: 'none' };
    expect(visibleFields(form, json).map((f) => f.key)).toEqual(['fileId', 'format', 'compression', 'recordsPath', 'columns', 'emptyTextIsNull', 'stripNul', 'query']);
    // A source saved before formats existed is CSV.
    expect(visibleFields(form, { fileId: 'f' }).map((f) => f.key)).toEqual(['fileId', 'format', 'compression', 'delimiter', 'hasHeader', 'columns', 'emptyTextIsNull', 'stripNul', 'query']);
    const delimiter = form.find((f) => f.key === 'delimiter');
    expect(delimiter?.type === 'enum' && delimiter.options.map((o) => o.value)).toEqual([',', ';', '\t', '|']);
    expect(delimiter?.type === 'enum' && delimiter.options[2]?.label).toBe('Tab');
    expect(form.find((f) => f.key === 'hasHeader')).toMatchObject({ title: 'First row is a header', default: true });
  });

  it('describes arrays of objects with their item fields', () => {
    const [fields] = buildForm(KINDS.map.config);
    expect(fields).toMatchObject({ key: 'fields', type: 'list', widget: 'mapping', minItems: 1, itemTitle: 'field' });
    expect(fields?.type === 'list' && fields.item.map((f) => [f.key, f.type, f.widget ?? null])).toEqual([
      ['from', 'enum', null],
      ['source', 'string', 'input-field'],
      ['formula', 'string', 'formula'],
      ['value', 'string', null],
      ['system', 'string', null],
      ['target', 'string', null],
      ['type', 'enum', null],
      ['key', 'boolean', null],
      ['currency', 'string', null],
      ['ref', 'string', null],
      ['note', 'string', null],
    ]);
  });

  it('reads the formula and segmented widgets and visibleWhen', () => {
    const calc = buildForm(KINDS['calculated-field'].config);
    expect(calc.map((f) => [f.key, f.widget ?? null])).toEqual([
      ['field', null],
      ['formula', 'formula'],
    ]);
    const filter = buildForm(KINDS.filter.config);
    expect(filter.map((f) => [f.key, f.widget ?? null, f.visibleWhen ?? null])).toEqual([
      ['mode', 'segmented', null],
      ['match', null, { mode: 'conditions' }],
      ['conditions', null, { mode: 'conditions' }],
      ['formula', 'formula', { mode: 'formula' }],
    ]);
    const mode = filter[0];
    expect(mode?.type === 'enum' && mode.options).toEqual([
      { value: 'conditions', label: 'Conditions' },
      { value: 'formula', label: 'Formula' },
    ]);
  });

  it('shows only the fields whose visibleWhen matches the config', () => {
    const filter = buildForm(KINDS.filter.config);
    expect(visibleFields(filter, { mode: 'formula' }).map((f) => f.key)).toEqual(['mode', 'formula']);
    expect(visibleFields(filter, { mode: 'conditions' }).map((f) => f.key)).toEqual(['mode', 'match', 'conditions']);
    // A config saved before `mode` existed reads as the default (conditions).
    expect(visibleFields(filter, { match: 'all', conditions: [] }).map((f) => f.key)).toEqual(['mode', 'match', 'conditions']);
    const form = buildForm(
      z.object({
        kind: z.enum(['a', 'b', 'c']),
        ab: z.string().meta({ visibleWhen: { kind: ['a', 'b'] } }),
        secret: z.string().meta({ widget: 'hidden' }),
      }),
    );
    const [, ab, secret] = form as [unknown, (typeof form)[number], (typeof form)[number]];
    expect([isVisible(ab, { kind: 'a' }, form), isVisible(ab, { kind: 'b' }, form), isVisible(ab, { kind: 'c' }, form), isVisible(ab, {}, form)]).toEqual([true, true, false, false]);
    expect(isVisible(secret, {}, form)).toBe(false);
  });

  it('labels filter operators and builds an empty condition', () => {
    const form = buildForm(KINDS.filter.config);
    const conditions = form.find((f) => f.key === 'conditions');
    expect(conditions?.type).toBe('list');
    if (conditions?.type !== 'list') return;
    const op = conditions.item.find((f) => f.key === 'op');
    expect(op?.type === 'enum' && op.options.find((o) => o.value === 'gt')?.label).toBe('is greater than');
    expect(emptyItem(conditions.item)).toEqual({ field: '', op: 'eq', value: '' });
  });

  it('handles the workspace target and plain schemas without meta', () => {
    expect(buildForm(KINDS['workspace-target'].config).map((f) => [f.key, f.widget ?? f.type])).toEqual([
      ['object', 'workspace-object'],
      ['mode', 'enum'],
      ['allowNew', 'boolean'],
      ['deletes', 'enum'],
      ['softDeleteField', 'string'],
      ['deleteThresholdPercent', 'number'],
    ]);
    const form = buildForm(z.object({ batchSize: z.number().optional(), tags: z.array(z.string()) }));
    expect(form[0]).toMatchObject({ key: 'batchSize', title: 'Batch size', type: 'number', required: false });
    expect(form[1]).toMatchObject({ type: 'list', item: [{ type: 'string' }] });
    expect(humanize('file_name')).toBe('File name');
  });

  it('asks the database target for a writable connection and labels its modes', () => {
    const form = buildForm(KINDS['sql-target'].config);
    expect(form.map((f) => [f.key, f.widget ?? f.type, f.capability ?? null])).toEqual([
      ['connectionId', 'connection', 'write'],
      ['connector', 'hidden', null],
      ['object', 'db-object', null],
      ['mode', 'enum', null],
      ['columns', 'hidden', null],
      ['key', 'hidden', null],
      ['allowNew', 'boolean', null],
      ['deletes', 'enum', null],
      ['softDeleteField', 'string', null],
      ['deleteThresholdPercent', 'number', null],
    ]);
    const mode = form.find((f) => f.key === 'mode');
    expect(mode?.type === 'enum' && mode.options.map((o) => o.label)).toEqual(['Update or create (upsert)', 'Create only (insert)', 'Update existing only (update)']);
    expect(buildForm(KINDS['sql-source'].config)[0]?.capability).toBeUndefined();
  });
});
