// Which hosts a connection may reach (WEFT_ALLOWED_HOSTS, WEFT_ALLOW_PRIVATE_HOSTS). The name is resolved once and the
// address that passed is the one the connector connects to, so a DNS answer that changes in between (rebinding)
// cannot send a connection somewhere that was never checked.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ConnectorError } from '../connectors/types';

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

/** Loopback, RFC 1918, CGNAT, link-local (cloud metadata), unique-local and unspecified addresses. */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** The eight 16-bit groups of an IPv6 address (with `::` expanded and a trailing dotted IPv4 read as two groups). */
function groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => parseInt(g, 16));
}

const v4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;

/**
 * The IPv4 address an IPv6 one stands for, where it stands for one: IPv4-mapped (::ffff:10.0.0.1), NAT64
 * (64:ff9b::/96) and 6to4 (2002::/16) addresses are checked as the IPv4 address they reach.
 */
const unmapped = (address: string) => {
  if (isIP(address) !== 6) return address;
  const g = groups(address);
  if (g.length !== 8 || g.some((n) => Number.isNaN(n))) return address;
  if (g.slice(0, 5).every((n) => n === 0) && g[5] === 0xffff) return v4(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((n) => n === 0)) return v4(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  return address;
};

export const isPrivateAddress = (address: string): boolean => {
  const a = unmapped(address);
  return PRIVATE.check(a, family(a));
};

async function resolveFirst(host: string): Promise<string> {
  const { address } = await lookup(host, { verbatim: true });
  return address;
}

/** Parses WEFT_ALLOWED_HOSTS entries; throws naming an entry that is neither a name, a wildcard, an address nor a CIDR. */
function parseEntries(entries: string[]) {
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
  const list = allowed && allowed.some((e) => e.trim() !== '') ? parseEntries(allowed) : null;
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
