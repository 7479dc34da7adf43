// Records keyed by names people choose: `__proto__`, `constructor` and `toString` are data, never the prototype's.

/** An empty record with no prototype: assigning `__proto__` stores a field, reading `constructor` finds nothing. */
export const emptyRecord = <T = unknown>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** The record's own value for `name`, never one inherited from Object.prototype. */
export const ownValue = <T>(record: Readonly<Record<string, T>>, name: string): T | undefined => (Object.hasOwn(record, name) ? record[name] : undefined);

/**
 * Rows' records, made by the thousand: the same guarantees as `emptyRecord` (no `Object.prototype` in the chain,
 * so `__proto__` is stored as data and `constructor` or `toString` are never inherited), but V8 keeps them as fast
 * objects sharing hidden classes, where a prototype-less object is a hash table from its first key. At a million
 * rows that is about half the memory per record and far less garbage-collection work (docs/benchmarks.md).
 */
const RowRecord = function RowRecord() {} as unknown as { new (): Record<string, unknown>; prototype: object };
RowRecord.prototype = Object.freeze(Object.create(null) as object);
export const rowRecord = <T = unknown>(): Record<string, T> => new RowRecord() as Record<string, T>;

/** Whether `v` is a record `rowRecord` made (its prototype is theirs, not merely like it). */
export const isRowRecord = (v: object): boolean => Object.getPrototypeOf(v) === RowRecord.prototype;
