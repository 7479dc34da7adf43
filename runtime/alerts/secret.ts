// The alert webhook's signing secret: sealed with the secrets key in the store, as connection and inbound webhook
// secrets are (sec16), made on first need, opened only by the API (to show it) and the worker (to sign with it).
import { randomBytes } from 'node:crypto';
import type { ConnectionService } from '../connections';
import type { Store } from '../store/types';

/**
 * Seals and opens with the secrets key: the connection service (runtime/connections), the one holder of the key.
 * Sealing throws where there is no key (a worker started without WEFT_SECRET_KEY); opening answers null then, or
 * for a text sealed with another key.
 */
export type SecretBox = Pick<ConnectionService, 'sealWebhookSecret' | 'openWebhookSecret'>;

export const newAlertSecret = (): string => `whsec_${randomBytes(24).toString('base64url')}`;

/**
 * The integration's signing secret in clear, made and stored sealed when it has none (two first reads at once keep
 * the first written). Null when the stored one does not open with this key, or none can be made here (no key);
 * undefined for an unknown integration.
 */
export async function alertSecretOf(store: Store, id: string, stored: string | null, box: SecretBox): Promise<string | null | undefined> {
  let sealed: string | null | undefined = stored;
  if (sealed === null) {
    let fresh: string;
    try {
      fresh = box.sealWebhookSecret(newAlertSecret());
    } catch {
      return null;
    }
    sealed = await store.ops.setAlertSecret(id, fresh, true);
    if (sealed === undefined) return undefined;
    if (sealed === null) return null;
  }
  return box.openWebhookSecret(sealed);
}

/** Replaces the signing secret with a new one (the old one stops verifying at once); the new one in clear. */
export async function rotateAlertSecret(store: Store, id: string, box: SecretBox): Promise<string | undefined> {
  const plain = newAlertSecret();
  const stored = await store.ops.setAlertSecret(id, box.sealWebhookSecret(plain), false);
  return stored === undefined ? undefined : plain;
}
