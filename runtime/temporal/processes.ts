// Which process is which, from /proc: a recorded dev server is ours only if its command line still says so,
// and a port someone else holds is named (pid and command) so the person knows what to stop.
import { readFileSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';

/** The process's argv from /proc/<pid>/cmdline; null when it is gone (or /proc cannot tell). */
export async function readCmdline(pid: number): Promise<string[] | null> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    if (!raw) return null; // a zombie has an empty command line
    return raw.replace(/\0$/, '').split('\0');
  } catch {
    return null;
  }
}

/** Running: it exists and is not a zombie (an orphan whose parent, e.g. a container's init, never reaps it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; comm may hold spaces and parentheses, the state follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc here: trust the signal check
  }
}

/** Socket inodes listening on `port` (any address), from /proc/net/tcp and tcp6. */
async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const [, local, , state, , , , , , inode] = cols;
      if (!local || state !== '0A' || !inode || inode === '0') continue; // 0A = LISTEN
      if (local.split(':')[1] === hexPort) inodes.add(inode);
    }
  }
  return inodes;
}

export interface PortHolder {
  pid: number;
  /** The holder's command line, or null when /proc does not let us read it. */
  argv: string[] | null;
}

/** The process listening on `port`, found through /proc/net/tcp -> socket inode -> /proc/<pid>/fd; null when unknown. */
export async function findPortHolder(port: number): Promise<PortHolder | null> {
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return null;
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m?.[1] && inodes.has(m[1])) return { pid: Number(pid), argv: await readCmdline(Number(pid)) };
    }
  }
  return null;
}

/** "pid 123 (temporal server start-dev --port 7233 …)" for messages; long command lines are cut. */
export function describeProcess(holder: PortHolder): string {
  const cmd = holder.argv?.join(' ');
  if (!cmd) return `pid ${holder.pid}`;
  return `pid ${holder.pid} (${cmd.length > 160 ? `${cmd.slice(0, 157)}…` : cmd})`;
}
