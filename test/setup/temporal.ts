// Vitest globalSetup: one real Temporal dev server (in memory, free ports) for the whole test run.
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../runtime/temporal/dev-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the dev server's frontend, for Connection/NativeConnection.connect. */
    temporalAddress: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startDevServer({ startTimeoutMs: 90_000 });
  project.provide('temporalAddress', server.address);
  return async () => {
    await server.stop();
  };
}
