// Before the tests: make sure the Temporal CLI and Chromium are here, installing them when we can.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveTemporalCli } from '../../runtime/temporal/dev-server';

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
}

main().catch((err: unknown) => {
  console.error(`[tools] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
