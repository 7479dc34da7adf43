// Every schema migration, in order. The same list runs on PGlite and on Postgres.
import { init } from './0001-init';
import { connections } from './0002-connections';
import { fileFormats } from './0003-file-formats';
import type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [init, connections, fileFormats];

export type { Migration } from './types';
