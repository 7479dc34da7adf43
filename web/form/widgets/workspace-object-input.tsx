// 'workspace-object' widget: type a new object name or pick an existing one.
import { useId } from 'react';
import { formatCount } from '../../lib/format';
import type { FormCtx } from '../form-context';

export function WorkspaceObjectInput({ ctx, value, onChange, invalid, id }: { ctx: FormCtx; value: string; onChange: (v: string) => void; invalid?: boolean; id?: string }) {
  const listId = useId();
  const existing = ctx.workspaceObjects.find((o) => o.name === value);
  return (
    <>
      <input
        id={id}
        className={`input${invalid ? ' is-invalid' : ''}`}
        list={listId}
        value={value}
        placeholder="e.g. contacts"
        autoComplete="off"
        spellCheck={false}
        aria-invalid={invalid || undefined}
        onChange={(e) => onChange(e.target.value)}
        data-testid="workspace-object-input"
      />
      <datalist id={listId}>
        {ctx.workspaceObjects.map((o) => (
          <option key={o.name} value={o.name}>
            {o.label}
          </option>
        ))}
      </datalist>
      {value && !invalid ? (
        <p className="hint">
          {existing
            ? `Existing object · ${formatCount(existing.recordCount)} records${existing.key.length ? ` · key: ${existing.key.join(', ')}` : ''}`
            : 'New object — Weft creates it on the first run.'}
        </p>
      ) : null}
    </>
  );
}
