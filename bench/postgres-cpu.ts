// CPU of the local Postgres server's backends, read from /proc: shared by the benches that print Postgres's CPU.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds so far of each backend of the local Postgres server serving one of `databases` (their process titles
 * name it), by pid, into `into`; nothing when the server is not on this machine or /proc cannot be read. A backend's
 * last reading stays in `into` after it exits. `autovacuum`: count the autovacuum workers too (the writes' cost).
 */
export function backendCpu(databases: readonly string[], into: Map<string, number>, { autovacuum }: { autovacuum: boolean }): void {
  const tick = 100; // USER_HZ on Linux
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (!title.startsWith('postgres:') || (!autovacuum && title.includes('autovacuum'))) continue;
      if (!title.split(/[\s\0]+/).some((w) => databases.includes(w))) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      into.set(pid, (Number(fields[11]) + Number(fields[12])) / tick);
    } catch {
      // Ended meanwhile: its last reading stays.
    }
  }
}
