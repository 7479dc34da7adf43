// The shape of one schema migration: a version, a name and the statements that take the schema there.
import type { Db } from '../db';

export interface Migration {
  /** Unique and increasing (numbers may be skipped: branches reserve theirs); the runner applies every version not yet recorded, in order. */
  version: number;
  name: string;
  /** One SQL statement per entry: PGlite's extended protocol refuses several in one query. */
  statements: string[];
  /**
   * A step that needs the secrets key (sealing values kept in clear): run after the statements, in the same
   * transaction. A process migrating without the key (a worker started without WEFT_SECRET_KEY) leaves the whole
   * migration pending, unrecorded, for the next start that has it (the API always has one).
   */
  withKey?: (db: Db, box: SecretBox) => Promise<void>;
}

/** Seals and opens with the secrets key (runtime/connections/service.ts `secretBox`, the one code that holds the cipher). */
export interface SecretBox {
  seal(plain: string): string;
  /** Null when the text does not open with this key (tampered with, or sealed with another key). */
  open(sealed: string): string | null;
  /** Whether a stored text is in the sealed format, whichever key sealed it: what a step sealing clear values skips. */
  looksSealed(text: string): boolean;
}

export interface MigrateOptions {
  /** The secrets key's box: migrations with a `withKey` step wait without it. */
  secrets?: SecretBox | null;
}
