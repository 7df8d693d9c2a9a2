import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Issue } from '../api/client.ts';
import type { Policies, PolicyReport } from '../api/governance-types.ts';
import { useSession } from '../app-context.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { FieldError } from '../components/field-error.tsx';
import { Link } from '../components/link.tsx';
import { useAsync } from '../hooks/use-async.ts';
import { formError } from '../lib/issues.ts';
import '../styles/policies.css';

type Section = keyof Policies;
type Value = boolean | number | null | string | string[];

/** Each setting in words, in the order shown (docs/policies.md). */
const LABELS: Record<Section, Record<string, string>> = {
  naming: { pattern: 'Key pattern (RE2; checked when a flag is created)', hint: 'The pattern in words, shown with a refusal' },
  release: {
    ownerRequired: 'An owner is required',
    expiryRequired: 'An expiry date is required',
    defaultExpiryDays: 'Expiry when none is given (days after creation; empty: none)',
    productionRolloutNeedsPlan: 'Percentage rollouts in production go through a release plan with health checks',
  },
  experiment: { endDateRequired: 'An end date is required', primaryMetricRequired: 'A primary metric is required' },
  ops: { protectiveStateRequired: 'Its protective state is declared', neverStale: 'Never reported stale' },
  permission: { noPercentageSplits: 'No percentage splits', neverStale: 'Never reported stale' },
  migration: { stages: 'Stages in order (comma-separated variant names)', oneStageAtATime: 'Moves one stage at a time (back: always)' },
};
const SECTIONS: Record<Section, string> = {
  naming: 'Naming',
  release: 'Release flags',
  experiment: 'Experiments',
  ops: 'Ops flags',
  permission: 'Permission flags',
  migration: 'Migrations',
};

/**
 * The flag policies the server enforces on every write (PUT for admins) and the flags that break
 * them today: made before a policy, they are reported here and never blocked.
 */
export function PoliciesPage() {
  const { api, me } = useSession();
  const stored = useAsync(() => api.policies(), []);
  const report = useAsync(() => api.policyReport(), []);
  const [draft, setDraft] = useState<Policies>();
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const { notify } = useSession();
  useEffect(() => setDraft(stored.data?.policies), [stored.data]);
  const admin = me.role === 'admin';
  const set = (section: Section, key: string, value: Value) =>
    draft && setDraft({ ...draft, [section]: { ...draft[section], [key]: value } } as Policies);
  const save = async () => {
    if (!draft || !stored.data) return;
    setBusy(true);
    setIssues([]);
    setError(undefined);
    try {
      await api.putPolicies(draft, stored.data.version);
      notify('Saved the policies: every write from now on is checked against them.');
      await Promise.all([stored.reload(true), report.reload(true)]);
    } catch (e) {
      if (e instanceof ApiError) setIssues(e.issues);
      setError(formError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="page">
      <div class="page-head">
        <h1>Policies</h1>
      </div>
      <ErrorNote error={stored.error ?? report.error} />
      {report.data && <Report report={report.data} />}
      {draft && (
        <form
          class="panel grid-form"
          aria-label="Policies"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          {(Object.keys(LABELS) as Section[]).map((section) => (
            <fieldset key={section} class="span-2">
              <legend>{SECTIONS[section]}</legend>
              {Object.entries(LABELS[section]).map(([key, label]) => (
                <Setting
                  key={key}
                  id={`policy-${section}-${key}`}
                  label={label}
                  value={(draft[section] as Record<string, Value>)[key] as Value}
                  disabled={!admin || busy}
                  issues={issues}
                  path={`policies.${section}.${key}`}
                  onChange={(v) => set(section, key, v)}
                />
              ))}
            </fieldset>
          ))}
          {error && (
            <p class="error-note span-2" role="alert">
              {error}
            </p>
          )}
          {admin ? (
            <div class="span-2">
              <button type="submit" class="btn btn-primary" disabled={busy}>
                {busy ? 'Saving…' : 'Save policies'}
              </button>
            </div>
          ) : (
            <p class="muted span-2">Only admins change the policies.</p>
          )}
        </form>
      )}
    </section>
  );
}

function Setting(props: {
  id: string;
  label: string;
  value: Value;
  disabled: boolean;
  issues: Issue[];
  path: string;
  onChange: (v: Value) => void;
}) {
  const { id, label, value, disabled, issues, path, onChange } = props;
  const error = <FieldError issues={issues} path={path} id={`${id}-error`} />;
  if (typeof value === 'boolean')
    return (
      <label class="check">
        <input id={id} type="checkbox" checked={value} disabled={disabled} onChange={(e) => onChange(e.currentTarget.checked)} />
        {label}
        {error}
      </label>
    );
  const numeric = typeof value === 'number' || value === null;
  const text = Array.isArray(value) ? value.join(', ') : value === null ? '' : String(value);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        value={text}
        inputMode={numeric ? 'numeric' : undefined}
        disabled={disabled}
        aria-describedby={`${id}-error`}
        onInput={(e) => {
          const raw = e.currentTarget.value;
          if (Array.isArray(value))
            onChange(
              raw
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            );
          else onChange(numeric ? (raw === '' ? null : Number(raw)) : raw);
        }}
      />
      {error}
    </div>
  );
}

function Report({ report }: { report: PolicyReport }) {
  if (report.flags.length === 0) return <p class="empty">Every live flag follows the policies.</p>;
  return (
    <>
      <p>
        {report.flags.length} live flags break a policy made after them (or changed since). They keep working; a change that touches what a
        rule is about must follow it.
      </p>
      <table class="table">
        <caption class="visually-hidden">Flags that break a policy</caption>
        <thead>
          <tr>
            <th scope="col">Flag</th>
            <th scope="col">Owner</th>
            <th scope="col">What to fix</th>
          </tr>
        </thead>
        <tbody>
          {report.flags.map((f) => (
            <tr key={f.key}>
              <th scope="row">
                <Link href={`/flags/${encodeURIComponent(f.key)}`}>{f.key}</Link> <span class="muted">{f.type}</span>
              </th>
              <td>{f.owner || '—'}</td>
              <td>
                <ul class="plain-list">
                  {f.violations.map((v) => (
                    <li key={`${v.rule}${v.environment ?? ''}`}>
                      {v.message}
                      {v.environment && ` (in ${v.environment})`} <code>{v.rule}</code>
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
