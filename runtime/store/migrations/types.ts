// The shape of one schema migration: a version, a name and the statements that take the schema there.
export interface Migration {
  /** Consecutive from 1; the runner applies every version above the highest recorded one, in order. */
  version: number;
  name: string;
  /** One SQL statement per entry: PGlite's extended protocol refuses several in one query. */
  statements: string[];
}
