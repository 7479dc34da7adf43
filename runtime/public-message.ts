// What a person may read of an error that reached a run: never SQL text, other records' values or server
// file paths. The whole error goes to the server log; sync history gets one sentence.

const MAX_CHARS = 500;
/** An absolute server path (two or more segments), as Node and drivers print them. */
const SERVER_PATH = /(^|[\s'"(=:])(\/(?:[\w.@+-]+\/)+[\w.@+-]*)/g;

type Causal = Error & { cause?: unknown; query?: unknown; params?: unknown };

/** The error's own message when it is safe to show; else the driver's cause, stripped; else a plain sentence. */
export function publicMessage(err: unknown): string {
  const e = err as Causal;
  let message = e instanceof Error ? e.message : String(err);
  // Drizzle wraps a failed statement as "Failed query: <sql> params: <every value of the batch>".
  if (/^Failed query:/i.test(message) || e?.query !== undefined || e?.params !== undefined) {
    const cause = e?.cause instanceof Error ? e.cause.message : null;
    message = cause && !/^Failed query:/i.test(cause) ? `The store could not save this batch: ${cause}` : 'The store could not save this batch (the details are in the server log).';
  }
  message = message.replace(SERVER_PATH, (_m, before: string) => `${before}[server path]`);
  if (/\b(insert into|select .+ from|update .+ set|delete from|copy .+ from stdin)\b/i.test(message)) {
    return 'The step failed on a database statement (the details are in the server log).';
  }
  return message.length > MAX_CHARS ? `${message.slice(0, MAX_CHARS - 1)}…` : message;
}
