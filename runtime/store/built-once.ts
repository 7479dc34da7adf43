// Statements every run makes, built once per database (issue 16). Drizzle builds a query's text from its builder on
// every call (walking every column and condition, ~0.2–0.5 ms of the worker's CPU a statement); a statement built with
// placeholders (`sql.placeholder`) and prepared once is only filled in. Prepared unnamed (UNNAMED): a named statement
// would be kept by the session, and the store process serves every connection from PGlite's one session, where a
// second connection preparing the same name fails. Unnamed, each call is parsed as a plain parameterized statement,
// exactly as before; only the building is saved.
import type { Db } from './db';

/** The statement name that asks for the unnamed statement (the wire protocol's ''): never kept by the session. */
export const UNNAMED = '';

/** `build(db)` made once per database (the root database only: a transaction's statements are built as they come). */
export function builtOnce<T>(build: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db, T>();
  return (db) => {
    let statement = made.get(db);
    if (statement === undefined) {
      statement = build(db);
      made.set(db, statement);
    }
    return statement;
  };
}
