// A WAI-ARIA menu button: the menu opens with focus on its first item, arrow keys, Home and End move between items,
// Escape closes it and gives focus back to the button, Tab closes it and moves on, a click outside closes it.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react';

const ITEMS = '[role="menuitem"]:not([disabled]):not([aria-disabled="true"])';

export interface MenuButton<B extends HTMLElement> {
  open: boolean;
  /** Opens (focus on the first item, or the last with `last`) or closes the menu. */
  setOpen: (open: boolean, opts?: { last?: boolean }) => void;
  /** Closes the menu and returns focus to the button (after choosing an item, or Escape). */
  close: () => void;
  buttonRef: RefObject<B | null>;
  menuRef: RefObject<HTMLDivElement | null>;
  /** On the button: ArrowDown / ArrowUp open the menu on the first / last item. */
  onButtonKeyDown: (e: KeyboardEvent) => void;
  /** On the menu element: arrow keys, Home, End, Escape, Tab. */
  onMenuKeyDown: (e: KeyboardEvent) => void;
}

export function useMenuButton<B extends HTMLElement = HTMLButtonElement>(): MenuButton<B> {
  const [open, setOpenState] = useState(false);
  const focusLast = useRef(false);
  const buttonRef = useRef<B>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const items = () => Array.from(menuRef.current?.querySelectorAll<HTMLElement>(ITEMS) ?? []);

  const setOpen = useCallback((next: boolean, opts: { last?: boolean } = {}) => {
    focusLast.current = opts.last ?? false;
    setOpenState(next);
  }, []);
  const close = useCallback(() => {
    setOpenState(false);
    buttonRef.current?.focus();
  }, []);

  // Focus moves into the menu when it opens.
  useEffect(() => {
    if (!open) return;
    const list = Array.from(menuRef.current?.querySelectorAll<HTMLElement>(ITEMS) ?? []);
    (focusLast.current ? list[list.length - 1] : list[0])?.focus();
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      const t = e.target as Node;
      if (!menuRef.current?.contains(t) && !buttonRef.current?.contains(t)) setOpenState(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const onButtonKeyDown = useCallback(
    (e: KeyboardEvent) => {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setOpen(true, { last: e.key === 'ArrowUp' });
      }
    },
    [setOpen],
  );

  const onMenuKeyDown = useCallback(
    (e: KeyboardEvent) => {
      const list = items();
      const at = list.indexOf(document.activeElement as HTMLElement);
      const move = (i: number) => {
        e.preventDefault();
        e.stopPropagation();
        list[(i + list.length) % list.length]?.focus();
      };
      if (e.key === 'ArrowDown') move(at + 1);
      else if (e.key === 'ArrowUp') move(at < 0 ? list.length - 1 : at - 1);
      else if (e.key === 'Home') move(0);
      else if (e.key === 'End') move(list.length - 1);
      else if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        close();
      } else if (e.key === 'Tab') setOpenState(false);
    },
    [close],
  );

  return { open, setOpen, close, buttonRef, menuRef, onButtonKeyDown, onMenuKeyDown };
}
