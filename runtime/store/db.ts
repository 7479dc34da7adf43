// The one database type the store is written against; both engines' Drizzle databases (and their transactions) are one.
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

export type Db = PgDatabase<PgQueryResultHKT>;
