// Timestamp texts as Postgres prints them, each mutated 0–2 times (a character replaced, inserted or removed) from a
// seeded generator: the property tests of the Postgres connector's timestamp readers read the same texts every run.

export interface TimestampTextsOptions {
  seed: number;
  count: number;
  base: readonly string[];
  tails: readonly string[];
  /** The characters a mutation puts in. */
  noise: readonly string[];
}

export function timestampTexts({ seed, count, base, tails, noise }: TimestampTextsOptions): string[] {
  let s = seed;
  const rnd = (n: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % n);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let text = base[rnd(base.length)]! + tails[rnd(tails.length)]!;
    for (let k = rnd(3); k > 0; k--) {
      const at = rnd(text.length + 1);
      const op = rnd(3);
      const c = noise[rnd(noise.length)]!;
      text = op === 0 ? text.slice(0, at) + c + text.slice(at + 1) : op === 1 ? text.slice(0, at) + c + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
    }
    out.push(text);
  }
  return out;
}
