import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createRunLauncher } from './client';
import { freePort } from './dev-server';

describe('createRunLauncher with a deadline', () => {
  it('gives up on a Temporal that does not answer within the deadline instead of hanging', async () => {
    const connection = await Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    try {
      const launcher = createRunLauncher({ client: new Client({ connection }), taskQueue: `t-${randomUUID()}`, deadlineMs: 1_000 });
      const started = Date.now();
      await expect(launcher.start({ runId: 'r1', versionId: 'v1' })).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      await connection.close();
    }
  });
});
