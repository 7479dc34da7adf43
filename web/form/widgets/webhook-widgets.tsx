// The webhook source's inspector: its inbound URL, how to sign a request (a curl line and a Node snippet to copy),
// the secret (shown once when made; regenerated on demand), the queue depth, and the sample body its fields come from.
import { useCallback, useEffect, useState } from 'react';
import * as routes from '../../../shared/api/routes';
import type { CreatedWebhookSecret, WebhookAuth, WebhookEndpoint } from '../../../shared/api/webhooks';
import { sniffWebhookSample } from '../../../shared/webhooks/records';
import { api, ApiRequestError, errorMessage } from '../../api';
import { IconCopy } from '../../components/icons';
import { formatCount } from '../../lib/format';
import { runAction, toast } from '../../lib/toasts';
import { OnceSecret } from '../../pages/users-page';
import { diagnosticsAt } from '../config-path';
import { FieldErrors } from '../field-errors';
import type { FormCtx } from '../form-context';
import { SegmentedControl } from './segmented-control';

const EXAMPLE_BODY = '{"id":"c1","name":"Ada","amount":12.5}';

/** The sample body on one line when it is short enough for a shell line, else a small example. */
function exampleBody(sample: unknown): string {
  if (typeof sample !== 'string' || !sample.trim()) return EXAMPLE_BODY;
  try {
    const one = JSON.stringify(JSON.parse(sample));
    return one.length <= 200 && !one.includes("'") ? one : EXAMPLE_BODY;
  } catch {
    return EXAMPLE_BODY;
  }
}

export function curlExample(url: string, auth: WebhookAuth, body: string, secret = 'whin_…'): string {
  if (auth === 'token') {
    return [`SECRET='${secret}'`, `curl -sS -X POST '${url}' \\`, `  -H 'Content-Type: application/json' \\`, `  -H "X-Weft-Token: $SECRET" \\`, `  --data-binary '${body}'`].join('\n');
  }
  return [
    `SECRET='${secret}'`,
    `BODY='${body}'`,
    'TS=$(date +%s)',
    `SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')`,
    `curl -sS -X POST '${url}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -H "X-Weft-Timestamp: $TS" -H "X-Weft-Signature: sha256=$SIG" \\`,
    `  --data-binary "$BODY"`,
    '# 202 {"accepted":true,"records":1,"id":"…"}',
  ].join('\n');
}

export function nodeExample(url: string, auth: WebhookAuth, body: string): string {
  const record = body;
  if (auth === 'token') {
    return [
      `const body = JSON.stringify(${record});`,
      `const res = await fetch('${url}', {`,
      `  method: 'POST',`,
      `  headers: { 'content-type': 'application/json', 'x-weft-token': process.env.WEFT_WEBHOOK_SECRET },`,
      `  body,`,
      `});`,
      `console.log(res.status); // 202`,
    ].join('\n');
  }
  return [
    `import { createHmac } from 'node:crypto';`,
    ``,
    `const secret = process.env.WEFT_WEBHOOK_SECRET;`,
    `const body = JSON.stringify(${record});`,
    `const timestamp = Math.floor(Date.now() / 1000);`,
    "const signature = 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');",
    `const res = await fetch('${url}', {`,
    `  method: 'POST',`,
    `  headers: { 'content-type': 'application/json', 'x-weft-timestamp': String(timestamp), 'x-weft-signature': signature },`,
    `  body,`,
    `});`,
    `console.log(res.status); // 202`,
  ].join('\n');
}

function CopyBlock({ text, label, testId }: { text: string; label: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="copy-block">
      <div className="copy-block__head">
        <span className="small muted">{label}</span>
        <button
          type="button"
          className="btn btn--ghost btn--sm"
          onClick={() =>
            void navigator.clipboard?.writeText(text).then(
              () => setCopied(true),
              () => toast('Select the text and copy it with Ctrl+C', 'info'),
            )
          }
          data-testid={`${testId}-copy`}
        >
          <IconCopy size={14} /> {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre className="copy-block__code" data-testid={testId} tabIndex={0}>
        {text}
      </pre>
    </div>
  );
}

function queueLine(e: WebhookEndpoint): string {
  const q = e.queue;
  if (q.waiting === 0 && q.inRuns === 0) return 'Queue empty: every request received has been written';
  const parts = [];
  if (q.waiting > 0) parts.push(`${formatCount(q.waiting)} request${q.waiting === 1 ? '' : 's'} waiting (${formatCount(q.waitingRecords)} records)`);
  if (q.inRuns > 0) parts.push(`${formatCount(q.inRuns)} in runs not completed`);
  return parts.join(' · ');
}

/** 'webhook-endpoint': the inbound URL, its secret, how to sign, and the queue depth. */
export function WebhookEndpointWidget({ ctx }: { ctx: FormCtx }) {
  const id = ctx.integrationId;
  const [endpoint, setEndpoint] = useState<WebhookEndpoint | null | 'none' | 'unsaved'>(null);
  const [secret, setSecret] = useState<CreatedWebhookSecret | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    if (!id) return setEndpoint('unsaved');
    try {
      setEndpoint(await api.call(routes.getWebhook, { params: { id } }));
    } catch (e) {
      if (e instanceof ApiRequestError && e.status === 404) setEndpoint('none');
      else setEndpoint('none');
    }
  }, [id]);

  useEffect(() => {
    void load();
    // The queue moves while requests arrive and runs drain it.
    const timer = setInterval(() => void load(), 5_000);
    return () => clearInterval(timer);
  }, [load]);

  const makeSecret = async (replace: boolean) => {
    if (!id) return;
    setBusy(true);
    await runAction({
      ...(replace && {
        confirm: {
          title: 'Regenerate the secret?',
          message: 'Senders signing with the current secret are refused from now on, until they use the new one. The URL stays the same.',
          confirmLabel: 'Regenerate',
          danger: true,
        },
      }),
      run: () => api.call(routes.createWebhookSecret, { params: { id }, body: {} }),
      done: (made) => {
        setSecret(made);
        setEndpoint(made);
        return replace ? 'New secret made: copy it now' : 'Inbound URL made: copy the secret now';
      },
      errorText: (e) => `Could not make the secret: ${errorMessage(e)}`,
    });
    setBusy(false);
  };

  const setAuth = async (auth: WebhookAuth) => {
    if (!id) return;
    try {
      setEndpoint(await api.call(routes.setWebhookSettings, { params: { id }, body: { auth } }));
    } catch (e) {
      toast(`Could not change how senders authenticate: ${errorMessage(e)}`, 'error');
    }
  };

  if (endpoint === null) return <p className="hint">Loading the inbound URL…</p>;
  if (endpoint === 'unsaved') return <p className="hint">Save the integration to get its inbound URL.</p>;
  if (endpoint === 'none') {
    return (
      <div className="webhook-endpoint" data-testid="webhook-endpoint">
        <p className="hint">Weft gives this integration an inbound URL and a secret that senders sign their requests with. Each request is answered 202 at once and written by a run.</p>
        <button type="button" className="btn btn--primary btn--sm" disabled={busy} onClick={() => void makeSecret(false)} data-testid="webhook-create">
          Create URL and secret
        </button>
      </div>
    );
  }
  const body = exampleBody(ctx.config.sample);
  return (
    <div className="webhook-endpoint" data-testid="webhook-endpoint">
      <div className="once-secret">
        <input className="input mono once-secret__value" readOnly value={endpoint.url} onFocus={(e) => e.currentTarget.select()} aria-label="Inbound URL" data-testid="webhook-url" />
        <button type="button" className="btn btn--secondary" onClick={() => void navigator.clipboard?.writeText(endpoint.url).then(() => toast('URL copied', 'success'), () => undefined)}>
          <IconCopy /> Copy
        </button>
      </div>
      <p className="small muted webhook-endpoint__queue" data-testid="webhook-queue" aria-live="polite">
        {queueLine(endpoint)}
        {endpoint.queue.oldestWaitingAt ? ` · oldest received ${new Date(endpoint.queue.oldestWaitingAt).toLocaleTimeString()}` : ''}
      </p>
      <SegmentedControl
        id={`${ctx.nodeId}-webhook-auth`}
        label="Senders authenticate with"
        options={[
          { value: 'signature', label: 'HMAC signature' },
          { value: 'token', label: 'Shared token' },
        ]}
        value={endpoint.auth}
        onChange={(v) => void setAuth(v as WebhookAuth)}
        testId="webhook-auth"
      />
      {secret ? (
        <div className="webhook-endpoint__secret" data-testid="webhook-new-secret">
          <p className="small">Copy the secret now: Weft keeps it encrypted and does not show it again.</p>
          <OnceSecret value={secret.secret} testId="webhook-secret-value" />
        </div>
      ) : (
        <div className="webhook-endpoint__secret-row">
          <span className="small">
            Secret <code className="code-inline">{endpoint.secretPrefix}…</code>
          </span>
          <button type="button" className="btn btn--ghost btn--sm" disabled={busy} onClick={() => void makeSecret(true)} data-testid="webhook-regenerate">
            Regenerate secret
          </button>
        </div>
      )}
      <p className="small muted">
        {endpoint.auth === 'signature'
          ? `Sign "<timestamp>.<raw body>" with HMAC-SHA256 and the secret; send X-Weft-Timestamp (Unix seconds, within ${endpoint.limits.toleranceSeconds / 60} minutes) and X-Weft-Signature: sha256=<hex>. The same signed request is taken once.`
          : 'Send the secret in X-Weft-Token. A signature is safer: it also refuses replayed requests.'}{' '}
        JSON only, at most {formatCount(Math.round(endpoint.limits.maxBodyBytes / 1024))} KB and {formatCount(endpoint.limits.maxRecordsPerRequest)} records per request.
      </p>
      <CopyBlock label="curl" text={curlExample(endpoint.url, endpoint.auth, body, secret?.secret)} testId="webhook-curl" />
      <CopyBlock label="Node.js" text={nodeExample(endpoint.url, endpoint.auth, body)} testId="webhook-node" />
    </div>
  );
}

/** 'webhook-sample': a body as senders send it; "Detect fields" reads it the way runs read requests. */
export function WebhookSampleWidget({ ctx, path, id }: { ctx: FormCtx; path: string; id?: string }) {
  const value = typeof ctx.config[path] === 'string' ? (ctx.config[path] as string) : '';
  const [problem, setProblem] = useState<string | null>(null);
  const recordsPath = typeof ctx.config.recordsPath === 'string' ? ctx.config.recordsPath : '';
  const detect = () => {
    const read = sniffWebhookSample(value, recordsPath);
    if (!read.ok) return setProblem(read.reason);
    setProblem(null);
    ctx.patch({ [path]: value, columns: read.columns });
    toast(`${read.columns.length} field${read.columns.length === 1 ? '' : 's'} detected from ${read.rows.length} record${read.rows.length === 1 ? '' : 's'}`, 'success');
  };
  return (
    <div className="webhook-sample">
      <textarea
        id={id}
        className="input mono webhook-sample__text"
        rows={6}
        value={value}
        placeholder={'{"id": "c1", "name": "Ada", "amount": 12.5}'}
        spellCheck={false}
        onChange={(e) => ctx.set(path, e.target.value, { merge: true })}
        data-testid="webhook-sample"
      />
      <div className="webhook-sample__actions">
        <button type="button" className="btn btn--secondary btn--sm" disabled={!value.trim()} onClick={detect} data-testid="webhook-detect">
          Detect fields
        </button>
        <span className="small muted">Paste one request’s body as a sender sends it.</span>
      </div>
      {problem ? (
        <p className="hint hint--error" role="alert" data-testid="webhook-sample-problem">
          {problem}
        </p>
      ) : null}
      <FieldErrors diagnostics={diagnosticsAt(ctx.diagnostics, path)} path={path} />
    </div>
  );
}
