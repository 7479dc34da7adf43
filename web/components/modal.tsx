// Every dialog in Weft: the native <dialog> opened with showModal(), so the browser moves focus in and marks the rest
// of the page inert; Tab wraps around inside it, and closing returns focus to what had it before.
import { useLayoutEffect, useRef, type ReactNode } from 'react';

/** What gets focus when a dialog opens: an element marked `data-autofocus`, else its first field, else its first control. */
const INITIAL_FOCUS = ['[data-autofocus]', 'input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled])'];

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Modal({
  onClose,
  labelledBy,
  children,
  dismissable = true,
}: {
  /** Escape and a click on the dimmed backdrop call it (unless `dismissable` is false); the parent unmounts the modal. */
  onClose: () => void;
  labelledBy: string;
  children: ReactNode;
  dismissable?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const latest = useRef({ onClose, dismissable });
  latest.current = { onClose, dismissable };

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const returnTo = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    for (const sel of INITIAL_FOCUS) {
      const el = dialog.querySelector<HTMLElement>(sel);
      if (el) {
        el.focus();
        break;
      }
    }
    const onCancel = (e: Event) => {
      // Escape: the parent decides (it unmounts the dialog), so the browser does not close it behind React's back.
      e.preventDefault();
      if (latest.current.dismissable) latest.current.onClose();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      // Back to the control that opened the dialog; if it is gone (a row deleted), to the page's heading.
      const target = returnTo?.isConnected ? returnTo : document.querySelector<HTMLElement>('main h1');
      if (target) {
        if (target.tagName === 'H1' && !target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
        target.focus();
      }
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby={labelledBy}
      onKeyDown={(e) => {
        // The browser keeps focus out of the page behind, but lets Tab leave for its own toolbar: wrap instead.
        if (e.key !== 'Tab') return;
        const all = Array.from(e.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.offsetParent !== null || el === document.activeElement);
        const first = all[0];
        const last = all[all.length - 1];
        if (!first || !last) return;
        if (e.shiftKey && (document.activeElement === first || document.activeElement === e.currentTarget)) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }}
      onMouseDown={(e) => {
        // The <dialog> box fills the viewport; a press on it (not on the card inside) is a press on the backdrop.
        if (e.target === e.currentTarget && latest.current.dismissable) latest.current.onClose();
      }}
    >
      {children}
    </dialog>
  );
}
