// The outbound-address guard: every HTTP request Weft makes for a connector, an alert webhook or an OAuth flow asks
// it where it may connect. It resolves the host name to all its addresses and refuses the name when any of them is
// loopback, private, link-local (169.254.169.254, the cloud metadata service), multicast, unspecified or reserved,
// unless the server or the connection allows private addresses. The HTTP client (http-client.ts) calls it from the
// socket's own DNS lookup, so the address that passed is the address connected to: a DNS answer that changes between
// the check and the connection (rebinding) has nothing to win.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ConnectorError } from '../connectors/types';
import { parseAllowedHosts, type AllowedHosts } from '../connections/host-policy';
import { classifyAddress, familyOf, KIND_WORDS, unmapped, type AddressKind } from './addresses';

export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (dns.lookup with all: true by default). */
export type LookupAll = (host: string) => Promise<CheckedAddress[]>;

export interface AddressGuardSettings {
  /** WEFT_ALLOWED_HOSTS: names, `*.example.com`, addresses and CIDR ranges; absent or empty: any public host. */
  allowed?: string[];
  /** WEFT_ALLOW_PRIVATE_HOSTS=true: loopback, private and link-local addresses are allowed (default false). */
  allowPrivate?: boolean;
  /** Tests inject a resolver; default dns.lookup (the system's resolver, /etc/hosts included). */
  lookupAll?: LookupAll;
}

export interface GuardOptions {
  /**
   * The connection allows private addresses ("This API is on our own network"): loopback and private ranges pass.
   * Link-local addresses (cloud metadata) still need WEFT_ALLOW_PRIVATE_HOSTS, since a connection's settings are
   * edited by people who are not the server's administrator.
   */
  allowPrivate?: boolean;
}

export interface AddressGuard {
  /** The address to connect to for `host`; ConnectorError 'permission' (saying which setting refuses it) or 'unreachable'. */
  check(host: string, options?: GuardOptions): Promise<CheckedAddress>;
  /** Whether the server itself allows private addresses (WEFT_ALLOW_PRIVATE_HOSTS). */
  readonly allowPrivate: boolean;
}

const systemLookupAll: LookupAll = async (host) => {
  const answers = await dnsLookup(host, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** Kinds no setting but an explicit WEFT_ALLOWED_HOSTS address allows: nothing answers HTTP there on purpose. */
const NEVER: ReadonlySet<AddressKind> = new Set(['multicast', 'unspecified', 'reserved']);

const normalise = (host: string) =>
  host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');

export function createAddressGuard({ allowed, allowPrivate = false, lookupAll = systemLookupAll }: AddressGuardSettings = {}): AddressGuard {
  const list: AllowedHosts | null = allowed && allowed.some((e) => e.trim() !== '') ? parseAllowedHosts(allowed) : null;

  function refusal(host: string, address: string, kind: AddressKind, connectionMayAllow: boolean): ConnectorError {
    const shown = address === normalise(host) ? `"${host}"` : `"${host}" (${address})`;
    const how = NEVER.has(kind)
      ? 'Weft never sends requests there.'
      : connectionMayAllow
        ? 'Tick "Allow private network addresses" on the connection if this API is on your own network, or an administrator can set WEFT_ALLOW_PRIVATE_HOSTS=true or list it in WEFT_ALLOWED_HOSTS.'
        : 'An administrator can set WEFT_ALLOW_PRIVATE_HOSTS=true or list it in WEFT_ALLOWED_HOSTS.';
    return new ConnectorError('permission', `Weft may not send requests to ${shown}: it is ${KIND_WORDS[kind]}. ${how}`);
  }

  return {
    allowPrivate,
    async check(host, options = {}) {
      const name = normalise(host);
      if (name === '') throw new ConnectorError('invalid_config', 'The address has no host name.');
      let answers: CheckedAddress[];
      if (isIP(name)) answers = [{ address: name, family: isIP(name) === 6 ? 6 : 4 }];
      else {
        try {
          answers = await lookupAll(name);
        } catch (e) {
          throw new ConnectorError('unreachable', `The host name "${host}" could not be resolved.`, { cause: e });
        }
        if (answers.length === 0) throw new ConnectorError('unreachable', `The host name "${host}" has no address.`);
      }
      const byName = !!list && !isIP(name) && (list.names.includes(name) || list.suffixes.some((s) => name.endsWith(s) && name.length > s.length));
      // Every address the name has must pass: a resolver may answer a public address first and a private one next.
      for (const { address } of answers) {
        const a = unmapped(address);
        const kind = classifyAddress(a);
        const byAddress = list?.addresses?.check(a, familyOf(a)) ?? false;
        if (list && !byAddress && !byName) {
          const shown = address === name ? `"${host}"` : `"${host}" (${address})`;
          throw new ConnectorError('permission', `Weft may not send requests to ${shown}: it is not in WEFT_ALLOWED_HOSTS. An administrator can add it to that setting.`);
        }
        // An address listed explicitly is allowed as listed (multicast aside); a name has to pass the address rules.
        if (byAddress && kind !== 'multicast') continue;
        if (kind === 'public') continue;
        if (NEVER.has(kind)) throw refusal(host, address, kind, false);
        if (allowPrivate) continue;
        if (options.allowPrivate && (kind === 'loopback' || kind === 'private')) continue;
        throw refusal(host, address, kind, kind === 'loopback' || kind === 'private');
      }
      return answers[0]!;
    },
  };
}

/**
 * The guard the environment sets. Unlike database connections (whose host policy allows private addresses unless
 * WEFT_ALLOW_PRIVATE_HOSTS=false), HTTP requests reach private addresses only when WEFT_ALLOW_PRIVATE_HOSTS=true is
 * set explicitly or the connection allows them: a URL is where server-side request forgery starts.
 */
export function addressGuardFromEnv(env: NodeJS.ProcessEnv = process.env): AddressGuard {
  const setting = (env.WEFT_ALLOW_PRIVATE_HOSTS ?? '').trim().toLowerCase();
  if (setting !== '' && setting !== 'true' && setting !== 'false') throw new Error(`WEFT_ALLOW_PRIVATE_HOSTS must be true or false, not "${env.WEFT_ALLOW_PRIVATE_HOSTS}".`);
  return createAddressGuard({ allowed: (env.WEFT_ALLOWED_HOSTS ?? '').split(','), allowPrivate: setting === 'true' });
}
