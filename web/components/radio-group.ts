// Arrow keys in a WAI-ARIA radio group of buttons: focus moves to the next (or previous) radio and selects it, as a
// native radio group does. The group is one tab stop: give the checked radio tabIndex 0 and the others -1
// (`radioTabIndex`).
import type { KeyboardEvent } from 'react';

export function onRadioGroupKeyDown(e: KeyboardEvent<HTMLElement>): void {
  const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
  if (!step) return;
  const radios = Array.from(e.currentTarget.querySelectorAll<HTMLElement>('[role="radio"]:not([disabled])'));
  if (radios.length === 0) return;
  e.preventDefault();
  const at = radios.indexOf(document.activeElement as HTMLElement);
  const next = radios[(Math.max(at, 0) + step + radios.length) % radios.length]!;
  next.focus();
  next.click();
}

/** 0 for the checked radio (or the first when none is), -1 for the rest. */
export const radioTabIndex = (checked: boolean, index: number, anyChecked: boolean): number => (checked || (!anyChecked && index === 0) ? 0 : -1);
