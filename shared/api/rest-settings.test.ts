// Credentials left in plain settings by a connection saved before the save rule are masked where they are served (sec16).
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_MASK as M, maskedAddress, maskedCredentials } from './rest-settings';

const S = 'sk_live_4f8a9b2c7d1e6f3a';

describe('maskedCredentials', () => {
  it('masks a password in an address and credential-named query values, keeping everything else as written', () => {
    expect(maskedAddress(`https://svc:${S}@api.example.com/v1?status=active`)).toBe(`https://svc:${M}@api.example.com/v1?status=active`);
    expect(maskedAddress(`https://${S}@api.example.com/v1`)).toBe(`https://${M}@api.example.com/v1`);
    expect(maskedAddress(`/contacts?keyword=x&access_token=${S}&api%5Fkey=${S}#top`)).toBe(`/contacts?keyword=x&access_token=${M}&api%5Fkey=${M}#top`);
    expect(maskedAddress('https://api.example.com/v1?keyword=x&page=2')).toBe('https://api.example.com/v1?keyword=x&page=2');
    // A user name alone with an @ later in the path is not an address's user information.
    expect(maskedAddress('/people/a@b.example')).toBe('/people/a@b.example');
  });

  it('masks credential headers, addresses and endpoint paths of a whole configuration, and nothing else', () => {
    const config = {
      baseUrl: `https://u:${S}@api.example.com`,
      tokenUrl: `https://auth.example.com/token?client_secret=${S}`,
      headers: [{ name: 'X-Tenant', value: 'acme' }, { name: 'Cookie', value: `session=${S}` }],
      objects: [{ name: 'people', path: `/people?key=${S}`, writePath: '/people/{id}' }],
      timeoutSeconds: 30,
    };
    const masked = maskedCredentials(config);
    expect(JSON.stringify(masked)).not.toContain(S);
    expect(masked).toEqual({
      baseUrl: `https://u:${M}@api.example.com`,
      tokenUrl: `https://auth.example.com/token?client_secret=${M}`,
      headers: [{ name: 'X-Tenant', value: 'acme' }, { name: 'Cookie', value: M }],
      objects: [{ name: 'people', path: `/people?key=${M}`, writePath: '/people/{id}' }],
      timeoutSeconds: 30,
    });
    expect(config.headers[1]!.value).toContain(S);
  });
});

describe('maskedAddress, odd spellings (review16b)', () => {
  it('masks the whole password when it holds an unescaped @ (the address parser takes the last @)', () => {
    const out = maskedAddress(`https://svc:p@${S}@api.example.com/v1`);
    expect(out).not.toContain(S);
    expect(new URL(out).host).toBe('api.example.com');
  });

  it('masks a password the address parser finds though the text does not start with scheme://', () => {
    for (const address of [` https://svc:${S}@api.example.com/v1`, `https:svc:${S}@api.example.com/v1`, `https:\\\\svc:${S}@api.example.com/v1`, `ht\ttps://svc:${S}@api.example.com/v1`]) {
      expect(new URL(address).password).toBe(S);
      expect(maskedAddress(address), JSON.stringify(address)).not.toContain(S);
    }
  });

  it('masks a credential-named query parameter whose name the address parser decodes despite a broken escape', () => {
    const address = `https://api.example.com/v1?api%5Fkey%zz=${S}&page=2`;
    expect([...new URL(address).searchParams.keys()][0]).toBe('api_key%zz');
    expect(maskedAddress(address)).toBe(`https://api.example.com/v1?api%5Fkey%zz=${M}&page=2`);
  });
});
