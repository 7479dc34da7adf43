// `npm run weft -- <command>`: administration from a shell, against the store in WEFT_DATA_DIR or DATABASE_URL.
//   token create --name NAME --role ROLE   prints a new API token (shown once) for Authorization: Bearer
//   token create --name NAME --integration ID   prints a trigger token of that integration (POST /api/integrations/ID/trigger)
import { parseArgs } from 'node:util';
import { AssignableRole } from '../shared';
import { issueTriggerToken } from './api/operations';
import { issueToken } from './api/tokens';
import { loadConfig } from './config';
import { openStore } from './store';

const USAGE = `Usage: npm run weft -- token create --name NAME (--role ${AssignableRole.options.join('|')} | --integration ID)`;

async function weftIsRunning(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1500) });
    return res.status < 500 || res.status === 503;
  } catch {
    return false;
  }
}

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group !== 'token' || command !== 'create') {
    console.error(USAGE);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, role: { type: 'string' }, integration: { type: 'string' } }, strict: true });
  const name = values.name?.trim();
  const integrationId = values.integration?.trim();
  const role = AssignableRole.safeParse(values.role);
  if (integrationId && values.role !== undefined) {
    console.error(`A trigger token (--integration) has no role: give one of --role and --integration.\n${USAGE}`);
    return 2;
  }
  if (!name || name.length > 100 || (!integrationId && !role.success)) {
    console.error(`${!name ? 'Give the token a --name (up to 100 characters).' : `--role must be one of ${AssignableRole.options.join(', ')}.`}\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  // Embedded PGlite belongs to one process: writing beside a running Weft could corrupt it.
  if (!config.databaseUrl && (await weftIsRunning(`http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`))) {
    console.error(`Weft is running on port ${config.port} with its embedded store, which one process may open at a time. Stop it first, or create the token on the API tokens page.`);
    return 1;
  }
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    if (integrationId) {
      const integration = await store.getIntegration(integrationId);
      if (!integration) {
        console.error(`No integration has the id "${integrationId}".`);
        return 1;
      }
      const { token, info } = await issueTriggerToken(store, { integrationId, name, createdBy: 'cli' });
      await store.auth.addAudit({ actor: 'cli', action: 'trigger_token.created', targetType: 'integration', targetId: integrationId, targetName: integration.name, detail: { token: info.name, prefix: info.prefix } });
      console.error(`Created trigger token "${info.name}" for "${integration.name}". It is shown once; send it as Authorization: Bearer <token> to POST /api/integrations/${integrationId}/trigger.`);
      console.log(token);
      return 0;
    }
    if (!role.success) return 2;
    const { token, info } = await issueToken(store, { name, role: role.data, createdBy: 'cli' });
    await store.auth.addAudit({ actor: 'cli', action: 'token.created', targetType: 'token', targetId: info.id, targetName: info.name, detail: { role: info.role } });
    console.error(`Created API token "${info.name}" (${info.role}). It is shown once; send it as Authorization: Bearer <token>.`);
    console.log(token);
    return 0;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
