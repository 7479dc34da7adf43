// Polling until something is true, for tests that watch a real worker, server or schedule get somewhere.

type Probe<T> = () => Promise<T | undefined | null | false> | T | undefined | null | false;

/**
 * A `waitFor(what, probe, ms?)` that asks `probe` every `everyMs` until it gives a truthy value, which it returns, and
 * throws "Timed out waiting for <what>" after `ms` (the waiter's, or the call's).
 */
export function waiter({ ms = 30_000, everyMs = 150 }: { ms?: number; everyMs?: number } = {}) {
  return async function waitFor<T>(what: string, probe: Probe<T>, within = ms): Promise<T> {
    const until = Date.now() + within;
    while (Date.now() < until) {
      const value = await probe();
      if (value) return value;
      await new Promise((r) => setTimeout(r, everyMs));
    }
    throw new Error(`Timed out waiting for ${what}`);
  };
}
