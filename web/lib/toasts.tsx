// Transient notices ("Saved", "Could not reach the server") from anywhere, shown bottom-right.
import { useSyncExternalStore } from 'react';
import { IconAlert, IconCheck, IconX } from '../components/icons';

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
