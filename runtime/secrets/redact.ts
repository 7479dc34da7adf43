// Keeps secret values out of messages a connector builds from a server's reply (which may echo a password).
// A secret is masked only where it stands as a whole token: masking it inside words ("nobody" with the password "o"
// as "n••••b••••dy") would spell the secret out. Secrets too short to mask safely are refused where they are entered
// (MIN_SECRET_LENGTH, used by the database connectors' password fields).
import { z } from 'zod';

export const MASK = '••••';

/** The shortest password a connector accepts where it may refuse one: shorter ones cannot be masked without being guessed. */
export const MIN_SECRET_LENGTH = 8;

/** A password field: empty (no password, e.g. trust or socket authentication) or at least MIN_SECRET_LENGTH characters. */
export const maskablePassword = () =>
  z
    .string()
    .default('')
    .refine((v) => v === '' || v.length >= MIN_SECRET_LENGTH, {
      message: `The password must be at least ${MIN_SECRET_LENGTH} characters (or empty): Weft masks it in the messages it shows, and a shorter one could be read from the masking. Give the user a longer password.`,
    });

/** Every string leaf of a secrets object (nested objects and arrays included). */
export function secretValues(secrets: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string' && v !== '') out.push(v);
    else if (typeof v === 'number' && String(v).length >= 4) out.push(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(secrets);
  // Longest first, so a secret containing another is masked whole.
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

const WORD = /[\p{L}\p{N}_]/u;
const isWordAt = (text: string, index: number) => index >= 0 && index < text.length && WORD.test(String.fromCodePoint(text.codePointAt(index)!));
/** The character just before `index` (a surrogate pair counted whole). */
const isWordBefore = (text: string, index: number) => {
  if (index <= 0) return false;
  const low = text.charCodeAt(index - 1);
  const start = low >= 0xdc00 && low <= 0xdfff && index >= 2 ? index - 2 : index - 1;
  return isWordAt(text, start);
};

/** `text` with each whole-token occurrence of `secret` replaced by the mask. */
function maskToken(text: string, secret: string): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + 1)) {
    if (at < from) continue;
    const end = at + secret.length;
    // Inside a word on either side: not this secret, and masking it would show where its letters are.
    if ((WORD.test(secret[0]!) && isWordBefore(text, at)) || (WORD.test(secret.at(-1)!) && isWordAt(text, end))) continue;
    out += text.slice(from, at) + MASK;
    from = end;
  }
  return out + text.slice(from);
}

/** The secret as a URL's password (WHATWG userinfo encoding, which leaves `$&+,!` as they are), or null. */
function asUrlPassword(value: string): string | null {
  try {
    const url = new URL('http://weft.invalid');
    url.password = value;
    return url.password;
  } catch {
    return null;
  }
}

/**
 * The forms a secret takes in a message: as it is, and URL-encoded the ways drivers and tools encode it (component
 * encoding, a URL's userinfo, form encoding with `+` for a space, each also with lower-case hex) and JSON-escaped.
 */
function forms(value: string): string[] {
  const encoded = [encodeURIComponent(value), asUrlPassword(value), new URLSearchParams({ v: value }).toString().slice(2)].filter((f): f is string => !!f);
  const lowerHex = encoded.map((f) => f.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
  return [...new Set([value, ...encoded, ...lowerHex, JSON.stringify(value).slice(1, -1)])].sort((a, b) => b.length - a.length);
}

/** `message` with each secret value (also URL-encoded or JSON-escaped) replaced by •••• where it stands as a whole token. */
export function redact(message: string, secrets: unknown): string {
  let out = message;
  for (const value of secretValues(secrets)) {
    for (const form of forms(value)) out = maskToken(out, form);
  }
  return out;
}
