// Email as a matching key: trimmed (any Unicode space), lower-cased and composed (NFC); a value that is not one address keys nothing.
/** The key an email matches on, or why it cannot be one. */
export function emailKey(raw: unknown): { key: string } | { problem: string } {
  if (raw === null || raw === undefined) return { problem: 'no email' };
  if (typeof raw !== 'string') return { problem: 'the email is not text' };
  const trimmed = raw.replace(/^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$/gu, '');
  if (trimmed === '') return { problem: 'no email' };
   
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return { problem: 'the email holds a control character' };
  if (trimmed.length > 320 || !/^[^\s@]+@[^\s@]+$/u.test(trimmed)) return { problem: `"${shown(trimmed)}" is not one email address` };
  // Canonical composition after lower-casing: é typed as one character or as e + U+0301 is one address (RFC 6532
  // asks for NFC); NFKC would also fold look-alikes (a full-width ａ) into another person's address.
  return { key: trimmed.toLowerCase().normalize('NFC') };
}

/** A value for a message, cut short and with control characters shown as U+FFFD. */
 
export const shown = (v: string): string => (v.length > 60 ? `${v.slice(0, 57)}...` : v).replace(/[\u0000-\u001f\u007f]/g, '\ufffd');
