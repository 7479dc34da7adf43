// An API token is `weft_` and 43 random characters; one whose random part happens to begin `trg_` reads as a trigger
// token (`weft_trg_…`), which `identify` sets aside on every route but the trigger's, so it would never work (probe19,
// 1 in 64^4 tokens). The first random bytes are made to spell `trg_` here: issueToken must draw again.
import type * as Crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openApiApp, type ApiApp } from '../../test/support/api-app';
import { TRIGGER_TOKEN_PREFIX } from './guard';
import { issueToken } from './tokens';

const forced = vi.hoisted(() => ({ next: null as Buffer | null }));
vi.mock('node:crypto', async (original) => {
  const real = await original<typeof Crypto>();
  return {
    ...real,
    randomBytes: (size: number, ...rest: unknown[]) => {
      if (forced.next && size === 32 && rest.length === 0) {
        const out = forced.next;
        forced.next = null;
        return out;
      }
      return (real.randomBytes as (...a: unknown[]) => Buffer)(size, ...rest);
    },
  };
});

let rig: ApiApp;
beforeAll(async () => {
  rig = await openApiApp({ name: 'token-prefix', maxUploadBytes: 4096 });
});
afterAll(async () => {
  await rig?.close();
});

describe('API tokens (probe19)', () => {
  it('never issues one that reads as a trigger token', async () => {
    // 182, 184, 63 encode as "trg_" in base64url.
    forced.next = Buffer.concat([Buffer.from([182, 184, 63]), Buffer.alloc(29, 7)]);
    const { token } = await issueToken(rig.store, { name: 'unlucky', role: 'viewer', createdBy: null });
    expect(forced.next).toBeNull();
    expect(token.startsWith(TRIGGER_TOKEN_PREFIX)).toBe(false);
    expect((await rig.anonymous.request('/api/integrations', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
