// A saved connection's session for a step, with the failures no retry can heal turned into plan errors.
import { ConnectionServiceError } from '../connections/errors';
import type { ConnectorSession, SessionOpener } from '../connections/sessions';
import { PlanError } from './types';

/**
 * Opens the connection through the connection service. A connection that is gone fails the step with `whenGone`;
 * a worker without the secrets key fails it with the service's sentence (WEFT_SECRET_KEY); both for good.
 */
export async function openSaved(sessions: SessionOpener, connectionId: string, whenGone: string): Promise<ConnectorSession> {
  try {
    return await sessions.open(connectionId);
  } catch (err) {
    if (err instanceof ConnectionServiceError && err.kind === 'not_found') throw new PlanError(whenGone);
    if (err instanceof ConnectionServiceError && err.kind === 'no_key') throw new PlanError(err.message);
    throw err;
  }
}
