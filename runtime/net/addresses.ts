// What kind of address an IP address is (loopback, private, link-local, multicast...), with IPv6 forms that reach an
// IPv4 address (mapped, compatible, NAT64, 6to4) judged as the IPv4 address they reach. Shared by the outbound HTTP
// guard (address-guard.ts) and the database host policy (runtime/connections/host-policy.ts).
import { BlockList, isIP } from 'node:net';

export type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'multicast' | 'unspecified' | 'reserved';

const KINDS: [Exclude<AddressKind, 'public'>, 'ipv4' | 'ipv6', string, number][] = [
  ['unspecified', 'ipv4', '0.0.0.0', 8],
  ['unspecified', 'ipv6', '::', 128],
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['loopback', 'ipv6', '::1', 128],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['private', 'ipv4', '192.168.0.0', 16],
  // Carrier-grade NAT: inside a provider's network, never a public service.
  ['private', 'ipv4', '100.64.0.0', 10],
  // IETF protocol assignments and benchmarking ranges are used inside networks too.
  ['private', 'ipv4', '192.0.0.0', 24],
  ['private', 'ipv4', '198.18.0.0', 15],
  ['private', 'ipv6', 'fc00::', 7],
  // Site-local (deprecated by RFC 3879, still routed inside some networks).
  ['private', 'ipv6', 'fec0::', 10],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['link-local', 'ipv6', 'fe80::', 10],
  ['multicast', 'ipv4', '224.0.0.0', 4],
  ['multicast', 'ipv6', 'ff00::', 8],
  // 240/4 (with the broadcast address) is not routable.
  ['reserved', 'ipv4', '240.0.0.0', 4],
];

const LISTS = new Map<Exclude<AddressKind, 'public'>, BlockList>();
for (const [kind, family, net, bits] of KINDS) {
  let list = LISTS.get(kind);
  if (!list) LISTS.set(kind, (list = new BlockList()));
  list.addSubnet(net, bits, family);
}

export const familyOf = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

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
 * The IPv4 address an IPv6 one stands for, where it stands for one: IPv4-mapped (::ffff:10.0.0.1), IPv4-translated
 * (::ffff:0:10.0.0.1), IPv4-compatible (::10.0.0.1), NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48, the
 * address in the last 32 bits), 6to4 (2002::/16) and Teredo (2001::/32, the client's address inverted in the last 32
 * bits) addresses are checked as the IPv4 address they reach. Any other address is answered as given (without a zone id).
 */
export function unmapped(address: string): string {
  if (isIP(address) !== 6) return address;
  const g = groups(address);
  if (g.length !== 8 || g.some((n) => Number.isNaN(n))) return address;
  if (g.slice(0, 5).every((n) => n === 0) && g[5] === 0xffff) return v4(g[6]!, g[7]!);
  // ::a.b.c.d (deprecated IPv4-compatible); :: and ::1 themselves stay IPv6.
  if (g.slice(0, 6).every((n) => n === 0) && (g[6]! > 0 || g[7]! > 1)) return v4(g[6]!, g[7]!);
  if (g.slice(0, 4).every((n) => n === 0) && g[4] === 0xffff && g[5] === 0) return v4(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((n) => n === 0)) return v4(g[6]!, g[7]!);
  // Local-use NAT64 (RFC 8215): a translator inside the operator's network reaches whatever IPv4 address it embeds.
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return v4(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  if (g[0] === 0x2001 && g[1] === 0) return v4(~g[6]! & 0xffff, ~g[7]! & 0xffff);
  return address.replace(/%.*$/, '');
}

/** The kind of an IP address; `public` for anything routable on the internet. */
export function classifyAddress(address: string): AddressKind {
  const a = unmapped(address);
  if (isIP(a) === 0) return 'reserved';
  for (const [kind, list] of LISTS) if (list.check(a, familyOf(a))) return kind;
  return 'public';
}

/** Loopback, RFC 1918, CGNAT, link-local (cloud metadata), unique-local and unspecified addresses. */
export const isPrivateAddress = (address: string): boolean => ['loopback', 'private', 'link-local', 'unspecified'].includes(classifyAddress(address));

/** How a refusal names a kind, in a sentence. */
export const KIND_WORDS: Record<AddressKind, string> = {
  public: 'a public address',
  loopback: 'a loopback address (this machine)',
  private: 'a private network address',
  'link-local': 'a link-local address (such as a cloud metadata service)',
  multicast: 'a multicast address',
  unspecified: 'an unspecified address (0.0.0.0 or ::)',
  reserved: 'a reserved address',
};
