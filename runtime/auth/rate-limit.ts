// Sign-in attempts per email and per client address: after too many failures in a window, refuse for the rest of it.
export interface RateLimiter {
  /** Seconds until another attempt is allowed, or 0 when one is allowed now. */
  retryAfter(keys: string[], now?: number): number;
  fail(keys: string[], now?: number): void;
  reset(keys: string[]): void;
}

export function createRateLimiter(opts: { max: number; windowMs: number }): RateLimiter {
  // A Map, not an object: the keys are emails and addresses people choose (`__proto__` included).
  const failures = new Map<string, { count: number; until: number }>();
  const live = (key: string, now: number) => {
    const entry = failures.get(key);
    if (entry && entry.until <= now) {
      failures.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    retryAfter(keys, now = Date.now()) {
      let wait = 0;
      for (const key of keys) {
        const entry = live(key, now);
        if (entry && entry.count >= opts.max) wait = Math.max(wait, Math.ceil((entry.until - now) / 1000));
      }
      return wait;
    },
    fail(keys, now = Date.now()) {
      if (failures.size > 100_000) for (const [k, v] of failures) if (v.until <= now) failures.delete(k);
      for (const key of keys) {
        const entry = live(key, now);
        if (entry) entry.count += 1;
        else failures.set(key, { count: 1, until: now + opts.windowMs });
      }
    },
    reset(keys) {
      for (const key of keys) failures.delete(key);
    },
  };
}
