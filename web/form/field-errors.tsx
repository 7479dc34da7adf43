// Compile problems printed under the control they are about.
import type { Diagnostic } from '../../shared';
import { IconAlert } from '../components/icons';

export function FieldErrors({ diagnostics, path }: { diagnostics: readonly Diagnostic[]; path: string }) {
  if (diagnostics.length === 0) return null;
  return (
    <div className="field-errors">
      {diagnostics.map((d, i) => (
        <div key={i} className={`field-error${d.severity === 'warning' ? ' field-error--warn' : ''}`} data-testid="field-error" data-path={path}>
          <IconAlert size={13} />
          <span>{d.message}</span>
        </div>
      ))}
    </div>
  );
}
