// Records keyed by names people choose: `__proto__`, `constructor` and `toString` are data, never the prototype's.

/** An empty record with no prototype: assigning `__proto__` stores a field, reading `constructor` finds nothing. */
export const emptyRecord = <T = unknown>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** The record's own value for `name`, never one inherited from Object.prototype. */
export const ownValue = <T>(record: Readonly<Record<string, T>>, name: string): T | undefined => (Object.hasOwn(record, name) ? record[name] : undefined);
