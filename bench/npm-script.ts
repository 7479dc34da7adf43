// What an npm script of package.json puts before and after `node` (the part after its last `&&`): its environment
// settings and its node flags, so a bench runs a process exactly as `npm start` / `npm run worker` would. A setting
// written `NAME=${NAME:-default}` takes the caller's NAME when it is set and not empty, as sh does.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

export function npmScriptCommand(script: string, env: NodeJS.ProcessEnv = process.env, root = ROOT): { env: Record<string, string>; flags: string[] } {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = (pkg.scripts[script]?.split('&&').pop() ?? '').trim().split(/\s+/);
  const node = words.indexOf('node');
  const settings: Record<string, string> = {};
  for (const word of words.slice(0, Math.max(0, node))) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(word);
    if (!m) continue;
    const fallback = /^\$\{([A-Z_][A-Z0-9_]*):-([^}$]*)\}$/.exec(m[2]!);
    settings[m[1]!] = fallback ? env[fallback[1]!] || fallback[2]! : m[2]!;
  }
  const flags: string[] = [];
  for (const word of node < 0 ? [] : words.slice(node + 1)) {
    if (!word.startsWith('--')) break; // the script node runs; what follows is its own
    flags.push(word);
  }
  return { env: settings, flags };
}
