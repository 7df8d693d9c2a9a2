import { useState } from 'preact/hooks';
import type { EvaluateResponse } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { RecentContextPicker } from './recent-context-picker.tsx';

const EXAMPLE = '{\n  "targetingKey": "user-1",\n  "accountId": "acct-17621",\n  "plan": "free",\n  "country": "GB"\n}';

/** Who gets what: a context in, every (or one) flag's value and reason out, from the live snapshot. */
export function ContextEvaluator({ env, flagKey }: { env: string; flagKey?: string }) {
  const { api } = useSession();
  const [text, setText] = useState(EXAMPLE);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<EvaluateResponse>();
  const run = async () => {
    setError(undefined);
    let context: Record<string, unknown>;
    try {
      context = JSON.parse(text);
      if (typeof context !== 'object' || context === null || Array.isArray(context)) throw new Error('the context must be a JSON object');
    } catch (e) {
      setError(`Context is not valid JSON: ${(e as Error).message}`);
      return;
    }
    try {
      setResult(await api.evaluate(env, context, flagKey ? [flagKey] : undefined));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const id = flagKey ? 'eval-flag' : 'eval-all';
  return (
    <form
      class="evaluator"
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      <RecentContextPicker id={`${id}-recent`} env={env} onPick={(context) => setText(JSON.stringify(context, null, 2))} />
      <label for={`${id}-context`}>Context (JSON attributes)</label>
      <textarea
        id={`${id}-context`}
        rows={6}
        class="mono"
        spellcheck={false}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="btn">
        Evaluate in {env}
      </button>
      {result && (
        <div class="table-wrap">
          <table class="table eval-table">
            <caption class="visually-hidden">Results at snapshot version {result.version}</caption>
            <thead>
              <tr>
                <th scope="col">Flag</th>
                <th scope="col">Value</th>
                <th scope="col">Variant</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {Object.values(result.results).map((r) => (
                <tr key={r.key}>
                  <td>
                    <code>{r.key}</code>
                  </td>
                  <td data-label="Value">
                    <code>{JSON.stringify(r.value)}</code>
                  </td>
                  <td data-label="Variant">{r.variant ?? '—'}</td>
                  <td data-label="Reason">
                    <span class={`reason reason-${r.reason.toLowerCase()}`}>{r.reason}</span>
                    {r.ruleIndex !== undefined && <span class="muted"> rule {r.ruleIndex + 1}</span>}
                    {r.errorMessage && <span class="muted"> {r.errorMessage}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </form>
  );
}
