// The paging cursors and next-page addresses one read has followed, to see a server going round in a circle. A long
// one is kept as its digest and at most `max` are kept: a hostile server's half-megabyte cursors, page after page,
// would otherwise fill the heap (review14a). Past `max`, a circle goes unseen (the read stays cancellable).
import { createHash } from 'node:crypto';

export function seenPages(max = 10_000) {
  const seen = new Set<string>();
  const key = (text: string): string => (text.length <= 64 ? text : `#${createHash('sha256').update(text).digest('base64')}`);
  return {
    has: (text: string): boolean => seen.has(key(text)),
    add(text: string): void {
      if (seen.size < max) seen.add(key(text));
    },
  };
}
