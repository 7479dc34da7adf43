// A wide Salesforce object (hundreds of custom fields, as orgs have) read whole: the connector selects every field, so a
// page of 2,000 records holds more than a million JSON values, past what one response may hold (net/json-shape.ts).
// The query's batch size must shrink with the fields selected, or such an object could never be read (review14a).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalesforceServer, sfField } from '../../../test/support/saas/salesforce-server';
import { MAX_RESPONSE_VALUES } from '../../net/json-shape';
import { saasHttpDefaults } from '../saas/http';
import { salesforceConnector } from './index';

process.env.WEFT_ALLOW_PRIVATE_HOSTS = 'true';
saasHttpDefaults.backoffMs = 5;

let sf: SalesforceServer;
beforeAll(async () => {
  sf = await new SalesforceServer().start();
});
afterAll(async () => {
  await sf.stop();
});

describe('a Salesforce object with 600 fields', () => {
  it('is read whole, each page under the value limit', { timeout: 120_000 }, async () => {
    const fields = Array.from({ length: 600 }, (_, i) => sfField(`F${i}__c`, 'string'));
    sf.define('Wide__c', 'Wide', true, fields);
    sf.insert('Wide__c', Array.from({ length: 2100 }, (_, k) => ({ F0__c: `r${k}` })));
    const session = await salesforceConnector.open(
      { loginUrl: sf.url, flow: 'client_credentials', clientId: sf.clientId, username: '', apiVersion: sf.version, maxConcurrency: 2 },
      { clientSecret: sf.clientSecret, password: '', securityToken: '' },
    );
    try {
      let rows = 0;
      const first = new Set<unknown>();
      for await (const b of session.read('Wide__c', { batchSize: 1000 })) {
        rows += b.rows.length;
        for (const r of b.rows) first.add(r.F0__c);
      }
      expect(rows).toBe(2100);
      expect(first.size).toBe(2100);
      const sizes = sf.requests.filter((r) => r.queryOptions).map((r) => Number(/batchSize=(\d+)/.exec(r.queryOptions!)?.[1]));
      expect(sizes.length).toBeGreaterThan(0);
      // 600 fields and the system ones, the attributes object and its two values: a page well under the limit.
      for (const s of sizes) expect(s * 610).toBeLessThan(MAX_RESPONSE_VALUES);
      expect(sf.violations).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
