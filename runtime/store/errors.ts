// Errors the store throws on purpose, so the API can answer 404 or 409 instead of 500.
export class StoreNotFoundError extends Error {
  override readonly name = 'StoreNotFoundError';
  constructor(
    readonly entity: 'integration' | 'version' | 'run' | 'step' | 'file',
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}

/** A write that would break a uniqueness rule (e.g. two connections with one name). */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
  constructor(
    readonly entity: 'connection' | 'member' | 'member-system',
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Postgres' unique_violation (23505), found on the error or its causes (Drizzle wraps driver errors). */
export function isUniqueViolation(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
