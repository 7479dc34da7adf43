// A saved connection's session never lets a secret out through an error: discover, preview and a run's reads and
// writes (whose errors go into the run's history) fail with the secret masked, whatever the driver put in its message.
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConnectorError, defineConnector } from '../connectors/types';
import { openStore } from '../store';
import type { Store } from '../store/types';
import { createHostPolicy } from './host-policy';
import { connectorLookup } from './registry';
import { createConnectionService } from './service';

const PASSWORD = 'Leaky-Pa55word';

/** A system whose driver echoes the password in every failure, as some drivers echo a connection string. */
const leaky = defineConnector({
  manifest: {
    id: 'leaky',
    name: 'Leaky',
    icon: 'database',
    description: 'A driver that quotes its connection string in errors',
    capabilities: ['read', 'write', 'discover'],
    config: z.object({ database: z.string() }),
    secrets: z.object({ password: z.string() }),
  },
  async open(config, secrets) {
    const url = `leaky://weft:${secrets.password}@db/${config.database}`;
    return {
      test: async () => {
        throw new Error(`cannot connect to ${url}`);
      },
      discover: async () => {
        throw new ConnectorError('permission', `denied for ${url}`);
      },
      async *read() {
        yield { rows: [{ id: 1 }], cursor: null };
        throw new Error(`connection to ${url} lost`);
      },
      write: async () => {
        throw new ConnectorError('unknown', `write failed on ${url} (password ${secrets.password})`);
      },
      close: async () => undefined,
    };
  },
});

/** A driver whose own words are clean but whose errors carry the connection string in their cause (probe19). */
const quiet = defineConnector({
  manifest: { ...leaky.manifest, id: 'quiet', name: 'Quiet' },
  async open(config, secrets) {
    const url = `quiet://weft:${secrets.password}@db/${config.database}`;
    return {
      test: async () => undefined,
      discover: async () => {
        throw new ConnectorError('unreachable', 'Could not reach the database', { cause: new Error(`connect to ${url} refused`) });
      },
      async *read() {
        throw new Error('driver failed', { cause: new Error('pool error', { cause: new Error(`pool for ${url}`) }) });
      },
      write: async () => {
        throw new ConnectorError('unknown', 'write failed', { cause: 'no secret here' });
      },
      close: async () => undefined,
    };
  },
});

/** A driver that connects as the session opens and quotes its connection string when that fails (probe19). */
const eager = defineConnector({
  manifest: { ...leaky.manifest, id: 'eager', name: 'Eager' },
  async open(config, secrets) {
    throw new ConnectorError('auth', `could not open quiet://weft:${secrets.password}@db/${config.database}`);
  },
});

/** A driver whose secret sits deep in a cause chain, or that throws a string or a plain object holding it (sec16). */
const odd = defineConnector({
  manifest: { ...leaky.manifest, id: 'odd', name: 'Odd' },
  async open(config, secrets) {
    const url = `odd://weft:${secrets.password}@db/${config.database}`;
    return {
      test: async () => undefined,
      discover: async () => {
        let e = new Error(`pool for ${url}`);
        for (let i = 0; i < 11; i++) e = new Error(`layer ${i}`, { cause: e });
        throw e;
      },
      async *read() {
        throw `read failed on ${url}`;
      },
      write: async () => {
        throw { code: 'ECONN', detail: `write failed on ${url}` };
      },
      close: async () => undefined,
    };
  },
});

/** review16b: a cause read through a getter that throws (with the secret), and an AggregateError's inner errors. */
const trap = defineConnector({
  manifest: { ...leaky.manifest, id: 'trap', name: 'Trap' },
  async open(config, secrets) {
    const url = `trap://weft:${secrets.password}@db/${config.database}`;
    return {
      test: async () => undefined,
      discover: async () => {
        const e = new Error('discover failed');
        Object.defineProperty(e, 'cause', {
          get() {
            throw new Error(`cause unreadable for ${url}`);
          },
        });
        throw e;
      },
      async *read() {
        throw new AggregateError([new Error(`connect ECONNREFUSED ${url}`)], 'all addresses failed');
      },
      write: async () => {
        const e = new Error(`write failed on ${url}`);
        Object.defineProperty(e, 'cause', {
          get() {
            throw new Error('the getter itself');
          },
        });
        throw e;
      },
      close: async () => undefined,
    };
  },
});

/** Every text of an error and its causes. */
const chain = (e: unknown): string => {
  const parts: string[] = [];
  for (let x: unknown = e, i = 0; x != null && i < 20; x = (x as { cause?: unknown }).cause, i++) parts.push(x instanceof Error ? `${x.message}\n${x.stack ?? ''}` : String(x));
  return parts.join('\n');
};

let store: Store;
beforeAll(async () => {
  store = await openStore({ memory: true });
});
afterAll(async () => store?.close());

describe('sessions opened from a saved connection', () => {
  it('mask the secret in every failure, keeping the kind of failure', async () => {
    const service = createConnectionService({ store, secretKey: randomBytes(32), connectors: connectorLookup([leaky]), hosts: createHostPolicy(), warn: () => undefined });
    const saved = await service.create({ connector: 'leaky', name: 'Leaky', config: { database: 'crm' }, secrets: { password: PASSWORD } });
    const session = await service.open(saved.id);
    const failures: unknown[] = [];
    await session.discover().catch((e: unknown) => failures.push(e));
    await session.write('t', [{ id: 1 }], { mode: 'insert', key: [], fields: [{ name: 'id', type: 'number' }] }).catch((e: unknown) => failures.push(e));
    const rows: unknown[] = [];
    try {
      for await (const b of session.read('t', { batchSize: 10 })) rows.push(...b.rows);
    } catch (e) {
      failures.push(e);
    }
    expect(rows).toEqual([{ id: 1 }]);
    expect(failures).toHaveLength(3);
    for (const f of failures) {
      const e = f as Error;
      expect(`${e.message}\n${e.stack ?? ''}\n${String((e as { cause?: unknown }).cause ?? '')}`).not.toContain(PASSWORD);
      expect(e.message).toContain('leaky://weft:••••@db/crm');
    }
    expect((failures[0] as ConnectorError).code).toBe('permission');
    expect((failures[1] as ConnectorError).message).toBe('write failed on leaky://weft:••••@db/crm (password ••••)');
    await session.close();
  });

  it('drop a cause that holds the secret, even when the error’s own words are clean (probe19)', async () => {
    const service = createConnectionService({ store, secretKey: randomBytes(32), connectors: connectorLookup([quiet]), hosts: createHostPolicy(), warn: () => undefined });
    const saved = await service.create({ connector: 'quiet', name: 'Quiet', config: { database: 'crm' }, secrets: { password: PASSWORD } });
    const session = await service.open(saved.id);
    const discovered = await session.discover().then(() => null, (e: unknown) => e);
    expect(discovered).toMatchObject({ code: 'unreachable', message: 'Could not reach the database' });
    let read: unknown = null;
    try {
      for await (const b of session.read('t', { batchSize: 10 })) void b;
    } catch (e) {
      read = e;
    }
    expect((read as Error).message).toBe('driver failed');
    for (const e of [discovered, read]) expect(chain(e)).not.toContain(PASSWORD);
    // A cause without a secret is kept as it was: it is what an operator reads to find the fault.
    const written = await session.write('t', [{ id: 1 }], { mode: 'insert', key: [], fields: [{ name: 'id', type: 'number' }] }).then(() => null, (e: unknown) => e);
    expect((written as { cause?: unknown }).cause).toBe('no secret here');
    await session.close();
  });

  it('drop a chain whose secret is in its twelfth cause, and mask a thrown string or object (sec16)', async () => {
    const service = createConnectionService({ store, secretKey: randomBytes(32), connectors: connectorLookup([odd]), hosts: createHostPolicy(), warn: () => undefined });
    const saved = await service.create({ connector: 'odd', name: 'Odd', config: { database: 'crm' }, secrets: { password: PASSWORD } });
    const session = await service.open(saved.id);
    const discovered = await session.discover().then(() => null, (e: unknown) => e);
    expect((discovered as Error).message).toBe('layer 10');
    expect(chain(discovered)).not.toContain(PASSWORD);
    let read: unknown = null;
    try {
      for await (const b of session.read('t', { batchSize: 10 })) void b;
    } catch (e) {
      read = e;
    }
    expect(read).toBeInstanceOf(Error);
    expect((read as Error).message).toBe('read failed on odd://weft:••••@db/crm');
    const written = await session.write('t', [{ id: 1 }], { mode: 'insert', key: [], fields: [{ name: 'id', type: 'number' }] }).then(() => null, (e: unknown) => e);
    expect((written as Error).message).toContain('odd://weft:••••@db/crm');
    for (const e of [read, written]) expect(chain(e)).not.toContain(PASSWORD);
    await session.close();
  });

  it('mask the secret behind a cause getter that throws, and inside an AggregateError (review16b)', async () => {
    const service = createConnectionService({ store, secretKey: randomBytes(32), connectors: connectorLookup([trap]), hosts: createHostPolicy(), warn: () => undefined });
    const saved = await service.create({ connector: 'trap', name: 'Trap', config: { database: 'crm' }, secrets: { password: PASSWORD } });
    const session = await service.open(saved.id);
    const discovered = await session.discover().then(() => null, (e: unknown) => e);
    expect(discovered).toBeInstanceOf(Error);
    expect((discovered as Error).message).toBe('discover failed');
    let read: unknown = null;
    try {
      for await (const b of session.read('t', { batchSize: 10 })) void b;
    } catch (e) {
      read = e;
    }
    expect((read as Error).message).toBe('all addresses failed');
    const written = await session.write('t', [{ id: 1 }], { mode: 'insert', key: [], fields: [{ name: 'id', type: 'number' }] }).then(() => null, (e: unknown) => e);
    expect((written as Error).message).toBe('write failed on trap://weft:••••@db/crm');
    for (const e of [discovered, read, written]) {
      expect(inspect(e, { depth: 10 })).not.toContain(PASSWORD);
      expect(() => chain(e)).not.toThrow();
      expect(chain(e)).not.toContain(PASSWORD);
    }
    await session.close();
  });

  it('mask the secret when opening the session fails (probe19)', async () => {
    const service = createConnectionService({ store, secretKey: randomBytes(32), connectors: connectorLookup([eager]), hosts: createHostPolicy(), warn: () => undefined });
    const saved = await service.create({ connector: 'eager', name: 'Eager', config: { database: 'crm' }, secrets: { password: PASSWORD } });
    const failed = await service.open(saved.id).then(() => null, (e: unknown) => e);
    expect(failed).toMatchObject({ code: 'auth', message: 'could not open quiet://weft:••••@db/crm' });
    expect(chain(failed)).not.toContain(PASSWORD);
    const viaWork = await service.withSession(saved.id, async () => 'never').then(() => null, (e: unknown) => e);
    expect(chain(viaWork)).not.toContain(PASSWORD);
  });
});
