// 'input-field' widget: pick one of the fields flowing into this node.
import { FIELD_TYPE_LABELS } from '../../../shared';
import type { FormCtx } from '../form-context';

export function UpstreamFieldSelect({
  ctx,
  value,
  onChange,
  invalid,
  id,
  label,
  compact,
}: {
  ctx: FormCtx;
  value: string;
  onChange: (name: string) => void;
  invalid?: boolean;
  id?: string;
  label?: string;
  /** Names only (the mapping table shows the type in its own column). */
  compact?: boolean;
}) {
  const fields = ctx.upstream?.fields ?? [];
  const known = fields.some((f) => f.name === value);
  return (
    <select
      id={id}
      className={`input select${invalid ? ' is-invalid' : ''}`}
      value={value}
      aria-label={label}
      aria-invalid={invalid || undefined}
      onChange={(e) => onChange(e.target.value)}
      disabled={!ctx.upstream && !value}
      title={value || undefined}
    >
      <option value="" disabled>
        {ctx.upstream ? 'Choose a field…' : 'Connect an input first'}
      </option>
      {value && !known ? <option value={value}>{value} (not found)</option> : null}
      {fields.map((f) => (
        <option key={f.name} value={f.name}>
          {compact ? f.name : `${f.name} · ${FIELD_TYPE_LABELS[f.type]}`}
        </option>
      ))}
    </select>
  );
}
