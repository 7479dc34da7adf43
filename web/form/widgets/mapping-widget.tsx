// 'mapping' widget: where each target field's value comes from (an upstream field, a formula or a
// constant), its name, its type, and which field is the key.
import { FIELD_TYPE_LABELS, FieldType, type Field } from '../../../shared';
import { IconFunction, IconKey, IconPlus, IconSparkle, IconX } from '../../components/icons';
import { FormulaField } from '../../formula/formula-field';
import { diagnosticsAt } from '../config-path';
import { FieldErrors } from '../field-errors';
import type { FormCtx } from '../form-context';
import { UpstreamFieldSelect } from './upstream-field-select';

export type MappingFrom = 'field' | 'formula' | 'constant';

export interface MappingRow {
  from?: MappingFrom;
  source: string;
  formula?: string;
  value?: string;
  target: string;
  type: FieldType;
  key: boolean;
}

const FROM_OPTIONS: { value: MappingFrom; label: string }[] = [
  { value: 'field', label: 'Field' },
  { value: 'formula', label: 'Formula' },
  { value: 'constant', label: 'Constant' },
];

const asRows = (v: unknown): MappingRow[] => (Array.isArray(v) ? (v as MappingRow[]) : []);
export const fromOf = (row: MappingRow): MappingFrom => row.from ?? 'field';

/**
 * Maps every upstream field not yet mapped, keeping its name and type. When no row is a key yet, the input's own key
 * (a source table's primary key) is proposed as the Map's key.
 */
export function addAllFields(rows: readonly MappingRow[], upstream: readonly Field[], upstreamKey: readonly string[] = []): MappingRow[] {
  const mapped = new Set(rows.filter((r) => fromOf(r) === 'field').map((r) => r.source));
  const targets = new Set(rows.map((r) => r.target));
  const proposeKey = !rows.some((r) => r.key) && upstreamKey.length > 0 && upstreamKey.every((k) => upstream.some((f) => f.name === k) && !mapped.has(k) && !targets.has(k));
  const added = upstream
    .filter((f) => !mapped.has(f.name) && !targets.has(f.name))
    .map((f): MappingRow => ({ from: 'field', source: f.name, target: f.name, type: f.type, key: proposeKey && upstreamKey.includes(f.name) }));
  return [...rows, ...added];
}

/** Choosing a source fills in the target name (if untouched) and the type. */
export function withSource(row: MappingRow, source: string, upstream: readonly Field[]): MappingRow {
  const field = upstream.find((f) => f.name === source);
  const targetUntouched = row.target === '' || row.target === row.source;
  return { ...row, source, target: targetUntouched ? source : row.target, type: field?.type ?? row.type };
}

/** Switching where a value comes from; a new formula starts from the field the row had. */
export function withFrom(row: MappingRow, from: MappingFrom): MappingRow {
  if (from === 'formula' && !(row.formula ?? '').trim()) {
    return { ...row, from, formula: row.source ? `[${row.source.replace(/]/g, ']]')}]` : '' };
  }
  return { ...row, from };
}

export function MappingWidget({ ctx, path }: { ctx: FormCtx; path: string }) {
  const rows = asRows(ctx.config[path]);
  const upstream = ctx.upstream?.fields ?? [];
  const unmapped = upstream.filter((f) => !rows.some((r) => fromOf(r) === 'field' && r.source === f.name) && !rows.some((r) => r.target === f.name)).length;
  const setRows = (next: MappingRow[]) => ctx.set(path, next);

  return (
    <div className="mapping" data-testid="mapping">
      {rows.length === 0 ? (
        <div className="mapping__empty">
          {ctx.upstream ? (
            <>
              <strong>No fields mapped yet.</strong> Bring over every field from {ctx.upstreamLabel ?? 'the input'} and adjust from there.
            </>
          ) : (
            <>Connect an input to this step to choose its fields.</>
          )}
        </div>
      ) : (
        <table className="mapping__table">
          <thead>
            <tr>
              <th>From</th>
              <th>Source</th>
              <th>Target field</th>
              <th>Type</th>
              <th className="center" title="Primary key: rows are matched and updated by this field">
                <IconKey size={12} /> Key
              </th>
              <th aria-label="Remove" />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => {
              const at = (k: string) => diagnosticsAt(ctx.diagnostics, `${path}.${i}.${k}`);
              const from = fromOf(row);
              const errs = [...(from === 'field' ? at('source') : []), ...(from === 'constant' ? at('value') : []), ...at('target'), ...at('type'), ...at('key'), ...diagnosticsAt(ctx.diagnostics, `${path}.${i}`)];
              return [
                <tr key={`r${i}`} className={`mapping__row mapping__row--${from}`} data-testid="mapping-row">
                  <td>
                    <select className="input select" value={from} aria-label={`From ${i + 1}`} onChange={(e) => ctx.set(`${path}.${i}`, withFrom(row, e.target.value as MappingFrom))}>
                      {FROM_OPTIONS.map((o) => (
                        <option key={o.value} value={o.value}>
                          {o.label}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {from === 'field' ? (
                      <UpstreamFieldSelect
                        ctx={ctx}
                        compact
                        value={row.source}
                        label={`Source field ${i + 1}`}
                        invalid={at('source').length > 0}
                        onChange={(v) => ctx.set(`${path}.${i}`, withSource(row, v, upstream))}
                      />
                    ) : from === 'constant' ? (
                      <input
                        className={`input${at('value').length ? ' is-invalid' : ''}`}
                        value={row.value ?? ''}
                        aria-label={`Constant ${i + 1}`}
                        placeholder="value"
                        spellCheck={false}
                        onChange={(e) => ctx.set(`${path}.${i}.value`, e.target.value, { merge: true })}
                      />
                    ) : (
                      <span className="mapping__via" title="The formula below gives this field's value">
                        <IconFunction size={13} /> below
                      </span>
                    )}
                  </td>
                  <td>
                    <input
                      className={`input${at('target').length ? ' is-invalid' : ''}`}
                      value={row.target}
                      aria-label={`Target field ${i + 1}`}
                      spellCheck={false}
                      placeholder="name"
                      onChange={(e) => ctx.set(`${path}.${i}.target`, e.target.value, { merge: true })}
                    />
                  </td>
                  <td>
                    <select
                      className={`input select${at('type').length ? ' is-invalid' : ''}`}
                      value={row.type}
                      aria-label={`Type ${i + 1}`}
                      onChange={(e) => ctx.set(`${path}.${i}.type`, e.target.value)}
                    >
                      {FieldType.options.map((t) => (
                        <option key={t} value={t}>
                          {FIELD_TYPE_LABELS[t]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="center">
                    <input
                      type="checkbox"
                      className="checkbox"
                      checked={row.key === true}
                      aria-label={`Key ${i + 1}`}
                      onChange={(e) => ctx.set(`${path}.${i}.key`, e.target.checked)}
                    />
                  </td>
                  <td>
                    <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Remove ${row.target || 'field'}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                      <IconX size={14} />
                    </button>
                  </td>
                </tr>,
                from === 'formula' ? (
                  <tr key={`f${i}`} className="mapping__formula" data-testid="mapping-formula-row">
                    <td colSpan={6}>
                      <FormulaField
                        value={row.formula ?? ''}
                        onChange={(v) => ctx.set(`${path}.${i}.formula`, v, { merge: true })}
                        fields={ctx.upstream?.fields ?? null}
                        valueMaps={ctx.valueMaps}
                        params={ctx.params}
                        expected={row.type}
                        sourceLabel={ctx.upstreamLabel}
                        diagnostics={at('formula')}
                        name={`${ctx.nodeId}-${path}-${i}`}
                        label={`Formula for ${row.target || `field ${i + 1}`}`}
                        rows={ctx.preview?.input ?? null}
                        previewProblem={ctx.preview?.loading ? 'Loading sample rows…' : ctx.preview?.problem}
                        previewNow={ctx.previewNow}
                        maxRows={4}
                        explainEmpty={false}
                        resultLabel={row.target || 'Result'}
                        testId="mapping-formula"
                      />
                    </td>
                  </tr>
                ) : null,
                errs.length > 0 ? (
                  <tr key={`e${i}`} className="mapping__errors">
                    <td colSpan={6}>
                      <FieldErrors diagnostics={errs} path={`${path}.${i}`} />
                    </td>
                  </tr>
                ) : null,
              ];
            })}
          </tbody>
        </table>
      )}
      <FieldErrors diagnostics={diagnosticsAt(ctx.diagnostics, path)} path={path} />
      <div className="mapping__actions">
        <button
          type="button"
          className="btn btn--secondary btn--sm"
          disabled={unmapped === 0}
          onClick={() => setRows(addAllFields(rows, upstream, ctx.upstream?.key ?? []))}
          data-testid="add-all-fields"
          title={ctx.upstream ? undefined : 'Connect an input first'}
        >
          <IconSparkle size={14} /> Add all fields{unmapped > 0 && rows.length > 0 ? ` (${unmapped})` : ''}
        </button>
        <button type="button" className="btn btn--ghost btn--sm" onClick={() => setRows([...rows, { from: 'field', source: '', target: '', type: 'text', key: false }])} data-testid="add-field">
          <IconPlus size={14} /> Add field
        </button>
      </div>
    </div>
  );
}
