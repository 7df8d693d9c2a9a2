import { useState } from 'preact/hooks';
import type { WebhookCreateBody, WebhookFormat, WebhookTestResult } from '../api/webhook-types.ts';
import { useSession } from '../app-context.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { Pending } from '../components/pending.tsx';
import { useAsync } from '../hooks/use-async.ts';

const when = (ms: number) => new Date(ms).toLocaleString();
const DEFAULT_EVENTS = 'flag.*, release.*';

/** Filters as typed ("flag.*, release.rolled_back"), as the API takes them. */
const eventsOf = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((e) => e.trim())
    .filter(Boolean);

function testLine(r: WebhookTestResult): string {
  if (r.delivered) return `Test delivered: ${r.status} in ${r.durationMs} ms`;
  return `Test failed: ${r.error ?? 'no answer'}`;
}

/**
 * Signed webhooks and their dead letters (docs/webhooks.md). Admins only: a webhook URL (a Slack
 * one above all) is a credential, and the signing secret is shown once, at creation.
 */
export function WebhooksPage() {
  const { me } = useSession();
  if (me.role === 'admin') return <Webhooks />;
  return (
    <section class="page">
      <h1>Webhooks</h1>
      <p>Only admins manage webhooks.</p>
    </section>
  );
}

function Webhooks() {
  const { api, notify } = useSession();
  const data = useAsync(() => Promise.all([api.listWebhooks(), api.webhookFailures()]), []);
  const [form, setForm] = useState({ url: '', events: DEFAULT_EVENTS, format: 'json' as WebhookFormat });
  const [secret, setSecret] = useState<string>();
  const [tests, setTests] = useState<Record<string, WebhookTestResult>>({});
  const [error, setError] = useState<Error>();

  const run = async <R,>(fn: () => Promise<R>, after: (r: R) => void) => {
    setError(undefined);
    try {
      after(await fn());
      void data.reload(true);
    } catch (e) {
      setError(e as Error);
    }
  };
  const [{ webhooks }, { failures }] = data.data ?? [{ webhooks: [] }, { failures: [] }];
  const urlOf = (id: string) => webhooks.find((w) => w.id === id)?.url ?? `deleted webhook ${id.slice(0, 8)}`;
  const create = (e: Event) => {
    e.preventDefault();
    const body: WebhookCreateBody = { url: form.url.trim(), events: eventsOf(form.events), format: form.format };
    void run(
      () => api.createWebhook(body),
      (created) => {
        setSecret(created.secret);
        setForm({ url: '', events: DEFAULT_EVENTS, format: 'json' });
        notify(`Created a webhook to ${new URL(created.url).host}.`);
      },
    );
  };

  return (
    <section class="page">
      <h1>Webhooks</h1>
      {secret && (
        <div class="banner banner-secret" role="alert">
          <p>
            <strong>Copy this signing secret now.</strong> It is shown once. Receivers check <code>Edgeflags-Signature</code> with it.
          </p>
          <div class="row">
            <code class="secret" data-testid="secret">
              {secret}
            </code>
            <button type="button" class="btn btn-sm btn-ghost" onClick={() => setSecret(undefined)}>
              Done
            </button>
          </div>
        </div>
      )}
      <ErrorNote error={error ?? data.error} />
      <Pending state={data} what="webhooks" />
      <div class="panel">
        <h2>Endpoints</h2>
        <p class="muted small">
          Every flag change and release step is POSTed as signed JSON, or as a Slack message. Failed deliveries are retried with backoff,
          then kept below as dead letters.
        </p>
        <form class="row wrap" onSubmit={create}>
          <div class="field">
            <label for="hook-url">URL</label>
            <input
              id="hook-url"
              type="url"
              required
              value={form.url}
              onInput={(e) => setForm({ ...form, url: e.currentTarget.value })}
              placeholder="https://hooks.example.com/edgeflags"
            />
          </div>
          <div class="field">
            <label for="hook-events">Events</label>
            <input id="hook-events" required value={form.events} onInput={(e) => setForm({ ...form, events: e.currentTarget.value })} />
          </div>
          <div class="field">
            <label for="hook-format">Format</label>
            <select
              id="hook-format"
              value={form.format}
              onChange={(e) => setForm({ ...form, format: e.currentTarget.value as WebhookFormat })}
            >
              <option value="json">JSON event</option>
              <option value="slack">Slack message</option>
            </select>
          </div>
          <button type="submit" class="btn btn-primary">
            Add webhook
          </button>
        </form>
        <ul class="list" aria-label="Webhooks">
          {webhooks.map((w) => (
            <li key={w.id} class="list-item">
              <div class="list-main">
                <code>{w.url}</code> <span class="badge">{w.format}</span>{' '}
                {w.events.map((e) => (
                  <span key={e} class="badge">
                    {e}
                  </span>
                ))}
                <div class="muted small">
                  created {when(w.createdAt)} by {w.createdBy}
                  {tests[w.id] && <span role="status"> · {testLine(tests[w.id]!)}</span>}
                </div>
              </div>
              <button
                type="button"
                class="btn btn-sm"
                aria-label={`Send a test event to ${w.url}`}
                onClick={() =>
                  void run(
                    () => api.testWebhook(w.id),
                    (r) => setTests({ ...tests, [w.id]: r }),
                  )
                }
              >
                Send test
              </button>
              <button
                type="button"
                class="btn btn-sm btn-danger-text"
                aria-label={`Delete the webhook to ${w.url}`}
                onClick={() =>
                  confirm(`Delete the webhook to ${w.url}? Its queued deliveries and dead letters go with it.`) &&
                  void run(
                    () => api.deleteWebhook(w.id),
                    () => notify('Deleted the webhook.'),
                  )
                }
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
        {!data.loading && webhooks.length === 0 && <p class="muted">No webhooks yet.</p>}
      </div>
      <div class="panel">
        <h2>Dead letters</h2>
        <p class="muted small">Deliveries that failed every attempt, newest first, with what the receiver last answered.</p>
        {failures.length === 0 ? (
          <p class="muted">None: every delivery arrived.</p>
        ) : (
          <ul class="list" aria-label="Dead letters">
            {failures.map((f) => (
              <li key={f.id} class="list-item">
                <div class="list-main">
                  <strong>{f.eventType}</strong> <span class="badge badge-danger">{f.lastStatus ?? 'no answer'}</span>{' '}
                  <code>{urlOf(f.webhookId)}</code>
                  <div class="muted small">
                    {f.attempts} attempts · last: {f.lastError ?? 'unknown'} · {when(f.failedAt)} · {f.eventId}
                  </div>
                  <details>
                    <summary class="small">Body as sent</summary>
                    <pre class="small">{f.payload}</pre>
                  </details>
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
