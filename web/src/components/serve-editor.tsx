import type { Issue } from '../api/client.ts';
import type { Serve } from '../api/types.ts';
import { FieldError } from './field-error.tsx';

interface Props {
  id: string;
  label: string;
  serve: Serve;
  variants: string[];
  issues: readonly Issue[];
  path: string;
  disabled: boolean;
  onChange: (s: Serve) => void;
}

/** What a rule (or the default rule) serves: one variant, or a weighted split of variants. */
export function ServeEditor({ id, label, serve, variants, issues, path, disabled, onChange }: Props) {
  const isSplit = serve.split !== undefined;
  const split = serve.split ?? [];
  const total = split.reduce((s, w) => s + w.weight, 0);
  return (
    <fieldset class="serve" disabled={disabled}>
      <legend>{label}</legend>
      <div class="row">
        <label class="visually-hidden" for={`${id}-mode`}>
          {label}: mode
        </label>
        <select
          id={`${id}-mode`}
          value={isSplit ? 'split' : 'variant'}
          onChange={(e) =>
            onChange(
              e.currentTarget.value === 'split'
                ? {
                    split: variants.map((v, i) => ({ variant: v, weight: i === 0 ? 100 : 0 })),
                    ...(serve.bucketBy ? { bucketBy: serve.bucketBy } : {}),
                  }
                : { variant: split[0]?.variant ?? variants[0] ?? '' },
            )
          }
        >
          <option value="variant">Serve a variant</option>
          <option value="split">Split by percentage</option>
        </select>
        {!isSplit && (
          <>
            <label class="visually-hidden" for={`${id}-variant`}>
              {label}: variant
            </label>
            <select id={`${id}-variant`} value={serve.variant} onChange={(e) => onChange({ variant: e.currentTarget.value })}>
              {variants.map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </>
        )}
      </div>
      {isSplit && (
        <div class="weights">
          {split.map((w, i) => (
            <div class="weight" key={w.variant}>
              <label for={`${id}-w-${i}`}>{w.variant}</label>
              <input
                id={`${id}-w-${i}`}
                type="number"
                inputMode="decimal"
                min="0"
                max="100"
                step="any"
                value={w.weight}
                onInput={(e) => {
                  const next = split.map((x, j) => (j === i ? { ...x, weight: Number(e.currentTarget.value) } : x));
                  onChange({ ...serve, split: next });
                }}
              />
              <span aria-hidden="true">%</span>
            </div>
          ))}
          <span class={`muted ${Math.abs(total - 100) > 1e-9 ? 'warn-text' : ''}`}>Total {Math.round(total * 1000) / 1000}%</span>
        </div>
      )}
      <FieldError issues={issues} path={path} />
    </fieldset>
  );
}
