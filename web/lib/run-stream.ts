// Follows one run live: SSE events first, polling as the fallback, until the run is over.
import { useEffect, useState } from 'react';
import { isTerminalRun, RunDetail } from '../../shared';
import { api, ApiRequestError, errorMessage } from '../api';

export interface RunStream {
  run: RunDetail | null;
  error: string | null;
  /** The server answered 404: no such run (deleted with its integration, or a wrong link); nothing is polled any more. */
  notFound: boolean;
  /** 'live' while SSE delivers, 'polling' after a fallback, 'done' when terminal. */
  mode: 'connecting' | 'live' | 'polling' | 'done';
}

/** `generation`: bump it to follow the run again after it ended (a resumed run is live once more). */
export function useRunStream(runId: string, pollMs = 1500, generation = 0): RunStream {
  const [state, setState] = useState<RunStream>({ run: null, error: null, notFound: false, mode: 'connecting' });

  useEffect(() => {
    let stopped = false;
    let source: EventSource | null = null;
    let timer: number | undefined;

    const accept = (run: RunDetail) => {
      if (stopped) return;
      const done = isTerminalRun(run.status);
      setState((s) => ({ run, error: null, notFound: false, mode: done ? 'done' : s.mode === 'connecting' ? 'live' : s.mode }));
      if (done) stop();
    };
    const fail = (e: unknown) => {
      if (stopped) return;
      if (e instanceof ApiRequestError && e.status === 404) {
        setState((s) => ({ ...s, notFound: true, error: errorMessage(e) }));
        stop();
      } else setState((s) => ({ ...s, error: errorMessage(e) }));
    };
    const stop = () => {
      stopped = true;
      source?.close();
      window.clearTimeout(timer);
    };

    const poll = async () => {
      if (stopped) return;
      try {
        accept(await api.getRun(runId));
      } catch (e) {
        fail(e);
      }
      if (!stopped) timer = window.setTimeout(poll, pollMs);
    };
    const fallBack = () => {
      source?.close();
      source = null;
      if (stopped) return;
      setState((s) => ({ ...s, mode: 'polling' }));
      window.clearTimeout(timer);
      void poll();
    };

    // The first snapshot comes over plain HTTP so the page fills in even if SSE is slow to connect.
    api.getRun(runId).then(accept, fail);

    if (typeof EventSource === 'undefined') fallBack();
    else {
      source = new EventSource(api.runEventsUrl(runId));
      source.addEventListener('run', (ev) => {
        try {
          const parsed = RunDetail.safeParse(JSON.parse((ev as MessageEvent<string>).data));
          if (parsed.success) {
            setState((s) => (s.mode === 'polling' ? s : { ...s, mode: 'live' }));
            accept(parsed.data);
          }
        } catch {
          /* a malformed event is skipped; the next one or the poll repairs the view */
        }
      });
      source.addEventListener('end', () => {
        source?.close();
        // One last read so the final counts are the stored ones.
        api.getRun(runId).then(accept, () => undefined);
      });
      source.onerror = () => {
        if (!stopped) fallBack();
      };
    }
    return stop;
  }, [runId, pollMs, generation]);

  return state;
}
