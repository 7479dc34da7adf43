// "Are you sure?" as Weft's own dialog instead of the browser's confirm(): one question at a time, asked from
// anywhere (`await confirmDialog(...)`), answered in a styled modal that keeps focus and says what the button does.
import { useSyncExternalStore } from 'react';
import { Modal } from '../components/modal';

export interface ConfirmRequest {
  message: string;
  /** The confirming button's words ("Delete", "Sign out everywhere"); "OK" says nothing. */
  confirmLabel?: string;
  title?: string;
  /** A red confirming button, for what cannot be undone. */
  danger?: boolean;
  /** Text shown as written, in a scrollable block under the message (the statement a button will run). */
  code?: string;
  /** A third choice between Cancel and the confirming button ("Leave without saving" beside "Save and leave"). */
  alternativeLabel?: string;
}

export type ConfirmAnswer = 'confirm' | 'alternative' | 'cancel';

interface Pending extends ConfirmRequest {
  resolve: (answer: ConfirmAnswer) => void;
}

let pending: Pending | null = null;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/** Asks the question in a modal; resolves true on the confirming button, false on Cancel, Escape or the backdrop. */
export async function confirmDialog(request: ConfirmRequest | string): Promise<boolean> {
  return (await askDialog(typeof request === 'string' ? { message: request } : request)) === 'confirm';
}

/** The same modal with up to three answers. */
export function askDialog(req: ConfirmRequest): Promise<ConfirmAnswer> {
  // A second question while one is open answers the first "cancel": only one modal at a time.
  pending?.resolve('cancel');
  return new Promise<ConfirmAnswer>((resolve) => {
    pending = { ...req, resolve };
    emit();
  });
}

function answer(a: ConfirmAnswer) {
  const p = pending;
  pending = null;
  emit();
  p?.resolve(a);
}

/** Mounted once beside the toaster. */
export function ConfirmHost() {
  const req = useSyncExternalStore(subscribe, () => pending);
  if (!req) return null;
  return (
    <Modal key={req.message} onClose={() => answer('cancel')} labelledBy="confirm-title">
      <div className="dialog dialog--narrow card" data-testid="confirm-dialog">
        <div className="dialog__head">
          <div className="dialog__titles">
            <h2 className="dialog__title" id="confirm-title">
              {req.title ?? 'Are you sure?'}
            </h2>
          </div>
        </div>
        <div className="dialog__body">
          <p className="confirm-dialog__message">{req.message}</p>
          {req.code ? (
            <pre className="confirm-dialog__code" tabIndex={0} data-testid="confirm-code">
              {req.code}
            </pre>
          ) : null}
        </div>
        <div className="dialog__foot">
          <button type="button" className="btn btn--ghost" onClick={() => answer('cancel')} data-autofocus data-testid="confirm-cancel">
            Cancel
          </button>
          {req.alternativeLabel ? (
            <button type="button" className="btn btn--secondary" onClick={() => answer('alternative')} data-testid="confirm-alternative">
              {req.alternativeLabel}
            </button>
          ) : null}
          <button type="button" className={`btn ${req.danger ? 'btn--danger' : 'btn--primary'}`} onClick={() => answer('confirm')} data-testid="confirm-ok">
            {req.confirmLabel ?? 'OK'}
          </button>
        </div>
      </div>
    </Modal>
  );
}
