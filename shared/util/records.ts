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
const ROW_PROTOTYPE = Object.freeze(Object.create(null) as object);

/** Never true: the assignments below are never run, V8 only counts them (see `rowRecordClass`). */
const NEVER = { assign: false };

type RowRecordClass = new () => Record<string, unknown>;

/**
 * A constructor of row records. V8 sizes the objects a constructor makes by the `this.x =` assignments in its body
 * (56 here, never run: 64 fields inside the object at first), then, after its first few objects, shrinks that to the
 * most fields those objects were given. Each width gets its own constructor (`rowRecord(width)`), so a table's rows
 * keep all their fields inside the object; one constructor for every width kept what its first few records had (10
 * fields, or 3 when the process's first records were small), put the rest in a second array grown three at a time,
 * and turned a record past ~22 fields into a hash table (docs/benchmarks.md, rows16g).
 */
function rowRecordClass(): RowRecordClass {
  const RowRecord = function RowRecord(this: Record<string, unknown>) {
    if (NEVER.assign) {
      this.f0 = 0;
      this.f1 = 0;
      this.f2 = 0;
      this.f3 = 0;
      this.f4 = 0;
      this.f5 = 0;
      this.f6 = 0;
      this.f7 = 0;
      this.f8 = 0;
      this.f9 = 0;
      this.f10 = 0;
      this.f11 = 0;
      this.f12 = 0;
      this.f13 = 0;
      this.f14 = 0;
      this.f15 = 0;
      this.f16 = 0;
      this.f17 = 0;
      this.f18 = 0;
      this.f19 = 0;
      this.f20 = 0;
      this.f21 = 0;
      this.f22 = 0;
      this.f23 = 0;
      this.f24 = 0;
      this.f25 = 0;
      this.f26 = 0;
      this.f27 = 0;
      this.f28 = 0;
      this.f29 = 0;
      this.f30 = 0;
      this.f31 = 0;
      this.f32 = 0;
      this.f33 = 0;
      this.f34 = 0;
      this.f35 = 0;
      this.f36 = 0;
      this.f37 = 0;
      this.f38 = 0;
      this.f39 = 0;
      this.f40 = 0;
      this.f41 = 0;
      this.f42 = 0;
      this.f43 = 0;
      this.f44 = 0;
      this.f45 = 0;
      this.f46 = 0;
      this.f47 = 0;
      this.f48 = 0;
      this.f49 = 0;
      this.f50 = 0;
      this.f51 = 0;
      this.f52 = 0;
      this.f53 = 0;
      this.f54 = 0;
      this.f55 = 0;
    }
  } as unknown as RowRecordClass & { prototype: object };
  RowRecord.prototype = ROW_PROTOTYPE;
  return RowRecord;
}

/** Widths above this share one constructor (V8 keeps at most 64 fields in the object from the assignments above). */
const WIDEST = 64;
const shared = rowRecordClass();
const byWidth: (RowRecordClass | undefined)[] = [];

/**
 * An empty row record. `width`, the number of fields its maker will give it (a table's columns), picks the
 * constructor for records of that width; without it (or above 64) one constructor serves every width. Same record
 * either way: same prototype, and the fields it is given, in order.
 */
export const rowRecord = <T = unknown>(width = 0): Record<string, T> => {
  if (!(width > 0 && width <= WIDEST)) return new shared() as Record<string, T>;
  const Class = (byWidth[width] ??= rowRecordClass());
  return new Class() as Record<string, T>;
};

/** Whether `v` is a record `rowRecord` made (its prototype is theirs, not merely like it). */
export const isRowRecord = (v: object): boolean => Object.getPrototypeOf(v) === ROW_PROTOTYPE;
