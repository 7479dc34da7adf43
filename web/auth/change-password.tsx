// Change one's own password from the user menu; the person's other sessions end (the server does that).
import { Modal } from '../components/modal';
import { useState, type FormEvent } from 'react';
import { api, ApiRequestError, errorMessage } from '../api';
import { IconX, Spinner } from '../components/icons';
import { toast } from '../lib/toasts';

export function ChangePasswordDialog({ onClose }: { onClose: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.changePassword({ currentPassword: current, newPassword: next });
      toast('Password changed; you were signed out on your other devices', 'success');
      onClose();
    } catch (err) {
      setError(err instanceof ApiRequestError && err.issues[0] ? err.issues[0].message : errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal onClose={onClose} labelledBy="password-title">
      <form className="dialog dialog--narrow card" onSubmit={submit} noValidate data-testid="password-dialog">
        <header className="dialog__head">
          <div className="dialog__titles">
            <h2 className="dialog__title" id="password-title">
              Change password
            </h2>
            <p className="dialog__subtitle muted">Your other devices are signed out; this one stays signed in.</p>
          </div>
          <button type="button" className="icon-btn icon-btn--quiet" aria-label="Close" onClick={onClose}>
            <IconX size={16} />
          </button>
        </header>
        <div className="dialog__body form">
          <div className="form-row">
            <label className="form-label" htmlFor="current-password">
              Current password
            </label>
            <input id="current-password" className="input" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} autoFocus data-testid="current-password" />
          </div>
          <div className="form-row">
            <label className="form-label" htmlFor="new-password">
              New password
            </label>
            <input id="new-password" className="input" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} data-testid="new-password" />
            <p className="hint">At least 8 characters.</p>
          </div>
          {error ? (
            <div className="banner banner--error banner--sm" role="alert" data-testid="password-error">
              {error}
            </div>
          ) : null}
        </div>
        <footer className="dialog__foot">
          <span className="spacer" />
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy || !current || !next} data-testid="password-submit">
            {busy ? <Spinner /> : null}
            Change password
          </button>
        </footer>
      </form>
    </Modal>
  );
}
