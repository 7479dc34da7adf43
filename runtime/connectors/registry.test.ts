// The registry and the query-filter guard: pure checks, no database.
import { describe, expect, it } from 'vitest';
import { CONNECTORS, getConnector, isConnectorId, type ConnectorConfig } from './index';
import { checkSelectQuery } from './sql-guard';
import { ConnectorError } from './types';

describe('connector registry', () => {
  it('keys every connector by its manifest id', () => {
    for (const [id, connector] of Object.entries(CONNECTORS)) expect(connector.manifest.id).toBe(id);
    expect(getConnector('postgres')).toBe(CONNECTORS.postgres);
    expect(getConnector('nope')).toBeUndefined();
    expect(isConnectorId('mysql')).toBe(true);
    expect(isConnectorId('toString')).toBe(false);
  });

  it('keeps each entry\'s config type and fills defaults from its schema', () => {
    const config: ConnectorConfig<'postgres'> = getConnector('postgres').manifest.config.parse({ database: 'crm', user: 'weft' });
    expect(config).toMatchObject({ host: 'localhost', port: 5432, schema: 'public', sslMode: 'disable' });
    expect(CONNECTORS.mysql.manifest.config.safeParse({ database: 'crm' }).success).toBe(false);
  });
});

describe('query filter guard', () => {
  const refused = (sql: string) => {
    try {
      checkSelectQuery(sql);
    } catch (e) {
      expect(e).toBeInstanceOf(ConnectorError);
      return (e as ConnectorError).code;
    }
    return 'accepted';
  };

  it('accepts one SELECT or WITH statement, with a trailing semicolon, comments and quoted semicolons', () => {
    expect(checkSelectQuery(' select * from t where a = 1; ')).toBe('select * from t where a = 1');
    expect(refused("SELECT ';DROP TABLE t' AS x")).toBe('accepted');
    expect(refused('SELECT "a;b" FROM t -- ; delete\n')).toBe('accepted');
    expect(refused('/* ; */ WITH x AS (SELECT 1) SELECT * FROM x')).toBe('accepted');
    expect(refused("SELECT $tag$ ; $tag$ AS body")).toBe('accepted');
    expect(refused("SELECT 'it''s; fine'")).toBe('accepted');
    expect(refused('(SELECT 1) UNION (SELECT 2)')).toBe('accepted');
  });

  it('refuses other statements and plain second statements with invalid_query', () => {
    for (const sql of ['DELETE FROM t', 'update t set a = 1', 'DROP TABLE t', 'SELECT 1; DELETE FROM t', 'SELECT 1;; ', '', 'CALL p()', 'SET x = 1', 'COPY t TO STDOUT']) {
      expect([sql, refused(sql)]).toEqual([sql, 'invalid_query']);
    }
  });

  it('reads text as each database does, for the message only', () => {
    // # is an operator in Postgres and a comment in MySQL; a backslash escapes only in E'' strings in Postgres.
    expect(refused('SELECT 1 # 1; DROP TABLE t')).toBe('invalid_query');
    expect(checkSelectQuery('SELECT 1 # 1; DROP TABLE t', 'mysql')).toBe('SELECT 1 # 1; DROP TABLE t');
    expect(refused("SELECT '\\'; DROP TABLE t; SELECT E'\\''")).toBe('invalid_query');
    expect(refused('SELECT 1 AS x$$; DROP TABLE t; SELECT 1 AS y$$')).toBe('invalid_query');
    expect(refused('SELECT $a1$ ; $a1$ AS body')).toBe('accepted');
    expect(refused('SELECT /* /* nested */ ; */ 1')).toBe('accepted');
  });

  it('leaves text it cannot read (an unclosed quote or comment) to the server, which refuses it', () => {
    // Not a safety question: the server parses the filter alone first (postgres/query-filter.ts, mysql/query-filter.ts).
    for (const sql of ["SELECT 'open", 'SELECT 1 /* x', 'SELECT $q$ x']) expect(checkSelectQuery(sql)).toBe(sql);
  });
});
