// Runs the shared contract suite against the machine's MariaDB/MySQL (127.0.0.1:3306, root without a
// password, or WEFT_TEST_MYSQL_URL). Each run makes its own database and a user with a password, and drops them.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { runContractSuite, sqlQueries, type ContractFixture, type FixtureColumn } from '../contract-suite';
import { mapMysqlType, mysqlConnector, type MysqlConfig, type MysqlSecrets } from './index';
import { toMysqlValue } from './type-map';

const SERVER_URL = process.env.WEFT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const url = new URL(SERVER_URL);
const port = Number(url.port || 3306);
const ident = (n: string) => `\`${n.replace(/`/g, '``')}\``;
const unique = `weft_ct_${randomBytes(4).toString('hex')}`;
const PASSWORD = 'right-Passw0rd';

async function serverAnswers(): Promise<string | undefined> {
  try {
    const c = await mysql.createConnection({ uri: SERVER_URL, connectTimeout: 2000 });
    await c.end();
    return undefined;
  } catch (e) {
    return `no MySQL/MariaDB answers at ${url.host} as ${url.username || 'root'} (${(e as Error).message}); set WEFT_TEST_MYSQL_URL to run these tests`;
  }
}

function ddlType(c: FixtureColumn): string {
  switch (c.type) {
    case 'number':
      return c.integer ? 'INT' : 'DECIMAL(18,4)';
    case 'currency':
      return 'DECIMAL(12,2)';
    case 'date':
      return 'DATE';
    case 'datetime':
      return 'DATETIME(3)';
    case 'boolean':
      return 'TINYINT(1)';
    case 'text':
    case 'reference':
      return c.maxLength ? `VARCHAR(${c.maxLength})` : 'TEXT';
  }
}

function mysqlFixture(admin: mysql.Connection): ContractFixture {
  return {
    discoveredAs: { currency: 'number' },
    queries: sqlQueries,
    slowQuery: 'SELECT SLEEP(3) AS slept',
    async createObject(name, columns, key, rows) {
      await admin.query(`DROP TABLE IF EXISTS ${ident(name)}`);
      const defs = columns.map((c) => `${ident(c.name)} ${ddlType(c)}${c.notNull ? ' NOT NULL' : ' NULL'}`);
      if (key.length > 0) defs.push(`PRIMARY KEY (${key.map(ident).join(', ')})`);
      await admin.query(`CREATE TABLE ${ident(name)} (${defs.join(', ')}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
      if (rows.length > 0) {
        const values = rows.map((r) => columns.map((c) => toMysqlValue(r[c.name], c.type)));
        await admin.query(`INSERT INTO ${ident(name)} (${columns.map((c) => ident(c.name)).join(', ')}) VALUES ?`, [values]);
      }
      return name;
    },
    async dropObject(name) {
      await admin.query(`DROP TABLE IF EXISTS ${ident(name)}`);
    },
  };
}

const skip = await serverAnswers();
let root: mysql.Connection;
let admin: mysql.Connection;
const hosts = ['localhost', '127.0.0.1', '%'];

runContractSuite<MysqlConfig, MysqlSecrets>({
  name: `mysql (server ${url.host})`,
  connector: mysqlConnector,
  skip,
  async setup() {
    root = await mysql.createConnection({ uri: SERVER_URL });
    await root.query(`CREATE DATABASE ${ident(unique)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    for (const h of hosts) {
      await root.query(`CREATE USER ?@? IDENTIFIED BY ?`, [unique, h, PASSWORD]);
      await root.query(`GRANT ALL PRIVILEGES ON ${ident(unique)}.* TO ?@?`, [unique, h]);
    }
    admin = await mysql.createConnection({ uri: SERVER_URL, database: unique, charset: 'utf8mb4' });
    await admin.query("SET time_zone = '+00:00'");
    const config: MysqlConfig = { host: url.hostname, port, database: unique, user: unique, sslMode: 'disable', queryTimeoutSeconds: 30 };
    return {
      config,
      secrets: { password: PASSWORD },
      fixture: mysqlFixture(admin),
      timeoutConfig: { ...config, queryTimeoutSeconds: 1 },
      wrongPassword: { config, secrets: { password: 'wrong-password' } },
      unreachable: { config: { ...config, port: 1 }, secrets: { password: PASSWORD } },
      missingDatabase: { config: { ...config, user: url.username || 'root', database: `${unique}_missing` }, secrets: { password: decodeURIComponent(url.password) } },
    };
  },
  async teardown() {
    await admin?.end().catch(() => undefined);
    await root.query(`DROP DATABASE IF EXISTS ${ident(unique)}`);
    for (const h of hosts) await root.query('DROP USER IF EXISTS ?@?', [unique, h]);
    await root.end();
  },
});

describe('mysql type map', () => {
  it('maps MySQL/MariaDB column types to Weft types in one table', () => {
    const cases: [string, string][] = [
      ['int(11)', 'number'],
      ['bigint(20) unsigned', 'number'],
      ['decimal(12,2)', 'number'],
      ['double', 'number'],
      ['tinyint(1)', 'boolean'],
      ['tinyint(4)', 'number'],
      ['date', 'date'],
      ['datetime(3)', 'datetime'],
      ['timestamp', 'datetime'],
      ['varchar(20)', 'text'],
      ['longtext', 'text'],
      ['json', 'text'],
      ['time', 'text'],
    ];
    for (const [native, weft] of cases) expect([native, mapMysqlType(native)]).toEqual([native, weft]);
  });
});
