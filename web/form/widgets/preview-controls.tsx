// "Load preview", where the source's preview stands, and why it failed: the same controls for every source
// whose preview must be loaded before publishing (database tables, files).
import { IconEye, Spinner } from '../../components/icons';

export type PreviewStanding = 'current' | 'stale' | 'none';

export function PreviewControls({ onLoad, busy, disabled, state, error }: { onLoad: () => void; busy: boolean; disabled: boolean; state: PreviewStanding; error: string | null }) {
  return (
    <>
      <div className="row-sm">
        <button type="button" className="btn btn--sm" onClick={onLoad} disabled={busy || disabled} data-testid="load-preview">
          {busy ? <Spinner /> : <IconEye size={14} />}
          Load preview
        </button>
        <span className={`muted small${state === 'stale' ? ' text-warn' : ''}`} data-testid="preview-state">
          {state === 'current' ? 'Previewed' : state === 'stale' ? 'Changed since the last preview' : 'Not previewed yet — needed to publish'}
        </span>
      </div>
      {error ? (
        <div className="banner banner--error banner--sm" role="alert" data-testid="preview-error">
          {error}
        </div>
      ) : null}
    </>
  );
}
