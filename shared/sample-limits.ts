// How far the designer reads into a source for rows that reach a step (kept apart from shared/sampling.ts so the
// API contracts that name it do not pull the preview and formula code into the web's first load).
/** How many rows a step's preview wants, and how far a deeper sample reads: at most 10,000 records or 2 seconds. */
export const SAMPLE_LIMITS = { want: 10, maxRows: 10_000, maxMs: 2_000 } as const;
