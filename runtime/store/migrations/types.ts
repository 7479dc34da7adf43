// The shape of one schema migration: a version, a name and the statements that take the schema there.
export interface Migration {
  /** Unique and increasing (numbers may be skipped: branches reserve theirs); the runner applies every version not yet recorded, in order. */
  version: number;
  name: string;
  /** One SQL statement per entry: PGlite's extended protocol refuses several in one query. */
  statements: string[];
}
