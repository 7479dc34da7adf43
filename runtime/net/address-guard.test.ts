// The outbound-address guard alone, with an injected resolver: every kind of address, names that resolve to private
// addresses (one of several answers is enough), the connection-level allowance and WEFT_ALLOWED_HOSTS.
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../connectors/types';
import { classifyAddress } from './addresses';
import { addressGuardFromEnv, createAddressGuard, type CheckedAddress } from './address-guard';

const dns = new Map<string, string[]>([
  ['api.example.com', ['203.0.113.10']],
  ['evil.example.com', ['127.0.0.1']],
  ['metadata.example.org', ['169.254.169.254']],
  ['mapped.example.org', ['::ffff:10.1.2.3']],
  ['split.example.org', ['203.0.113.11', '192.168.1.20']],
  ['internal.corp', ['10.20.30.40']],
  ['v6.example.org', ['2001:db8::5']],
  ['ula.example.org', ['fd12::1']],
]);
const lookupAll = async (h: string): Promise<CheckedAddress[]> => {
  const a = dns.get(h);
  if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: 'ENOTFOUND' });
  return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
const refusal = async (p: Promise<unknown>): Promise<ConnectorError> => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectorError);
    return e as ConnectorError;
  }
  throw new Error('expected a refusal');
};

describe('address kinds', () => {
  it('classifies every range the guard refuses, IPv4-mapped, compatible, NAT64 and 6to4 forms included', () => {
    const cases: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::127.0.0.1', 'loopback'],
      ['10.0.0.5', 'private'],
      ['172.16.3.4', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'private'],
      ['fd00::1', 'private'],
      ['fc00::1', 'private'],
      ['64:ff9b::10.0.0.1', 'private'],
      ['2002:c0a8:101::1', 'private'],
      ['169.254.169.254', 'link-local'],
      ['::ffff:169.254.169.254', 'link-local'],
      ['fe80::1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['224.0.0.1', 'multicast'],
      ['ff02::1', 'multicast'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['255.255.255.255', 'reserved'],
      ['8.8.8.8', 'public'],
      ['172.32.0.1', 'public'],
      ['2001:db8::1', 'public'],
      ['::ffff:8.8.8.8', 'public'],
    ];
    for (const [a, kind] of cases) expect([a, classifyAddress(a)]).toEqual([a, kind]);
  });

  it('judges the other IPv6 forms that reach an IPv4 address or an inside network as what they reach', () => {
    const cases: [string, string][] = [
      // Local-use NAT64 (RFC 8215, 64:ff9b:1::/48), the IPv4 address in the last 32 bits as in 64:ff9b::/96.
      ['64:ff9b:1::a9fe:a9fe', 'link-local'],
      ['64:ff9b:1::7f00:1', 'loopback'],
      ['64:ff9b:1::10.0.0.1', 'private'],
      ['64:ff9b:1::808:808', 'public'],
      // IPv4-translated (SIIT, ::ffff:0:0/96).
      ['::ffff:0:7f00:1', 'loopback'],
      ['::ffff:0:169.254.169.254', 'link-local'],
      // Teredo (2001::/32): the client's IPv4 address, inverted, in the last 32 bits.
      ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback'],
      ['2001:0:4136:e378:8000:63bf:5601:5601', 'link-local'],
      ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'public'],
      // Site-local (fec0::/10): deprecated, still routed inside some networks.
      ['fec0::1', 'private'],
      ['feff::1', 'private'],
    ];
    for (const [a, kind] of cases) expect([a, classifyAddress(a)]).toEqual([a, kind]);
  });
});

describe('address guard', () => {
  const guard = createAddressGuard({ lookupAll });

  it('answers a public name with its address', async () => {
    expect(await guard.check('api.example.com')).toEqual({ address: '203.0.113.10', family: 4 });
    expect(await guard.check('API.Example.com.')).toEqual({ address: '203.0.113.10', family: 4 });
    expect(await guard.check('[2001:db8::1]')).toEqual({ address: '2001:db8::1', family: 6 });
  });

  it('refuses a DNS name that resolves to a private, loopback or metadata address', async () => {
    const e = await refusal(guard.check('evil.example.com'));
    expect(e.code).toBe('permission');
    expect(e.message).toMatch(/"evil\.example\.com" \(127\.0\.0\.1\): it is a loopback address/);
    expect((await refusal(guard.check('metadata.example.org'))).message).toMatch(/link-local.*metadata/);
    expect((await refusal(guard.check('mapped.example.org'))).message).toMatch(/private network/);
    expect((await refusal(guard.check('ula.example.org'))).code).toBe('permission');
    // One private answer among public ones is enough: the resolver's order may change between check and connect.
    expect((await refusal(guard.check('split.example.org'))).message).toMatch(/192\.168\.1\.20/);
  });

  it('refuses address literals in every spelling the URL parser leaves', async () => {
    for (const host of ['127.0.0.1', '[::1]', '[::ffff:127.0.0.1]', '169.254.169.254', '0.0.0.0', '224.0.0.1', new URL('http://2130706433/').hostname, new URL('http://0x7f.1/').hostname]) {
      expect([host, (await refusal(guard.check(host))).code]).toEqual([host, 'permission']);
    }
  });

  it('lets a connection allow loopback and private addresses, but not link-local (cloud metadata) or multicast', async () => {
    expect(await guard.check('internal.corp', { allowPrivate: true })).toEqual({ address: '10.20.30.40', family: 4 });
    expect((await guard.check('evil.example.com', { allowPrivate: true })).address).toBe('127.0.0.1');
    expect((await refusal(guard.check('metadata.example.org', { allowPrivate: true }))).message).toMatch(/WEFT_ALLOW_PRIVATE_HOSTS/);
    expect((await refusal(guard.check('224.0.0.1', { allowPrivate: true }))).message).toMatch(/never sends/);
    // The refusal says what would allow it.
    expect((await refusal(guard.check('internal.corp'))).message).toMatch(/Allow private network addresses/);
  });

  it('WEFT_ALLOW_PRIVATE_HOSTS=true allows private and link-local addresses, never multicast or unspecified', async () => {
    const open = addressGuardFromEnv({ WEFT_ALLOW_PRIVATE_HOSTS: 'true' });
    expect(open.allowPrivate).toBe(true);
    expect((await open.check('169.254.169.254')).address).toBe('169.254.169.254');
    expect((await open.check('127.0.0.1')).address).toBe('127.0.0.1');
    expect((await refusal(open.check('0.0.0.0'))).code).toBe('permission');
    expect(addressGuardFromEnv({}).allowPrivate).toBe(false);
    expect(() => addressGuardFromEnv({ WEFT_ALLOW_PRIVATE_HOSTS: 'yes' })).toThrow(/true or false/);
  });

  it('applies WEFT_ALLOWED_HOSTS: listed names still pass the address rules, listed addresses are allowed as listed', async () => {
    const listed = createAddressGuard({ lookupAll, allowed: ['api.example.com', 'evil.example.com', '10.20.30.0/24'] });
    expect((await listed.check('api.example.com')).address).toBe('203.0.113.10');
    expect((await refusal(listed.check('v6.example.org'))).message).toMatch(/WEFT_ALLOWED_HOSTS/);
    expect((await refusal(listed.check('evil.example.com'))).message).toMatch(/loopback/);
    expect((await listed.check('internal.corp')).address).toBe('10.20.30.40');
  });

  it('says when a name does not resolve', async () => {
    const e = await refusal(guard.check('nowhere.example'));
    expect(e.code).toBe('unreachable');
    expect(e.message).toMatch(/could not be resolved/);
    expect((await refusal(guard.check(''))).code).toBe('invalid_config');
  });
});
