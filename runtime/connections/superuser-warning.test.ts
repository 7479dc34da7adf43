// Test connection passes for a superuser but warns that a least-privilege, read-only user is recommended for sources;
// a plain user passes without a warning. Real Postgres (127.0.0.1:5432) and MariaDB (127.0.0.1:3306), own roles.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlConnector } from '../connectors/mysql';
import { postgresConnector } from '../connectors/postgres';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { createHostPolicy } from './host-policy';
import { connectorLookup } from './registry';
import { createConnectionService } from './service';

const PG_URL = process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MY_URL = process.env.WEFT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const id = randomBytes(4).toString('hex');
const PASSWORD = `Sw-${id}-pass`;
const hosts = ['localhost', '127.0.0.1', '%'];

let store: Store;
let admin: pg.Client;
let root: mysql.Connection;
const names = { pgPlain: `weft_sw_${id}_plain`, pgSuper: `weft_sw_${id}_super`, myPlain: `weft_sw_${id}_p`, mySuper: `weft_sw_${id}_s`, myDb: `weft_sw_${id}` };

beforeAll(async () => {
  store = await openStore({ memory: true });
  admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE ROLE ${names.pgPlain} LOGIN PASSWORD '${PASSWORD}'`);
  await admin.query(`CREATE ROLE ${names.pgSuper} LOGIN SUPERUSER PASSWORD '${PASSWORD}'`);
  root = await mysql.createConnection({ uri: MY_URL });
  await root.query(`CREATE DATABASE ${names.myDb}`);
  for (const h of hosts) {
    await root.query('CREATE USER ?@? IDENTIFIED BY ?', [names.myPlain, h, PASSWORD]);
    await root.query(`GRANT SELECT ON ${names.myDb}.* TO ?@?`, [names.myPlain, h]);
    await root.query('CREATE USER ?@? IDENTIFIED BY ?', [names.mySuper, h, PASSWORD]);
    await root.query('GRANT ALL PRIVILEGES ON *.* TO ?@?', [names.mySuper, h]);
  }
});
afterAll(async () => {
  await store?.close();
  for (const r of [names.pgPlain, names.pgSuper]) await admin?.query(`DROP ROLE IF EXISTS ${r}`);
  await admin?.end();
  await root?.query(`DROP DATABASE IF EXISTS ${names.myDb}`);
  for (const u of [names.myPlain, names.mySuper]) for (const h of hosts) await root?.query('DROP USER IF EXISTS ?@?', [u, h]);
  await root?.end();
});

const service = () => createConnectionService({ store, secretKey: randomBytes(32), connectors: connectorLookup([postgresConnector, mysqlConnector]), hosts: createHostPolicy(), warn: () => undefined });

describe('Test connection warns about a superuser', () => {
  it('on Postgres: rolsuper', async () => {
    const config = (user: string) => ({ host: '127.0.0.1', port: Number(new URL(PG_URL).port || 5432), database: 'postgres', user });
    const plain = await service().testUnsaved({ connector: 'postgres', config: config(names.pgPlain), secrets: { password: PASSWORD } });
    expect(plain).toEqual({ ok: true, code: null, message: 'Connected' });
    const superuser = await service().testUnsaved({ connector: 'postgres', config: config(names.pgSuper), secrets: { password: PASSWORD } });
    expect(superuser).toMatchObject({ ok: true, code: null, warning: expect.stringMatching(new RegExp(`"${names.pgSuper}" is a Postgres superuser.*least-privilege user`)) });
  });

  it('on MariaDB: SUPER or ALL PRIVILEGES on every database', async () => {
    const config = (user: string) => ({ host: '127.0.0.1', port: Number(new URL(MY_URL).port || 3306), database: names.myDb, user });
    const plain = await service().testUnsaved({ connector: 'mysql', config: config(names.myPlain), secrets: { password: PASSWORD } });
    expect(plain).toEqual({ ok: true, code: null, message: 'Connected' });
    const superuser = await service().testUnsaved({ connector: 'mysql', config: config(names.mySuper), secrets: { password: PASSWORD } });
    expect(superuser).toMatchObject({ ok: true, code: null, warning: expect.stringMatching(/SUPER or ALL PRIVILEGES.*least-privilege user/) });
  });
});
