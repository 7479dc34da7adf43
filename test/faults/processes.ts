// Weft's own processes for the fault tests: `npm start` (runtime/main.ts) and `npm run worker`, each a single node
// process (no npm or tsx wrapper) so that SIGKILL hits exactly it.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const PROJECT_DIR = resolve(import.meta.dirname, '../..');

export interface WeftProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal). */
  exited: Promise<number | string | null>;
}

/** Starts `entry` and resolves once its output contains `ready`; rejects if it exits first. */
export function startWeftProcess(entry: 'runtime/main.ts' | 'runtime/worker-main.ts', env: Record<string, string>, ready: string | RegExp, timeoutMs = 120_000): Promise<WeftProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: PROJECT_DIR,
    env: { ...process.env, WEFT_WEB_BUILD: 'never', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | string | null>((r) => child.once('exit', (code, signal) => r(signal ?? code)));
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${entry} was not ready within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (typeof ready === 'string' ? output.includes(ready) : ready.test(output)) {
        clearTimeout(timer);
        res({ child, output: () => output, exited });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`${entry} exited (${code}) before it was ready:\n${output}`));
    });
  });
}

export async function killHard(p: WeftProcess | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGKILL');
  await p.exited;
}
