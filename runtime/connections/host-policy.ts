// Which hosts a connection may reach (WEFT_ALLOWED_HOSTS, WEFT_ALLOW_PRIVATE_HOSTS). The name is resolved once and the
// address that passed is the one the connector connects to, so a DNS answer that changes in between (rebinding)
// cannot send a connection somewhere that was never checked.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ConnectorError } from '../connectors/types';
import { familyOf, isPrivateAddress, unmapped } from '../net/addresses';

export interface HostPolicy {
  /** The address to connect to for `host`, or a ConnectorError('permission') saying which setting refuses it. */
  check(host: string): Promise<string>;
}

export interface HostPolicySettings {
  /** Host names, `*.example.com` wildcards, IP addresses and CIDR ranges; absent or empty: any host. */
  allowed?: string[];
  /** Loopback, private, link-local and unique-local addresses (default true: a local install reaches its own databases). */
  allowPrivate?: boolean;
  resolve?: (host: string) => Promise<string>;
}

const family = familyOf;

export { isPrivateAddress };

async function resolveFirst(host: string): Promise<string> {
  const { address } = await lookup(host, { verbatim: true });
  return address;
}

export interface AllowedHosts {
  names: string[];
  /** `.example.com` for `*.example.com`. */
  suffixes: string[];
  addresses: BlockList | null;
}

/** Parses WEFT_ALLOWED_HOSTS entries; throws naming an entry that is neither a name, a wildcard, an address nor a CIDR. */
export function parseAllowedHosts(entries: string[]): AllowedHosts {
  const names: string[] = [];
  const suffixes: string[] = [];
  const addresses = new BlockList();
  let hasAddresses = false;
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
    if (entry === '') continue;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    if (cidr && isIP(cidr[1]!)) {
      const bits = Number(cidr[2]);
      if (bits > (isIP(cidr[1]!) === 6 ? 128 : 32)) throw new Error(`WEFT_ALLOWED_HOSTS: "${raw}" has a prefix longer than the address.`);
      addresses.addSubnet(cidr[1]!, bits, family(cidr[1]!));
      hasAddresses = true;
    } else if (isIP(entry)) {
      addresses.addAddress(entry, family(entry));
      hasAddresses = true;
    } else if (/^\*\.[a-z0-9.-]+$/.test(entry)) suffixes.push(entry.slice(1));
    else if (/^[a-z0-9_.-]+$/.test(entry)) names.push(entry.replace(/\.$/, ''));
    else throw new Error(`WEFT_ALLOWED_HOSTS: "${raw}" is not a host name, a *.wildcard, an IP address or a CIDR range.`);
  }
  return { names, suffixes, addresses: hasAddresses ? addresses : null };
}

export function createHostPolicy({ allowed, allowPrivate = true, resolve = resolveFirst }: HostPolicySettings = {}): HostPolicy {
  const list = allowed && allowed.some((e) => e.trim() !== '') ? parseAllowedHosts(allowed) : null;
  return {
    async check(host: string): Promise<string> {
      const name = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
      let address: string;
      if (isIP(name)) address = name;
      else {
        try {
          address = await resolve(name);
        } catch (e) {
          throw new ConnectorError('unreachable', `The host name "${host}" could not be resolved.`, { cause: e });
        }
      }
      const a = unmapped(address);
      const byAddress = list?.addresses?.check(a, family(a)) ?? false;
      const byName = !!list && !isIP(name) && (list.names.includes(name) || list.suffixes.some((s) => name.endsWith(s) && name.length > s.length));
      const shown = address === name ? `"${host}"` : `"${host}" (${address})`;
      if (list && !byAddress && !byName) {
        throw new ConnectorError('permission', `Weft may not connect to ${shown}: it is not in WEFT_ALLOWED_HOSTS. An administrator can add it to that setting.`);
      }
      // An address listed explicitly is allowed as listed; a name (or no list) still has to pass the private-range rule.
      if (!byAddress && !allowPrivate && isPrivateAddress(a)) {
        throw new ConnectorError('permission', `Weft may not connect to ${shown}: it is a loopback or private address, and WEFT_ALLOW_PRIVATE_HOSTS is false on this server. An administrator can list it in WEFT_ALLOWED_HOSTS.`);
      }
      return address;
    },
  };
}

/** The policy the environment sets; a malformed setting stops the start with a message naming it. */
export function hostPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): HostPolicy {
  const privateSetting = (env.WEFT_ALLOW_PRIVATE_HOSTS ?? '').trim().toLowerCase();
  if (privateSetting !== '' && privateSetting !== 'true' && privateSetting !== 'false') {
    throw new Error(`WEFT_ALLOW_PRIVATE_HOSTS must be true or false, not "${env.WEFT_ALLOW_PRIVATE_HOSTS}".`);
  }
  return createHostPolicy({ allowed: (env.WEFT_ALLOWED_HOSTS ?? '').split(','), allowPrivate: privateSetting !== 'false' });
}
