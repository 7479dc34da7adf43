// Every schema migration, in order. The same list runs on PGlite and on Postgres.
import { init } from './0001-init';
import type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [init];

export type { Migration } from './types';
