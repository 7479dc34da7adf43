// Separate Weft processes around one S3 bucket (moto), for tests of files on object storage: a fresh Postgres
// database for the store, a Temporal dev server, a bucket, a scratch folder, and the processes a test starts (killed
// after it). Registers its own beforeAll/afterAll; the fields are set once the tests start.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { startDevServer, type DevServer } from '../../runtime/temporal/dev-server';
import { killHard, type WeftProcess } from '../faults/processes';
import { FAULT_OWNER, tempDir } from '../faults/support';
import { startMoto, type Moto } from './moto';
import { admin, ADMIN_URL } from './pg-admin';

export interface BucketCluster {
  database: string;
  databaseUrl: string;
  bucket: string;
  temporal: DevServer;
  moto: Moto;
  dir: { path: string; remove(): Promise<void> };
  processes: WeftProcess[];
  /** The settings every process shares: the store, Temporal, its own task queue, the bucket, the owner to sign in as. */
  env(queuePrefix: string): Record<string, string>;
}

export function bucketCluster(names: { database: string; bucket: string; dir: string }): BucketCluster {
  const database = `${names.database}_${randomBytes(6).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const c = {
    database,
    databaseUrl: url.toString(),
    bucket: `${names.bucket}-${randomBytes(4).toString('hex')}`,
    processes: [] as WeftProcess[],
    env(queuePrefix: string) {
      return {
        TEMPORAL_ADDRESS: c.temporal.address,
        DATABASE_URL: c.databaseUrl,
        WEFT_SECRET_KEY: randomBytes(32).toString('base64'),
        WEFT_TASK_QUEUE: `${queuePrefix}-${randomBytes(4).toString('hex')}`,
        WEFT_FILES_URL: `s3://${c.bucket}/uploads`,
        ...c.moto.env,
        ...FAULT_OWNER,
      };
    },
  } as unknown as BucketCluster;
  beforeAll(async () => {
    await admin(ADMIN_URL, `CREATE DATABASE ${database}`);
    c.dir = await tempDir(names.dir);
    [c.temporal, c.moto] = await Promise.all([startDevServer({ startTimeoutMs: 90_000 }), startMoto()]);
    await c.moto.createBucket(c.bucket);
  }, 180_000);
  afterAll(async () => {
    for (const p of c.processes) await killHard(p);
    await c.temporal?.stop();
    await c.moto?.stop();
    await admin(ADMIN_URL, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await c.dir?.remove();
  });
  return c;
}
