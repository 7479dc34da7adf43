// The one door to connectors: validates settings against the connector's schemas, seals secrets before the store
// sees them, and is the only code that decrypts them: every session (a test, discovery, a preview, a run's reads
// and writes) is opened here, and no secret value is ever handed back. runtime/wiring.ts builds it once.
import { inspect } from 'node:util';
import { z } from 'zod';
import type { Connection, ConnectionPatch, ConnectionTestResult, ConnectorInfo } from '../../shared';
import { ConnectionInput, ConnectionTestInput, NAME_CONTROL_MESSAGE } from '../../shared';
import { hasControlCharacters } from '../../shared/util/control-characters';
import { FilesSecrets } from '../connectors/files/manifest';
import { ConnectorError, type ConnectorContext, type ConnectorSession, type OpenOptions } from '../connectors/types';
import type { PgpDecrypt } from '../files/pgp';
import { createCipher, looksSealed, redact, SecretDecryptError, type SecretCipher } from '../secrets';
import type { SecretBox } from '../store/migrations/types';
import { StoreConflictError } from '../store/errors';
import type { ConnectionUsage, Store, StoredConnection } from '../store/types';
import { ConnectionServiceError, type Issue } from './errors';
import { hostPolicyFromEnv, type HostPolicy } from './host-policy';
import type { AddressGuard } from '../net/address-guard';
import type { AnyConnector, ConnectorLookup } from './registry';
import type { BuiltInConnector, SessionStoreOption } from './sessions';
import { describeFailure, SUCCESS } from './test-result';
import { hashState, newAuthorizationRequest, OAUTH_STATE_TTL_MS, OAuthFlowError } from './oauth';

type Secrets = Record<string, unknown>;

export interface ConnectionServiceDeps {
  store: Store;
  /**
   * The 32-byte key secrets are sealed with (WEFT_SECRET_KEY or data/secret.key). Null on a worker started without
   * one: it still opens Weft's own stores (files, workspace), and refuses saved connections with a sentence saying why.
   */
  secretKey: Buffer | null;
  connectors: ConnectorLookup;
  /** Weft's own storage, for connectors over it (files, workspace). */
  context?: ConnectorContext;
  /** How long one test may take before it counts as a timeout (default 20 s). */
  testTimeoutMs?: number;
  warn?: (message: string) => void;
  /** Which hosts connections may reach; the environment's WEFT_ALLOWED_HOSTS / WEFT_ALLOW_PRIVATE_HOSTS by default. */
  hosts?: HostPolicy;
  /** The outbound-address guard for HTTP connectors (default: each connector's addressGuardFromEnv()). */
  guard?: AddressGuard;
}

const hasValue = (v: unknown) => v !== undefined && v !== null && v !== '';

/** Drops empty secrets: a cleared field is absent, so it is never reported as set. */
const compact = (secrets: Record<string, unknown>): Secrets => Object.fromEntries(Object.entries(secrets).filter(([, v]) => hasValue(v)));

const issuesOf = (error: z.ZodError, prefix: string): Issue[] =>
  error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].join('.'), message: i.message }));

export function connectorInfo(c: Pick<AnyConnector, 'manifest'>): ConnectorInfo {
  const toJson = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const secrets = toJson(c.manifest.secrets);
  const props = secrets.properties;
  return {
    id: c.manifest.id,
    name: c.manifest.name,
    icon: c.manifest.icon,
    description: c.manifest.description,
    capabilities: [...c.manifest.capabilities],
    // SQL unless the manifest says otherwise (types.ts: databases leave it unset).
    ...(c.manifest.capabilities.includes('query') ? { queryLanguage: c.manifest.queryLanguage ?? 'sql' } : {}),
    config: toJson(c.manifest.config),
    secrets,
    secretFields: props && typeof props === 'object' ? Object.keys(props) : [],
  };
}

/**
 * Seals and opens short texts with the key, for the migrations that seal values kept in clear before (runtime/store
 * migrations with a `withKey` step); everything else seals through the connection service.
 */
export function secretBox(secretKey: Buffer): SecretBox {
  const cipher = createCipher(secretKey);
  return {
    seal: (plain) => cipher.encrypt(plain),
    open(sealed) {
      try {
        return cipher.decrypt(sealed);
      } catch (err) {
        if (err instanceof SecretDecryptError) return null;
        throw err;
      }
    },
    looksSealed,
  };
}

/** Why a worker without the key cannot open a saved connection. */
export const NO_KEY_MESSAGE = 'This worker cannot open saved connections: start it with WEFT_SECRET_KEY set to the API’s secrets key.';

export function createConnectionService({ store, secretKey, connectors, context, testTimeoutMs = 20_000, warn = console.warn, hosts = hostPolicyFromEnv(), guard }: ConnectionServiceDeps) {
  const sealed: SecretCipher = secretKey
    ? createCipher(secretKey)
    : {
        encrypt: () => {
          throw new ConnectionServiceError('no_key', NO_KEY_MESSAGE);
        },
        decrypt: () => {
          throw new ConnectionServiceError('no_key', NO_KEY_MESSAGE);
        },
      };
  const connectorOf = (id: string): AnyConnector => {
    const found = connectors.get(id);
    if (!found) {
      throw new ConnectionServiceError('unknown_connector', `There is no connector "${id}"`, [{ path: 'connector', message: `Unknown system "${id}"` }]);
    }
    return found;
  };

  /** The connector's save rules (`saveProblems`) broken by parsed settings, as issues naming their `config.` field. */
  function saveIssuesOf(connector: AnyConnector, config: Record<string, unknown>): { path: string; message: string }[] {
    return (connector.manifest.saveProblems?.(config) ?? []).map((i) => ({ path: ['config', ...i.path.map(String)].join('.'), message: i.message }));
  }

  /**
   * Parses config and secrets with the connector's own schemas; a failure names each bad field. `saving`: settings a
   * person is saving, also held to the connector's save rules (`saveProblems`), which a saved connection that is
   * only opened or tested is not.
   */
  function validate(connector: AnyConnector, config: unknown, secrets: Secrets, saving = false): { config: Record<string, unknown>; secrets: Secrets } {
    const c = connector.manifest.config.safeParse(config);
    const s = connector.manifest.secrets.safeParse(secrets);
    const saveIssues = saving && c.success ? saveIssuesOf(connector, c.data as Record<string, unknown>) : [];
    const issues = [...(c.success ? [] : issuesOf(c.error, 'config')), ...saveIssues, ...(s.success ? [] : issuesOf(s.error, 'secrets'))];
    if (issues.length > 0 || !c.success || !s.success) {
      throw new ConnectionServiceError('invalid', `Invalid connection settings: ${issues[0]?.path}: ${issues[0]?.message}`, issues);
    }
    return { config: c.data as Record<string, unknown>, secrets: compact(s.data as Secrets) };
  }

  const seal = (secrets: Secrets) => sealed.encrypt(JSON.stringify(secrets));

  function unseal(stored: StoredConnection): Secrets {
    const parsed = z.record(z.string(), z.unknown()).safeParse(JSON.parse(sealed.decrypt(stored.secrets)));
    return parsed.success ? parsed.data : {};
  }

  /** The names of the stored secrets; a secret that no longer decrypts (another key) counts as not set. */
  function secretNames(stored: StoredConnection): string[] {
    try {
      return Object.keys(compact(unseal(stored)));
    } catch (err) {
      if (!(err instanceof SecretDecryptError)) throw err;
      warn(`connections: the secrets of connection ${stored.id} cannot be decrypted with the current key; enter them again.`);
      return [];
    }
  }

  const serve = (stored: StoredConnection, usage: ConnectionUsage): Connection => ({
    id: stored.id,
    connector: stored.connector,
    name: stored.name,
    config: connectors.get(stored.connector)?.manifest.servedSettings?.(stored.config) ?? stored.config,
    secretsSet: secretNames(stored),
    lastTest: stored.lastTest,
    usedBy: usage[stored.id] ?? [],
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  });

  async function load(id: string): Promise<StoredConnection> {
    const stored = await store.getConnection(id);
    if (!stored) throw new ConnectionServiceError('not_found', `Connection "${id}" was not found`);
    return stored;
  }

  async function served(stored: StoredConnection | null, id: string): Promise<Connection> {
    if (!stored) throw new ConnectionServiceError('not_found', `Connection "${id}" was not found`);
    return serve(stored, await store.listConnectionUsage());
  }

  async function named<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (err instanceof StoreConflictError) throw new ConnectionServiceError('name_taken', err.message, [{ path: 'name', message: 'Another connection already has this name' }]);
      throw err;
    }
  }

  /**
   * Every session is opened here (test, discover, preview, runs): a connector that reaches a host has it checked
   * against the host policy first, and is given the checked address to connect to.
   */
  async function openChecked(connector: AnyConnector, config: Record<string, unknown>, secrets: Secrets, saveSecrets?: OpenOptions['saveSecrets'], via?: Store): Promise<ConnectorSession> {
    const endpoint = connector.manifest.endpoint?.(config);
    const options: OpenOptions = endpoint ? { address: await hosts.check(endpoint.host) } : {};
    if (saveSecrets) options.saveSecrets = saveSecrets;
    if (guard) options.guard = guard;
    return (await connector.open(config, secrets, contextVia(via), options)) as ConnectorSession;
  }

  /** The connectors' context, reaching Weft's store through `via` when a caller gives one (SessionStoreOption). */
  function contextVia(via: Store | undefined): ConnectorContext | undefined {
    return via && context ? { ...context, store: via } : context;
  }

  /** Opens the connector, runs test(), closes it; never throws, never echoes a secret. */
  async function runTest(connector: AnyConnector, config: Record<string, unknown>, secrets: Secrets, saveSecrets?: OpenOptions['saveSecrets']): Promise<ConnectionTestResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ConnectorError('timeout', `No answer within ${testTimeoutMs < 1000 ? `${testTimeoutMs} ms` : `${Math.round(testTimeoutMs / 1000)} s`}`)), testTimeoutMs);
    });
    let session: Awaited<ReturnType<AnyConnector['open']>> | undefined;
    try {
      const proved = await Promise.race([
        (async () => {
          session = await openChecked(connector, config, secrets, saveSecrets);
          return session.test();
        })(),
        timeout,
      ]);
      const outcome = typeof proved === 'string' ? { message: proved } : (proved ?? {});
      return {
        ...SUCCESS,
        ...(outcome.message?.trim() ? { message: redact(outcome.message, secrets) } : {}),
        ...(outcome.warning?.trim() ? { warning: redact(outcome.warning, secrets) } : {}),
      };
    } catch (err) {
      return describeFailure(err, secrets);
    } finally {
      clearTimeout(timer);
      // A session that opened after the timeout is not ours to wait for; one that did open is closed quietly.
      await session?.close().catch(() => undefined);
    }
  }

  return {
    listConnectors: (): ConnectorInfo[] => connectors.list().map(connectorInfo),

    /** Seals an inbound webhook's secret for the store: an HMAC needs the secret itself, so it is encrypted, not hashed. */
    sealWebhookSecret: (secret: string): string => sealed.encrypt(secret),
    /** An inbound webhook's secret, or null when it no longer opens (sealed with another key, or no key here). */
    openWebhookSecret(stored: string): string | null {
      try {
        return sealed.decrypt(stored);
      } catch (err) {
        if (err instanceof SecretDecryptError || err instanceof ConnectionServiceError) return null;
        throw err;
      }
    },

    async list(): Promise<Connection[]> {
      const [rows, usage] = await Promise.all([store.listConnections(), store.listConnectionUsage()]);
      return rows.map((r) => serve(r, usage));
    },

    get: async (id: string): Promise<Connection> => served(await store.getConnection(id), id),

    async create(input: ConnectionInput): Promise<Connection> {
      const parsed = ConnectionInput.parse(input);
      const connector = connectorOf(parsed.connector);
      const valid = validate(connector, parsed.config, parsed.secrets, true);
      const created = await named(() => store.createConnection({ connector: connector.manifest.id, name: parsed.name, config: valid.config, secrets: seal(valid.secrets) }));
      return serve(created, {});
    },

    /** Omitted secrets keep their stored value; null or "" clears one. */
    async update(id: string, patch: ConnectionPatch): Promise<Connection> {
      const stored = await load(id);
      // A new name holds no control characters; one saved before the rule comes back unchanged with each save (tidy16).
      if (patch.name !== undefined && patch.name !== stored.name && hasControlCharacters(patch.name)) {
        throw new ConnectionServiceError('invalid', NAME_CONTROL_MESSAGE, [{ path: 'name', message: NAME_CONTROL_MESSAGE }]);
      }
      const change: { name?: string; config?: Record<string, unknown>; secrets?: string } = { name: patch.name };
      if (patch.config !== undefined || patch.secrets !== undefined) {
        const connector = connectorOf(stored.connector);
        const moved = patch.config !== undefined && serverChanged(stored.config, withDefaults(connector, patch.config));
        if (moved && !patch.secrets) {
          throw new ConnectionServiceError('invalid', 'The server settings changed: enter the credentials again, so they are only sent where you mean them to go', [
            { path: 'secrets', message: 'Enter the credentials again for the new server' },
          ]);
        }
        const base = moved ? {} : unsealOrEmpty(stored);
        const secrets = patch.secrets ? { ...base, ...patch.secrets } : base;
        const valid = validate(connector, patch.config ?? stored.config, compact(secrets), patch.config !== undefined);
        if (patch.config !== undefined) change.config = valid.config;
        if (patch.secrets !== undefined) change.secrets = seal(valid.secrets);
      }
      return served(await named(() => store.updateConnection(id, change)), id);
    },

    async duplicate(id: string): Promise<Connection> {
      const stored = await load(id);
      const taken = new Set((await store.listConnections()).map((c) => c.name.toLowerCase()));
      const base = `Copy of ${stored.name}`.slice(0, 110);
      let name = base;
      for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base} (${n})`;
      // A copy is a connection saved now: held to the save rules, as create is (review15a: a credential header kept
      // from before the rule was copied into a new connection's plain settings).
      const connector = connectorOf(stored.connector);
      const parsed = connector.manifest.config.safeParse(stored.config);
      const problems = parsed.success ? saveIssuesOf(connector, parsed.data as Record<string, unknown>) : [];
      if (problems.length > 0) throw new ConnectionServiceError('invalid', `Invalid connection settings: ${problems[0]!.path}: ${problems[0]!.message}`, problems);
      // Sealed again so the copy shares no IV with the original.
      const copy = await named(() => store.createConnection({ connector: stored.connector, name, config: stored.config, secrets: seal(unsealOrEmpty(stored)) }));
      return serve(copy, {});
    },

    /** Refused while an integration or a member system uses the connection, naming them. */
    async remove(id: string): Promise<void> {
      await load(id);
      const users = (await store.listConnectionUsage())[id] ?? [];
      if (users.length > 0) {
        throw new ConnectionServiceError('in_use', `Used by: ${users.map((u) => u.name).join(', ')}. Remove the connection from ${users.length === 1 ? 'that integration' : 'those integrations'} before deleting it.`, []);
      }
      // A member system reads its users through a connection (member_systems.connection_id, no reference): deleting
      // the connection under it would leave every Refresh failing (ui13).
      const systems = (await store.members.listSystems()).filter((s) => s.connectionId === id);
      if (systems.length > 0) {
        const names = systems.map((s) => `"${s.name}"`).join(', ');
        throw new ConnectionServiceError('in_use', `The member ${systems.length === 1 ? 'system' : 'systems'} ${names} ${systems.length === 1 ? 'reads its' : 'read their'} users through this connection. Change or remove ${systems.length === 1 ? 'it' : 'them'} on the Members page before deleting the connection.`, []);
      }
      if (!(await store.deleteConnection(id))) throw new ConnectionServiceError('not_found', `Connection "${id}" was not found`);
    },

    /** Tests a saved connection and records the outcome. */
    async test(id: string): Promise<ConnectionTestResult> {
      const stored = await load(id);
      const connector = connectorOf(stored.connector);
      let result: ConnectionTestResult;
      try {
        const valid = validate(connector, stored.config, unseal(stored));
        result = await runTest(connector, valid.config, valid.secrets, saverFor(id));
      } catch (err) {
        if (err instanceof SecretDecryptError) result = { ok: false, code: 'invalid_config', message: 'The saved password cannot be read with this server’s key; enter it again.' };
        else if (err instanceof ConnectionServiceError && err.kind === 'invalid') result = { ok: false, code: 'invalid_config', message: err.message };
        else throw err;
      }
      await store.recordConnectionTest(id, { status: result.ok ? 'ok' : 'failed', message: result.ok ? null : result.message });
      return result;
    },

    /** Opens a session on a saved connection with its unsealed secrets; the caller closes it. */
    open: async (id: string, options?: SessionStoreOption): Promise<ConnectorSession> => openStored(await load(id), options?.store),

    /** Runs `work` with an open session on a saved connection, closing it afterwards whatever happens. */
    async withSession<T>(id: string, work: (session: ConnectorSession, connector: string) => Promise<T>): Promise<T> {
      const stored = await load(id);
      const session = await openStored(stored);
      try {
        return await work(session, stored.connector);
      } finally {
        await session.close().catch(() => undefined);
      }
    },

    openBuiltIn,

    /** The Files connector, with the PGP key of the Files connection `connectionId` when one is chosen (a file preview). */
    async openFiles(connectionId?: string): Promise<ConnectorSession> {
      if (!connectionId) return openBuiltIn('files');
      const secrets = await filesSecretsOf(connectionId);
      const session = await connectorOf('files').open({}, secrets, context).catch((e: unknown) => {
        throw cleaned(e, secrets);
      });
      return redacting(session as ConnectorSession, secrets);
    },

    /** The PGP key a Files connection holds, for sniffing an upload before any session reads it; none without a connection. */
    async filesKey(connectionId?: string): Promise<PgpDecrypt | undefined> {
      if (!connectionId) return undefined;
      const s = await filesSecretsOf(connectionId);
      return s.pgpPrivateKey?.trim() ? { privateKey: s.pgpPrivateKey, ...(s.pgpPassphrase ? { passphrase: s.pgpPassphrase } : {}) } : undefined;
    },

    /** A connector's manifest by id (whether it is built in, its name), for the API's checks; never a session. */
    manifest: (id: string) => connectors.get(id)?.manifest,

    /**
     * "Connect": the provider's authorization URL for a saved connection whose connector authorizes in the browser.
     * The state (as its hash), the person, the sealed PKCE verifier and the redirect URI are kept until `expiresAt`.
     */
    async beginAuthorization(id: string, input: { userId: string; redirectUri: string; now?: number }): Promise<{ url: string; expiresAt: string }> {
      const stored = await load(id);
      const connector = connectorOf(stored.connector);
      if (!connector.oauth) throw new OAuthFlowError('not_ready', `${connector.manifest.name} connections are not authorized in the browser.`, id);
      const config = withDefaults(connector, stored.config);
      const why = connector.oauth.unready(config);
      if (why) throw new OAuthFlowError('not_ready', why, id);
      const { state, verifier, challenge } = newAuthorizationRequest();
      const expiresAt = new Date((input.now ?? Date.now()) + OAUTH_STATE_TTL_MS);
      await store.oauth.save({ stateHash: hashState(state), connectionId: id, userId: input.userId, verifier: sealed.encrypt(verifier), redirectUri: input.redirectUri, expiresAt });
      return { url: connector.oauth.authorizeUrl(config, { state, codeChallenge: challenge, redirectUri: input.redirectUri }), expiresAt: expiresAt.toISOString() };
    },

    /**
     * The callback: takes the state (once, whatever follows), refuses one that is unknown, used, expired or started by
     * someone else, exchanges the code through the outbound-address guard and seals the tokens into the connection.
     */
    async completeAuthorization(input: { state: string; code: string; userId: string; now?: number }): Promise<{ connection: Connection; account: string | null }> {
      const row = await store.oauth.take(hashState(input.state));
      if (!row) throw new OAuthFlowError('unknown_state', 'This authorization is unknown or was already used (each one is taken once). Press Connect again.');
      const now = input.now ?? Date.now();
      if (row.expiresAt.getTime() <= now) throw new OAuthFlowError('expired_state', `This authorization expired: approve within ${OAUTH_STATE_TTL_MS / 60_000} minutes of pressing Connect. Press Connect again.`, row.connectionId);
      if (row.userId !== input.userId) throw new OAuthFlowError('other_user', 'This authorization was started by someone else: the person who pressed Connect must finish it, signed in as themselves.', null);
      const stored = await load(row.connectionId);
      const connector = connectorOf(stored.connector);
      if (!connector.oauth) throw new OAuthFlowError('not_ready', `${connector.manifest.name} connections are not authorized in the browser.`, stored.id);
      const current = unsealOrEmpty(stored);
      const config = withDefaults(connector, stored.config);
      let got: { secrets: Record<string, unknown>; account: string | null };
      try {
        got = await connector.oauth.exchange(config, current, { code: input.code, redirectUri: row.redirectUri, verifier: sealed.decrypt(row.verifier) }, guard ? { guard } : {});
      } catch (err) {
        throw new OAuthFlowError('exchange_failed', describeFailure(err, current).message, stored.id);
      }
      // Merged into what is stored now (a session may have saved a token meanwhile), not into the copy read above.
      const latest = await load(stored.id);
      const at = new Date(now).toISOString();
      await store.updateConnection(stored.id, {
        config: { ...latest.config, authorizedAs: got.account ?? '', authorizedAt: at },
        secrets: seal(compact({ ...unsealOrEmpty(latest), ...got.secrets })),
      });
      return { connection: await served(await store.getConnection(stored.id), stored.id), account: got.account };
    },

    /** Tests settings before they are saved; with `connectionId`, omitted secrets come from that connection. */
    async testUnsaved(input: ConnectionTestInput): Promise<ConnectionTestResult> {
      const parsed = ConnectionTestInput.parse(input);
      const connector = connectorOf(parsed.connector);
      const saved = parsed.connectionId ? await load(parsed.connectionId) : null;
      // Stored secrets are only ever offered to the same kind of system they were saved for.
      // ...and only to the same server (host, port, TLS settings): never to an address typed in since.
      const base = saved && saved.connector === connector.manifest.id && !serverChanged(saved.config, withDefaults(connector, parsed.config)) ? unsealOrEmpty(saved) : {};
      const valid = validate(connector, parsed.config, compact({ ...base, ...parsed.secrets }));
      return runTest(connector, valid.config, valid.secrets);
    },
  };

  /** One of Weft's own stores (uploaded files, the workspace): no saved connection, no secrets. `now` is the clock a formula filter reads. */
  async function openBuiltIn(id: BuiltInConnector, options: { now?: () => number } & SessionStoreOption = {}): Promise<ConnectorSession> {
    const connector = connectorOf(id);
    if (connector.manifest.builtIn !== true) throw new ConnectionServiceError('unknown_connector', `"${id}" is not built into Weft`);
    return (await connector.open({}, {}, contextVia(options.store), options.now ? { now: options.now } : {})) as ConnectorSession;
  }

  /** A Files connection's secrets, refused in words when it is gone, another kind, or sealed with another key. */
  async function filesSecretsOf(connectionId: string): Promise<FilesSecrets> {
    const stored = await store.getConnection(connectionId);
    if (!stored) throw new ConnectionServiceError('not_found', `Connection "${connectionId}" was not found. Choose another Files connection.`);
    if (stored.connector !== 'files') throw new ConnectionServiceError('invalid', `"${stored.name}" is not a Files connection: choose a Files connection that holds the PGP private key.`);
    try {
      const parsed = FilesSecrets.safeParse(unseal(stored));
      return parsed.success ? parsed.data : {};
    } catch (err) {
      if (err instanceof SecretDecryptError) throw new ConnectionServiceError('unreadable_secrets', `The private key saved in "${stored.name}" cannot be read with this server's key; enter it again on the Connections page.`);
      throw err;
    }
  }

  async function openStored(stored: StoredConnection, via?: Store): Promise<ConnectorSession> {
    const connector = connectorOf(stored.connector);
    let secrets: Secrets;
    try {
      secrets = unseal(stored);
    } catch (err) {
      if (err instanceof SecretDecryptError) throw new ConnectorError('invalid_config', 'The saved password cannot be read with this server’s key; enter it again.');
      throw err;
    }
    const valid = validate(connector, stored.config, secrets);
    // Opening may fail too (a driver that connects at once and quotes its connection string): cleaned like the rest (probe19).
    const session = await openChecked(connector, valid.config, valid.secrets, saverFor(stored.id), via).catch((e: unknown) => {
      throw cleaned(e, valid.secrets);
    });
    return redacting(session, valid.secrets);
  }

  /** Renewed secrets (an OAuth token) are merged into what is stored now, not into a session's copy. */
  function saverFor(id: string): NonNullable<OpenOptions['saveSecrets']> {
    return async (patch) => {
      const current = await store.getConnection(id);
      if (!current) return;
      await store.updateConnection(id, { secrets: seal(compact({ ...unsealOrEmpty(current), ...patch })) });
    };
  }

  function unsealOrEmpty(stored: StoredConnection): Secrets {
    try {
      return unseal(stored);
    } catch (err) {
      if (err instanceof SecretDecryptError) return {};
      throw err;
    }
  }
}

export type ConnectionService = ReturnType<typeof createConnectionService>;

/** A thrown value that is not an Error (a string, an object a driver rejected with), as text. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return inspect(value, { depth: 6, breakLength: Infinity });
}

/** A property read that may throw (a getter): what it threw is marked, never let out (review16b). */
const UNREADABLE = Symbol('unreadable');
function readOf(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return UNREADABLE;
  }
}

/**
 * The texts an error carries: its message, its stack and those of every cause (which Temporal keeps in a run's
 * history) and of an AggregateError's errors, followed to the end, a loop counted once (sec16: only 8 were looked at,
 * a 9th kept its secret). Null when a part cannot be read (a getter that throws, review16b: its error, which may hold
 * the secret, replaced the one being cleaned).
 */
function textsOf(error: Error): string[] | null {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const e = queue.shift();
    if (e === undefined || e === null || seen.has(e)) continue;
    seen.add(e);
    if (!(e instanceof Error)) {
      out.push(textOf(e));
      continue;
    }
    const [message, stack, cause, errors] = ['message', 'stack', 'cause', 'errors'].map((k) => readOf(e, k));
    if ([message, stack, cause, errors].includes(UNREADABLE)) return null;
    out.push(String(message ?? ''), String(stack ?? ''));
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...(errors as unknown[]));
  }
  return out;
}

/**
 * An error with each secret masked (message and stack); when the error or any of its causes held one, the causes are
 * dropped, not kept: an error whose own words are clean can still carry the driver's in its cause (probe19). A thrown
 * value that is not an Error (a string) and holds a secret becomes an Error with its text masked (sec16). An error
 * with a part that cannot be read becomes a new one with its message masked, nothing else kept (review16b).
 */
function cleaned(error: unknown, secrets: Secrets): unknown {
  if (!(error instanceof Error)) {
    if (error === undefined || error === null) return error;
    const text = textOf(error);
    const masked = redact(text, secrets);
    return masked === text ? error : new Error(masked);
  }
  const texts = textsOf(error);
  if (texts !== null && texts.every((t) => redact(t, secrets) === t)) return error;
  const read = readOf(error, 'message');
  const message = redact(typeof read === 'string' ? read : 'The connection failed.', secrets);
  if (error instanceof ConnectorError) return new ConnectorError(error.code, message);
  if (texts === null) return new Error(message);
  error.message = message;
  if (error.stack) error.stack = redact(error.stack, secrets);
  delete (error as { cause?: unknown }).cause;
  if (error instanceof AggregateError) error.errors = [];
  return error;
}

/**
 * A saved connection's session whose failures never carry a secret: discover, preview and the worker's reads and
 * writes in runs (whose errors are recorded in the run's history) all open sessions through openStored.
 */
function redacting(session: ConnectorSession, secrets: Secrets): ConnectorSession {
  const guard = <T>(work: Promise<T>): Promise<T> =>
    work.catch((e: unknown) => {
      throw cleaned(e, secrets);
    });
  return {
    test: () => guard(session.test()),
    discover: () => guard(session.discover()),
    async *read(object, options) {
      try {
        yield* session.read(object, options);
      } catch (e) {
        throw cleaned(e, secrets);
      }
    },
    write: (object, rows, options) => guard(session.write(object, rows, options)),
    get concurrentWrites() {
      return session.concurrentWrites;
    },
    ...(session.deleteRecords && { deleteRecords: (object, rows, options) => guard(session.deleteRecords!(object, rows, options)) }),
    ...(session.compareRecords && { compareRecords: (object, rows, options) => guard(session.compareRecords!(object, rows, options)) }),
    ...(session.estimateRows && { estimateRows: (object) => session.estimateRows!(object).catch(() => null) }),
    ...(session.keyRange && { keyRange: (object) => guard(session.keyRange!(object)) }),
    ...(session.sendTestRequest && { sendTestRequest: (input: unknown) => guard(session.sendTestRequest!(input)) }),
    ...(session.listMembers && {
      async *listMembers(self: ConnectorSession) {
        void self;
        try {
          yield* session.listMembers!(session);
        } catch (e) {
          throw cleaned(e, secrets);
        }
      },
    }),
    ...(session.createTable && { createTable: (object, fields, key, options) => guard(session.createTable!(object, fields, key, options)) }),
    close: () => session.close(),
  };
}

/** The config as it will be stored (the connector's defaults applied), for comparing with the stored one. */
function withDefaults(connector: { manifest: { config: z.ZodType } }, config: Record<string, unknown>): Record<string, unknown> {
  const parsed = connector.manifest.config.safeParse(config);
  return parsed.success && parsed.data && typeof parsed.data === 'object' ? (parsed.data as Record<string, unknown>) : config;
}

/** Config keys that say where credentials are sent; changing one means the stored secrets are not reused. */
const SERVER_KEY = /host|port|url|endpoint|server|domain|account|ssl|tls/i;

export function serverChanged(before: Record<string, unknown>, after: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)].filter((k) => SERVER_KEY.test(k)));
  return [...keys].some((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null));
}
