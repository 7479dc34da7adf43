// What a HubSpot connection needs: the API's base URL (HubSpot's own by default) and a private app's access token.
import { z } from 'zod';
import type { ConnectorManifest } from '../types';
import { credentialInUrlProblem, maskedCredentials } from '../../../shared/api/rest-settings';

export const HubSpotConfig = z.object({
  baseUrl: z.string().url().default('https://api.hubapi.com').meta({ title: 'API base URL', description: 'https://api.hubapi.com for every HubSpot account; another only for a proxy or a test server' }),
  /** Requests in flight at once (HubSpot allows 10 a second per private app on most plans; search 5). */
  maxConcurrency: z.number().int().min(1).max(10).default(4).meta({ title: 'Requests in parallel' }),
});
export type HubSpotConfig = z.infer<typeof HubSpotConfig>;

export const HubSpotSecrets = z.object({
  accessToken: z.string().min(8, 'The private app access token is required').meta({ title: 'Private app access token', description: 'Settings → Integrations → Private apps → your app → Access token (pat-...)' }),
});
export type HubSpotSecrets = z.infer<typeof HubSpotSecrets>;

export const hubspotManifest: ConnectorManifest<HubSpotConfig, HubSpotSecrets> = {
  id: 'hubspot',
  name: 'HubSpot',
  icon: 'hubspot',
  description: 'Read contacts, companies, deals and custom objects from HubSpot (incrementally by last modified date), and create, update or upsert them in batches of 100.',
  config: HubSpotConfig,
  secrets: HubSpotSecrets,
  capabilities: ['read', 'write', 'incremental', 'discover'],
  endpoint: (config) => {
    const url = new URL(config.baseUrl);
    return { host: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
  },
  // Settings are plain and every viewer reads them: no password or token in the address (probe19), checked on save.
  saveProblems: (config) => {
    const problem = credentialInUrlProblem(config.baseUrl);
    return problem ? [{ path: ['baseUrl'], message: problem }] : [];
  },
  servedSettings: maskedCredentials,
};
