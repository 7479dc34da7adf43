// What a Salesforce connection needs: where to sign in, which OAuth 2.0 flow (client credentials, or username-password
// where the org allows it), the connected app's consumer key, and the secrets kept apart.
import { z } from 'zod';
import type { ConnectorManifest } from '../types';

export const SalesforceConfig = z.object({
  loginUrl: z
    .string()
    .url()
    .default('https://login.salesforce.com')
    .meta({ title: 'Login URL', description: "Your org's My Domain URL (https://yourorg.my.salesforce.com; the client credentials flow needs it), or https://test.salesforce.com for a sandbox" }),
  flow: z.enum(['client_credentials', 'password']).default('client_credentials').meta({ title: 'Sign-in flow', description: 'client_credentials: the connected app runs as its integration user; password: a user name and password (only where the org allows the flow)' }),
  clientId: z.string().min(1, 'The consumer key is required').meta({ title: 'Consumer key (client id)' }),
  username: z.string().default('').meta({ title: 'User name (password flow only)' }),
  apiVersion: z
    .string()
    .regex(/^\d+\.\d$/, 'A version such as 62.0')
    .default('62.0')
    .meta({ title: 'API version' }),
  maxConcurrency: z.number().int().min(1).max(10).default(4).meta({ title: 'Requests in parallel' }),
});
export type SalesforceConfig = z.infer<typeof SalesforceConfig>;

export const SalesforceSecrets = z.object({
  clientSecret: z.string().min(8, 'The consumer secret is required').meta({ title: 'Consumer secret (client secret)' }),
  password: z.string().default('').meta({ title: 'Password (password flow only)' }),
  securityToken: z.string().default('').meta({ title: 'Security token (password flow, when the org asks for one)' }),
});
export type SalesforceSecrets = z.infer<typeof SalesforceSecrets>;

export const salesforceManifest: ConnectorManifest<SalesforceConfig, SalesforceSecrets> = {
  id: 'salesforce',
  name: 'Salesforce',
  icon: 'salesforce',
  description: 'Read Salesforce objects with SOQL (incrementally by SystemModstamp), and upsert records by an external id field through sObject Collections, 200 per call.',
  config: SalesforceConfig,
  secrets: SalesforceSecrets,
  capabilities: ['read', 'write', 'incremental', 'discover'],
  endpoint: (config) => {
    const url = new URL(config.loginUrl);
    return { host: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
  },
};
