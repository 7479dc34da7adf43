// The source's cursor field and soft-delete field (issue 14): a choice among the source's own columns that can serve
// (a cursor orders: date-times, dates, numbers; a soft-delete field is a flag or a date), offered from discovery.
import type { Field } from '../../../shared/graph/field-types';
import type { FormCtx } from '../form-context';

/** The workspace's "last written" time, which every workspace object can be read incrementally by. */
const UPDATED_AT = '_updated_at';

const CURSOR_TYPES = new Set(['datetime', 'date', 'number', 'currency']);
const SOFT_DELETE_TYPES = new Set(['boolean', 'datetime', 'date']);

export function syncFieldOptions(kind: string, columns: readonly Field[], purpose: 'cursor' | 'soft-delete'): { value: string; label: string }[] {
  const types = purpose === 'cursor' ? CURSOR_TYPES : SOFT_DELETE_TYPES;
  const options = columns.filter((c) => types.has(c.type)).map((c) => ({ value: c.name, label: `${c.name} (${c.type === 'datetime' ? 'date-time' : c.type})` }));
  if (purpose === 'cursor' && kind === 'workspace-source') options.push({ value: UPDATED_AT, label: 'Last written (_updated_at)' });
  return options;
}

export function SyncFieldSelect({ ctx, path, id, purpose }: { ctx: FormCtx; path: string; id?: string; purpose: 'cursor' | 'soft-delete' }) {
  const value = typeof ctx.config[path] === 'string' ? (ctx.config[path] as string) : '';
  const columns = Array.isArray(ctx.config.columns) ? (ctx.config.columns as Field[]) : [];
  const options = syncFieldOptions(ctx.kind, columns, purpose);
  const none = purpose === 'cursor' ? 'None: read everything every run' : 'None: deletes are not detected';
  const hint =
    purpose === 'cursor'
      ? 'Each run reads the records whose field is at least the last run’s highest value (records of that same instant are read again, never skipped). File sources always read everything.'
      : 'Records with this flag set (or this date filled) are deletes; the target decides what a delete does.';
  return (
    <>
      <select id={id} className="input select" value={value} data-testid={`sync-field-${path}`} onChange={(e) => ctx.set(path, e.target.value)}>
        <option value="">{none}</option>
        {value !== '' && !options.some((o) => o.value === value) ? <option value={value}>{value} (not a column any more)</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <p className="hint">{hint}</p>
    </>
  );
}
