// Limit/offset defaults shared by every paged list.
export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 1000;

export const page = (opts: { limit?: number; offset?: number } | undefined): { limit: number; offset: number } => ({
  limit: Math.min(Math.max(Math.trunc(opts?.limit ?? DEFAULT_PAGE), 1), MAX_PAGE),
  offset: Math.max(Math.trunc(opts?.offset ?? 0), 0),
});
