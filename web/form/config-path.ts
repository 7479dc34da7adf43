// Reading and writing a node's config by dotted path, and finding the diagnostics aimed at a path.
import type { Diagnostic } from '../../shared';

export const joinPath = (...parts: (string | number)[]) => parts.filter((p) => p !== '').join('.');

export function getAt(obj: unknown, path: string): unknown {
  if (path === '') return obj;
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Immutable set: copies each object/array along the path. */
export function setAt<T>(obj: T, path: string, value: unknown): T {
  if (path === '') return value as T;
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  const tail = rest.join('.');
  if (Array.isArray(obj)) {
    const copy = [...obj];
    const i = Number(head);
    copy[i] = setAt(copy[i], tail, value);
    return copy as T;
  }
  const src = obj && typeof obj === 'object' ? (obj as Record<string, unknown>) : {};
  const nextIsIndex = /^\d+$/.test(rest[0] ?? '');
  const child = src[head] ?? (rest.length > 0 ? (nextIsIndex ? [] : {}) : undefined);
  return { ...src, [head]: setAt(child, tail, value) } as T;
}

/** Diagnostics aimed exactly at `path`. */
export const diagnosticsAt = (ds: readonly Diagnostic[], path: string) => ds.filter((d) => (d.path ?? '') === path);

/** Diagnostics at `path` or anywhere below it. */
export const diagnosticsUnder = (ds: readonly Diagnostic[], path: string) =>
  ds.filter((d) => d.path !== undefined && (d.path === path || d.path.startsWith(`${path}.`)));

/**
 * Diagnostics the form cannot place next to a field (no path, or a path that no visible field
 * claims), shown at the top of the inspector so nothing is ever silently hidden.
 */
export function unplacedDiagnostics(ds: readonly Diagnostic[], placedPrefixes: readonly string[]) {
  return ds.filter((d) => !d.path || !placedPrefixes.some((p) => d.path === p || d.path!.startsWith(`${p}.`)));
}
