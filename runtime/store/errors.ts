// Errors the store throws on purpose, so the API can answer 404 or 409 instead of 500.
export class StoreNotFoundError extends Error {
  override readonly name = 'StoreNotFoundError';
  constructor(
    readonly entity: 'integration' | 'version' | 'run' | 'step',
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}
