// Before the tests: make sure the Temporal CLI and Chromium are here, installing them when we can.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveTemporalCli } from '../../runtime/temporal/dev-server';
import { motoServerPath, MOTO_VERSION } from '../support/moto';

const CHROMIUM = process.env.WEFT_CHROMIUM_PATH ?? '/usr/bin/chromium';

async function main() {
  const cli = await resolveTemporalCli({ projectDir: resolve(import.meta.dirname, '../..') });
  console.log(`[tools] Temporal CLI: ${cli}`);

  if (!existsSync(CHROMIUM)) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot) {
      throw new Error(`Chromium is missing at ${CHROMIUM}. Install Debian's package: sudo apt-get install chromium (or set WEFT_CHROMIUM_PATH).`);
    }
    console.log("[tools] installing Debian's chromium…");
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  console.log(`[tools] Chromium: ${CHROMIUM}`);

  // An S3-protocol server for the object-storage tests (runtime/files/storage.test.ts): moto's server mode from PyPI.
  const moto = motoServerPath();
  if (moto) console.log(`[tools] moto_server: ${moto}`);
  else {
    const venv = resolve(import.meta.dirname, '../../.venv/moto');
    console.log(`[tools] installing moto[server]==${MOTO_VERSION} into ${venv}…`);
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(resolve(venv, 'bin/pip'), ['install', '-q', `moto[server]==${MOTO_VERSION}`], { stdio: 'inherit' });
    console.log(`[tools] moto_server: ${resolve(venv, 'bin/moto_server')}`);
  }
}

main().catch((err: unknown) => {
  console.error(`[tools] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
