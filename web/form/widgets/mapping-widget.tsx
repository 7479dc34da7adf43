// 'mapping' widget: which upstream field becomes which target field, as what type, and which is the key.
import { FIELD_TYPE_LABELS, FieldType, type Field } from '../../../shared';
import { IconKey, IconPlus, IconSparkle, IconX } from '../../components/icons';
import { diagnosticsAt } from '../config-path';
import { FieldErrors } from '../field-errors';
import type { FormCtx } from '../form-context';
import { UpstreamFieldSelect } from './upstream-field-select';

export interface MappingRow {
  source: string;
  target: string;
  type: FieldType;
  key: boolean;
}

const asRows = (v: unknown): MappingRow[] => (Array.isArray(v) ? (v as MappingRow[]) : []);

/** Maps every upstream field not yet mapped, keeping its name and type. */
export function addAllFields(rows: readonly MappingRow[], upstream: readonly Field[]): MappingRow[] {
  const mapped = new Set(rows.map((r) => r.source));
  const targets = new Set(rows.map((r) => r.target));
  const added = upstream.filter((f) => !mapped.has(f.name) && !targets.has(f.name)).map((f) => ({ source: f.name, target: f.name, type: f.type, key: false }));
  return [...rows, ...added];
}

/** Choosing a source fills in the target name (if untouched) and the type. */
export function withSource(row: MappingRow, source: string, upstream: readonly Field[]): MappingRow {
  const field = upstream.find((f) => f.name === source);
  const targetUntouched = row.target === '' || row.target === row.source;
  return { ...row, source, target: targetUntouched ? source : row.target, type: field?.type ?? row.type };
}

export function MappingWidget({ ctx, path }: { ctx: FormCtx; path: string }) {
  const rows = asRows(ctx.config[path]);
  const upstream = ctx.upstream?.fields ?? [];
  const unmapped = upstream.filter((f) => !rows.some((r) => r.source === f.name)).length;
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
              <th>Source field</th>
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
              const errs = [...at('source'), ...at('target'), ...at('type'), ...at('key'), ...diagnosticsAt(ctx.diagnostics, `${path}.${i}`)];
              return [
                <tr key={`r${i}`} className="mapping__row" data-testid="mapping-row">
                  <td>
                    <UpstreamFieldSelect
                      ctx={ctx}
                      compact
                      value={row.source}
                      label={`Source field ${i + 1}`}
                      invalid={at('source').length > 0}
                      onChange={(v) => ctx.set(`${path}.${i}`, withSource(row, v, upstream))}
                    />
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
                errs.length > 0 ? (
                  <tr key={`e${i}`} className="mapping__errors">
                    <td colSpan={5}>
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
          onClick={() => setRows(addAllFields(rows, upstream))}
          data-testid="add-all-fields"
          title={ctx.upstream ? undefined : 'Connect an input first'}
        >
          <IconSparkle size={14} /> Add all fields{unmapped > 0 && rows.length > 0 ? ` (${unmapped})` : ''}
        </button>
        <button type="button" className="btn btn--ghost btn--sm" onClick={() => setRows([...rows, { source: '', target: '', type: 'text', key: false }])} data-testid="add-field">
          <IconPlus size={14} /> Add field
        </button>
      </div>
    </div>
  );
}
