// The shape of a compiled formula node, and value conversions between types at run time.
import type { Row } from '../graph/field-types';
import { dateToDateTime } from './dates';
import { toText } from './runtime';
import type { FormulaType } from './types';

export interface Env {
  /** Milliseconds since the epoch; TODAY() and NOW() read the clock only through this. */
  now: () => number;
  /** The run's parameters, by name; PARAM(name) reads them (blank when absent). */
  params?: ReadonlyMap<string, unknown>;
  /** The run's member alignment snapshot, which MEMBER(system, id) reads (absent: MEMBER fails the record, saying so). */
  members?: MemberDirectory;
}

/** What MEMBER reads: loaded once per run (runtime/members/snapshot.ts), or built from a designer's test. */
export interface MemberDirectory {
  /** The id in `to` of the member whose id in `from` is `id`, or why there is none. */
  resolve(from: string, id: string, to: string | undefined): { ok: true; id: string } | { ok: false; reason: string };
}

/** A compiled node: reads the row, returns a runtime value, throws FormulaFault to reject. */
export type Compiled = (row: Row, env: Env) => unknown;

/**
 * Wraps `c` so its values of type `from` become values of type `to` where the representation
 * differs (a Date becoming a DateTime, anything becoming Text); otherwise returns `c` itself.
 */
export function coerce(c: Compiled, from: FormulaType, to: FormulaType): Compiled {
  if (to.kind === 'DateTime' && from.kind === 'Date') {
    return (row, env) => {
      const v = c(row, env);
      return typeof v === 'string' ? dateToDateTime(v) : v;
    };
  }
  if (to.kind === 'Text' && from.kind !== 'Text' && from.kind !== 'Null' && from.kind !== 'Any') {
    return (row, env) => {
      const v = c(row, env);
      return v === null ? null : toText(v);
    };
  }
  return c;
}
