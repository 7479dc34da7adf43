// Every schema migration, in order. The same list runs on PGlite and on Postgres.
import { init } from './0001-init';
import { connections } from './0002-connections';
import type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [init, connections];

export type { Migration } from './types';
