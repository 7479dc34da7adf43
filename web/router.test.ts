import { describe, expect, it } from 'vitest';
import { href, parseRoute } from './router';

describe('parseRoute', () => {
  it('maps every hash route', () => {
    expect(parseRoute('')).toEqual({ name: 'integrations' });
    expect(parseRoute('#/')).toEqual({ name: 'integrations' });
    expect(parseRoute('#/integrations/abc')).toEqual({ name: 'designer', id: 'abc' });
    expect(parseRoute('#/integrations/abc/runs')).toEqual({ name: 'history', id: 'abc' });
    expect(parseRoute('#/runs/r1')).toEqual({ name: 'run', id: 'r1' });
    expect(parseRoute('#/connections')).toEqual({ name: 'connections' });
    expect(parseRoute(href.connections())).toEqual({ name: 'connections' });
    expect(parseRoute(href.sets())).toEqual({ name: 'sets', id: null });
    expect(parseRoute(href.sets('set_a/b'))).toEqual({ name: 'sets', id: 'set_a/b' });
    expect(parseRoute('#/sets/x/y')).toMatchObject({ name: 'not-found' });
    expect(parseRoute('#/workspace')).toEqual({ name: 'workspace', object: null });
    expect(parseRoute('#/workspace/contacts')).toEqual({ name: 'workspace', object: 'contacts' });
    expect(parseRoute('#/nope/x/y/z').name).toBe('not-found');
    expect(parseRoute(href.users())).toEqual({ name: 'users' });
    expect(parseRoute(href.tokens())).toEqual({ name: 'tokens' });
    expect(parseRoute(href.audit())).toEqual({ name: 'audit' });
    expect(parseRoute('#/invite/abc_DEF-123')).toEqual({ name: 'invite', token: 'abc_DEF-123' });
    expect(parseRoute('#/invite').name).toBe('not-found');
  });

  it('round-trips hrefs, including odd ids', () => {
    expect(parseRoute(href.designer('a b/c'))).toEqual({ name: 'designer', id: 'a b/c' });
    expect(parseRoute(href.history('x'))).toEqual({ name: 'history', id: 'x' });
    expect(parseRoute(href.workspace('deals'))).toEqual({ name: 'workspace', object: 'deals' });
  });
});
