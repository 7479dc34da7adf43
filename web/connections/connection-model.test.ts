import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Connection, ConnectorInfo } from '../../shared';
import { configToSend, connectionSummary, connectorForm, initialConfig, issuesByField, patchFor, secretsToSend, suggestName, testStatus, usedByText } from './connection-model';

const info: ConnectorInfo = {
  id: 'postgres',
  name: 'PostgreSQL',
  icon: 'postgres',
  description: '',
  capabilities: ['read'],
  config: z.toJSONSchema(
    z.object({ host: z.string().default('localhost'), port: z.number().int().default(5432), database: z.string(), sslMode: z.enum(['disable', 'require']).default('disable') }),
    { io: 'input' },
  ) as Record<string, unknown>,
  secrets: z.toJSONSchema(z.object({ password: z.string().default('') }), { io: 'input' }) as Record<string, unknown>,
  secretFields: ['password'],
};

const saved: Connection = {
  id: 'con_1',
  connector: 'postgres',
  name: 'Orders',
  config: { host: 'db', port: 5432, database: 'orders' },
  secretsSet: ['password'],
  lastTest: null,
  usedBy: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('connection form model', () => {
  it('builds fields from the JSON Schemas and starts from their defaults', () => {
    const form = connectorForm(info);
    expect(form.config.map((f) => [f.key, f.type, f.required])).toEqual([
      ['host', 'string', false],
      ['port', 'number', false],
      ['database', 'string', true],
      ['sslMode', 'enum', false],
    ]);
    expect(form.secrets.map((f) => f.key)).toEqual(['password']);
    const ssl = form.config.find((f) => f.key === 'sslMode');
    expect(ssl?.title).toBe('SSL mode');
    expect(ssl?.type === 'enum' && ssl.options.map((o) => o.label)).toEqual(['Disable', 'Require']);
    expect(initialConfig(form.config)).toEqual({ host: 'localhost', port: 5432, sslMode: 'disable' });
  });

  it('sends only the secrets the person touched', () => {
    expect(secretsToSend({ a: { kind: 'keep' }, b: { kind: 'replace', value: 'new' }, c: { kind: 'clear' }, d: { kind: 'replace', value: '' } })).toEqual({ b: 'new', c: null });
    expect(configToSend({ host: '', port: 1, x: undefined })).toEqual({ port: 1 });
  });

  it('patches only what changed', () => {
    expect(patchFor(saved, { name: 'Orders ', config: { host: 'db', port: 5432, database: 'orders' }, secrets: { password: { kind: 'keep' } } })).toEqual({});
    expect(patchFor(saved, { name: 'Sales', config: { host: 'db2', port: 5432, database: 'orders' }, secrets: { password: { kind: 'replace', value: 'pw' } } })).toEqual({
      name: 'Sales',
      config: { host: 'db2', port: 5432, database: 'orders' },
      secrets: { password: 'pw' },
    });
  });

  it('reads the last test as a badge', () => {
    const now = Date.parse('2026-01-01T00:02:00Z');
    expect(testStatus(null)).toMatchObject({ tone: 'gray', text: 'Not tested yet' });
    expect(testStatus({ status: 'ok', message: null, at: '2026-01-01T00:00:00Z' }, now)).toMatchObject({ tone: 'green', text: 'Connected · 2 minutes ago' });
    const failed = testStatus({ status: 'failed', message: 'Wrong user name or password: password authentication failed. Check it.', at: '2026-01-01T00:00:00Z' }, now);
    expect(failed).toMatchObject({ tone: 'red', text: 'Failed: wrong user name or password' });
    expect(failed.detail).toContain('password authentication failed');
  });

  it('says where a connection is used, names it and summarises it', () => {
    expect(usedByText([])).toBe('Not used by any integration yet');
    expect(usedByText([{ id: 'a', name: 'Orders sync' }, { id: 'b', name: 'Contacts' }])).toBe('Used by Orders sync and Contacts');
    expect(usedByText([{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }, { id: 'c', name: 'C' }])).toBe('Used by A, B and 1 more');
    expect(suggestName('PostgreSQL', ['postgresql', 'PostgreSQL 2'])).toBe('PostgreSQL 3');
    expect(suggestName('MySQL', [])).toBe('MySQL');
    expect(connectionSummary({ host: 'db', port: 5432, database: 'orders', user: 'weft' })).toBe('weft@db:5432/orders');
    expect(connectionSummary({}, ['pgpPrivateKey'])).toBe('PGP private key set');
    expect(connectionSummary({}, [])).toBe('');
    expect(issuesByField([{ path: 'config.host', message: 'a' }, { path: 'config.host', message: 'b' }, { path: 'name', message: 'c' }])).toEqual({ 'config.host': ['a', 'b'], name: ['c'] });
  });
});
