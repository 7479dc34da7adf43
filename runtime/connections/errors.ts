// What the connections service refuses, so the API can answer 400, 404 or 409 (and a run fail) with the right words.
export type Issue = { path: string; message: string };

export class ConnectionServiceError extends Error {
  override readonly name = 'ConnectionServiceError';
  constructor(
    readonly kind: 'invalid' | 'not_found' | 'in_use' | 'name_taken' | 'unknown_connector' | 'unreadable_secrets' | 'no_key',
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}
