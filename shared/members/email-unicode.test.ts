// Email keys across Unicode spellings: one address typed composed (é) or decomposed (e + U+0301) is one key, so a
// member and a system's user written either way are matched, and two members cannot hold the same address twice.
import { describe, expect, it } from 'vitest';
import { emailKey } from './email';

describe('email keys and Unicode', () => {
  it('keys canonically equivalent spellings alike, in any case', () => {
    const composed = emailKey('jos\u00e9@example.com');
    expect(composed).toEqual({ key: 'jos\u00e9@example.com' });
    expect(emailKey('jose\u0301@example.com')).toEqual(composed);
    expect(emailKey('JOSE\u0301@Example.com')).toEqual(composed);
    expect(emailKey('JOS\u00c9@EXAMPLE.COM')).toEqual(composed);
    // Hangul typed as jamo and as syllables.
    expect(emailKey('\u1100\u1161@x.io')).toEqual(emailKey('\uac00@x.io'));
  });

  it('keeps addresses that differ apart: accents, compatibility forms, emoji', () => {
    expect(emailKey('jose@example.com')).not.toEqual(emailKey('jos\u00e9@example.com'));
    // NFC, not NFKC: a full-width letter is another character.
    expect(emailKey('\uff41@x.io')).not.toEqual(emailKey('a@x.io'));
    expect(emailKey('\u{1F600}@x.io')).toEqual({ key: '\u{1F600}@x.io' });
  });
});
