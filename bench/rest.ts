// bench:rest — records/s reading 100,000 contacts from the local HubSpot server (search API, 200 a page, a new query
// past 10,000 results) and writing 100,000 companies through batch upsert (100 a call, after a batch read that finds
// the records already there), by the Weft connector and by a hand-written fetch loop that makes the same calls, side
// by side, with this process's peak RSS in each phase. The server runs in its own process.
// `npm run bench:rest [-- --records 100000]`
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { hubspotConnector } from '../runtime/connectors/hubspot';
import { fetchTransport, saasHttpDefaults } from '../runtime/connectors/saas/http';
import type { Row } from '../runtime/connectors/types';

const arg = (name: string, fallback: string) => {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1]! : fallback;
};
const RECORDS = Number(arg('records', '100000'));
// --transport fetch: the connector over plain fetch instead of runtime/net, to tell the client's cost from the connector's.
if (arg('transport', 'net') === 'fetch') saasHttpDefaults.transport = (o) => fetchTransport(o);
process.env.WEFT_ALLOW_PRIVATE_HOSTS = 'true';

const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/saas/serve.ts', '--contacts', String(RECORDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
const line = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`the server process exited (${code})`)));
});
const { hubspot } = JSON.parse(line) as { hubspot: { url: string; token: string } };
const headers = { authorization: `Bearer ${hubspot.token}`, 'content-type': 'application/json', accept: 'application/json' };

/** Runs `fn`, sampling this process's RSS every 20 ms; answers seconds and the peak in MB. */
async function measure(fn: () => Promise<number>): Promise<{ count: number; seconds: number; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = performance.now();
  try {
    const count = await fn();
    return { count, seconds: (performance.now() - start) / 1000, peakMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1e6) };
  } finally {
    clearInterval(timer);
  }
}

async function post<T>(path: string, body: unknown): Promise<T> {
  for (;;) {
    const res = await fetch(hubspot.url + path, { method: 'POST', headers, body: JSON.stringify(body) });
    if (res.status === 429) {
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    if (res.status >= 300 && res.status !== 207) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
}

async function get<T>(path: string): Promise<T> {
  const res = await fetch(hubspot.url + path, { headers });
  return (await res.json()) as T;
}

/** The baseline read: the same search calls, rows as the API gives them. */
async function fetchLoopRead(): Promise<number> {
  const props = (await get<{ results: { name: string }[] }>('/crm/v3/properties/contacts')).results.map((p) => p.name);
  let count = 0;
  let last: string | null = null;
  for (;;) {
    let after: string | undefined;
    let full = false;
    const from: string | null = last;
    for (;;) {
      const page: { results: { id: string; properties: Record<string, string | null> }[]; paging?: { next?: { after: string } } } = await post('/crm/v3/objects/contacts/search', {
        ...(from !== null && { filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'GTE', value: from }] }] }),
        sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
        properties: props,
        limit: 200,
        ...(after && { after }),
      });
      for (const r of page.results) {
        if (r.id === from) continue; // read at the end of the previous window
        count++;
        last = r.id;
      }
      const next = page.paging?.next?.after;
      if (!next) return count;
      if (Number(next) + 200 > 10_000) {
        full = true;
        break;
      }
      after = next;
    }
    if (!full) return count;
  }
}

async function weftRead(): Promise<number> {
  const session = await hubspotConnector.open({ baseUrl: hubspot.url, maxConcurrency: 4 }, { accessToken: hubspot.token });
  let count = 0;
  for await (const batch of session.read('contacts', { batchSize: 5000 })) count += batch.rows.length;
  await session.close();
  return count;
}

const company = (k: number, round: string): Row => ({ external_id: `${round}-${k}`, name: `Company ${k}`, domain: `c${k}.example.com`, numberofemployees: k % 5000, annualrevenue: `${k}123456789012345678.25`, is_public: k % 2 === 0, industry: 'RETAIL' });

/** The baseline write: per 100 records a batch read by external_id, then a batch upsert. */
async function fetchLoopWrite(round: string): Promise<number> {
  let count = 0;
  for (let from = 0; from < RECORDS; from += 100) {
    const rows = Array.from({ length: Math.min(100, RECORDS - from) }, (_, k) => company(from + k, round));
    await post('/crm/v3/objects/companies/batch/read', { idProperty: 'external_id', inputs: rows.map((r) => ({ id: r.external_id })), properties: Object.keys(rows[0]!) });
    const out = await post<{ results: unknown[] }>('/crm/v3/objects/companies/batch/upsert', {
      inputs: rows.map((r, k) => ({ id: r.external_id, idProperty: 'external_id', objectWriteTraceId: String(k), properties: Object.fromEntries(Object.entries(r).map(([n, v]) => [n, String(v)])) })),
    });
    count += out.results.length;
  }
  return count;
}

async function weftWrite(round: string): Promise<number> {
  const session = await hubspotConnector.open({ baseUrl: hubspot.url, maxConcurrency: 4 }, { accessToken: hubspot.token });
  let count = 0;
  for (let from = 0; from < RECORDS; from += 5000) {
    const rows = Array.from({ length: Math.min(5000, RECORDS - from) }, (_, k) => company(from + k, round));
    const results = await session.write('companies', rows, { mode: 'upsert', key: ['external_id'], fields: [] });
    count += results.filter((r) => r.outcome === 'created').length;
  }
  await session.close();
  return count;
}

try {
  const rows: [string, string, string, string, string][] = [];
  const line = (what: string, a: { count: number; seconds: number; peakMb: number }, b: { count: number; seconds: number; peakMb: number }) => {
    const ra = a.count / a.seconds;
    const rb = b.count / b.seconds;
    rows.push([what, `${Math.round(ra).toLocaleString('en')} rec/s (${a.count.toLocaleString('en')} in ${a.seconds.toFixed(1)} s, peak RSS ${a.peakMb} MB)`, `${Math.round(rb).toLocaleString("en")} rec/s (${b.count.toLocaleString("en")} in ${b.seconds.toFixed(1)} s, peak RSS ${b.peakMb} MB)`, `${(ra / rb).toFixed(2)}x`, a.peakMb < 300 ? 'RSS ok' : 'RSS over 300 MB']);
  };
  // Baseline first, then Weft, each on the same server state (reads change nothing; writes create new records).
  const baseRead = await measure(fetchLoopRead);
  const weftReadM = await measure(weftRead);
  line(`read ${RECORDS.toLocaleString('en')} contacts`, weftReadM, baseRead);
  const baseWrite = await measure(() => fetchLoopWrite('base'));
  const weftWriteM = await measure(() => weftWrite('weft'));
  line(`upsert ${RECORDS.toLocaleString('en')} companies`, weftWriteM, baseWrite);
  console.log(`\nbench:rest — local HubSpot server in its own process; Weft = hubspotConnector through ${saasHttpDefaults.transport ? 'plain fetch (--transport fetch)' : 'runtime/net'}; baseline = a hand-written fetch loop making the same calls`);
  for (const [what, weft, base, ratio, rss] of rows) console.log(`${what}\n  Weft:     ${weft}\n  baseline: ${base}\n  Weft/baseline ${ratio} (target >= 0.80), ${rss}`);
} finally {
  child.kill('SIGTERM');
}
