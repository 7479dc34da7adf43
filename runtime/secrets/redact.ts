// Keeps secret values out of messages a connector builds from a server's reply (which may echo a password).
export const MASK = '••••';

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

/** `message` with each secret value (also URL-encoded) replaced by ••••. */
export function redact(message: string, secrets: unknown): string {
  let out = message;
  for (const value of secretValues(secrets)) {
    for (const form of new Set([value, encodeURIComponent(value)])) out = out.split(form).join(MASK);
  }
  return out;
}
