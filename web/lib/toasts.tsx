// Transient notices ("Saved", "Could not reach the server") from anywhere, shown bottom-right.
import { useSyncExternalStore } from 'react';
import { IconAlert, IconCheck, IconX } from '../components/icons';
import { confirmDialog, type ConfirmRequest } from './confirm';

export interface Toast {
  id: number;
  tone: 'success' | 'error' | 'info';
  message: string;
}

let toasts: Toast[] = [];
let seq = 0;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

export function dismiss(id: number) {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

export function toast(message: string, tone: Toast['tone'] = 'info', ms = tone === 'error' ? 7000 : 3500) {
  const id = ++seq;
  toasts = [...toasts.slice(-3), { id, tone, message }];
  emit();
  window.setTimeout(() => dismiss(id), ms);
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/**
 * One action a person starts from a list (revoke, remove, re-role...): asks first in Weft's confirm dialog when
 * `confirm` is given, runs it, and says how it went: the success message (if any) or the error, as a toast.
 * Resolves true when it ran.
 */
export async function runAction<T>(opts: {
  confirm?: string | ConfirmRequest;
  run: () => Promise<T>;
  done?: (result: T) => string | void;
  errorText: (e: unknown) => string;
}): Promise<boolean> {
  if (opts.confirm && !(await confirmDialog(opts.confirm))) return false;
  try {
    const result = await opts.run();
    const message = opts.done?.(result);
    if (message) toast(message, 'success');
    return true;
  } catch (e) {
    toast(opts.errorText(e), 'error');
    return false;
  }
}

export function Toaster() {
  const list = useSyncExternalStore(subscribe, () => toasts);
  return (
    <div className="toaster" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} className={`toast toast--${t.tone}`} role={t.tone === 'error' ? 'alert' : 'status'} data-testid="toast">
          <span className="toast__icon">{t.tone === 'error' ? <IconAlert size={16} /> : <IconCheck size={16} />}</span>
          <span className="toast__msg">{t.message}</span>
          <button type="button" className="toast__close" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            <IconX size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
