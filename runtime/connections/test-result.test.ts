// Failure messages: a headline per kind, the system's words with secrets masked, advice only when the system gave none.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConnectorError, defineConnector } from '../connectors/types';
import { connectorInfo } from './service';
import { describeFailure } from './test-result';

describe('describeFailure', () => {
  it('leads with the kind, keeps the system’s words and masks secrets', () => {
    expect(describeFailure(new ConnectorError('auth', 'password "hunter22" rejected'), { password: 'hunter22' })).toEqual({
      ok: false,
      code: 'auth',
      message: 'Wrong user name or password: password "••••" rejected. Check the user name and password.',
    });
  });

  it('does not add advice to a message that already gives some', () => {
    const r = describeFailure(new ConnectorError('unreachable', 'No answer from db:5432. Check the host, port and any firewall.'), {});
    expect(r.message).toBe('Host unreachable: No answer from db:5432. Check the host, port and any firewall.');
  });

  it('treats anything else as unknown', () => {
    expect(describeFailure('boom', {})).toEqual({ ok: false, code: 'unknown', message: 'Connection failed: boom' });
    expect(describeFailure(new ConnectorError('timeout', ''), {}).message).toMatch(/^Timed out\. The server did not answer in time/);
  });
});

describe('connectorInfo', () => {
  it('serves the manifest with JSON Schemas and the secret field names', () => {
    const c = defineConnector({
      manifest: { id: 'x', name: 'X', icon: 'x', description: 'd', capabilities: ['read'], config: z.object({ host: z.string() }), secrets: z.object({ apiKey: z.string(), password: z.string().optional() }) },
      open: () => Promise.reject(new Error('not here')),
    });
    const info = connectorInfo(c);
    expect(info).toMatchObject({ id: 'x', capabilities: ['read'], secretFields: ['apiKey', 'password'], config: { type: 'object', required: ['host'] } });
  });
});
