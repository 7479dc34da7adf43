// Runs the local HubSpot (and Salesforce) test servers in their own process, for the benchmark and browser tests:
// `tsx test/support/saas/serve.ts --hubspot-port 0 --contacts 100000` prints one JSON line with their URLs and
// credentials once they listen, and stops on SIGTERM.
import { HubSpotServer } from './hubspot-server';
import { SalesforceServer } from './salesforce-server';

const arg = (name: string, fallback: string) => {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1]! : fallback;
};

const hubspot = new HubSpotServer();
hubspot.recordRequests = false;
const contacts = Number(arg('contacts', '2000'));
if (contacts > 0) hubspot.seedContacts(contacts);
await hubspot.start(Number(arg('hubspot-port', '0')));
const salesforce = new SalesforceServer();
salesforce.recordRequests = false;
await salesforce.start(Number(arg('salesforce-port', '0')));
console.log(JSON.stringify({ hubspot: { url: hubspot.url, token: hubspot.token }, salesforce: { url: salesforce.url, clientId: salesforce.clientId, clientSecret: salesforce.clientSecret } }));
const stop = () => void Promise.all([hubspot.stop(), salesforce.stop()]).then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
