// What a JSON answer costs to parse, judged before it is parsed: how deep it nests and how many values it holds. A
// response is bounded in bytes (http-client.ts), but 8 MiB of `{},{},…` is 2.8 million objects, which takes more than
// a worker's 160 MB heap, and a few thousand `[` overflow the stack of the code that walks the parsed value. An API
// answer past either limit is refused in words instead of crashing the process (probe15).

/** Values (objects, arrays, strings, numbers, literals) one response may hold; about 60 MB of heap at worst. */
export const MAX_RESPONSE_VALUES = 1_000_000;
/**
 * Nesting of objects and arrays one response may have. JSON.parse builds any depth without recursing; what recurses
 * after it is JS over the parsed value: flattening a record (REST, files, webhooks), JSON.stringify of its arrays and
 * of the record for the repeated-page check, each ~3,500-4,000 levels deep on Node's default stack. 512 leaves them a
 * seventh of it, for deep trees an API may legitimately send (categories, comment threads, org charts); depth costs
 * no memory of its own (the value count bounds that). It was 64 until rig15.
 */
export const MAX_RESPONSE_DEPTH = 512;

export interface JsonShapeLimits {
  maxValues?: number;
  maxDepth?: number;
}

/**
 * Why `text` is too costly to parse (a sentence to follow "The response …"), or null. Linear, strings skipped, stops at
 * the first limit passed. The value count is the commas and openings outside strings plus one: what the parser builds.
 */
export function jsonShapeProblem(text: string, { maxValues = MAX_RESPONSE_VALUES, maxDepth = MAX_RESPONSE_DEPTH }: JsonShapeLimits = {}): string | null {
  // A text shorter than the limit in characters cannot hold more values than that, nor nest deeper.
  if (text.length <= maxDepth) return null;
  let depth = 0;
  let values = 1;
  const checkValues = text.length > maxValues;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 91 || c === 123) {
      if (++depth > maxDepth) return `nests objects or arrays more than ${maxDepth} levels deep`;
      if (checkValues && ++values > maxValues) return tooMany(maxValues);
    } else if (c === 93 || c === 125) depth--;
    else if (c === 44 && checkValues && ++values > maxValues) return tooMany(maxValues);
  }
  return null;
}

const tooMany = (max: number) => `holds more than ${max.toLocaleString('en-US')} values`;
