// review16b: odd shapes of credentials kept in REST settings (migration 35). A shape that cannot move exactly as the
// connection sent it stays where it was (masked in every answer); none may stop the migration, which runs at start.
import { describe, expect, it } from 'vitest';
import { movedCredential } from './0035-rest-credentials-sealed';

describe('migration 35 movedCredential, odd shapes', () => {
  it('leaves a user:pass@ address with a broken %-escape where it is, without throwing', () => {
    expect(movedCredential({ baseUrl: 'https://us%zz:p%ZZ@api.example.com/v1' }, {})).toBeNull();
    expect(movedCredential({ baseUrl: 'https://svc:p%E0%A4@api.example.com/v1' }, {})).toBeNull();
  });

  it('still moves a user:pass@ address with good %-escapes, decoded', () => {
    expect(movedCredential({ baseUrl: 'https://s%40vc:p%3Aw%20d@api.example.com/v1' }, {})).toEqual({
      config: { baseUrl: 'https://api.example.com/v1', authType: 'basic', username: 's@vc' },
      secrets: { password: 'p:w d' },
    });
  });

  it('leaves a Basic header whose bytes are not UTF-8 where it is (moving it would send another credential)', () => {
    const latin1 = Buffer.from('svc:caf\xe9', 'latin1').toString('base64');
    expect(movedCredential({ headers: [{ name: 'Authorization', value: `Basic ${latin1}` }] }, {})).toBeNull();
    const utf8 = Buffer.from('svc:café', 'utf8').toString('base64');
    expect(movedCredential({ headers: [{ name: 'authorization', value: `basic  ${utf8}` }] }, {})).toEqual({
      config: { headers: [], authType: 'basic', username: 'svc' },
      secrets: { password: 'café' },
    });
  });

  it('moves a lower-case bearer with extra spaces, and nothing from a connection that already has an authentication', () => {
    expect(movedCredential({ headers: [{ name: ' authorization ', value: '  bearer   tok123  ' }] }, {})?.secrets).toEqual({ token: 'tok123' });
    expect(movedCredential({ authType: 'bearer', headers: [{ name: 'Authorization', value: 'Bearer tok' }] }, { token: 'other' })).toBeNull();
  });
});
