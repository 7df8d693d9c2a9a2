import type { StageEvidence, VariantEvidence } from '../api/types.ts';
import { evidenceLines, num } from '../lib/release-state.ts';

const pct = (x: number | null) => (x === null ? '—' : num(x, true));
const interval = (i: [number, number] | null | undefined, f: (x: number) => string) => (i ? ` [${f(i[0])}–${f(i[1])}]` : '');
const ms = (x: number | null) => (x === null ? '—' : `${num(x)} ms`);

function variant(name: string, v: VariantEvidence) {
  return (
    <li>
      {name}: {num(v.count)} requests, {num(v.errors)} errors ({pct(v.errorRate)}
      {interval(v.errorRateInterval, (x) => num(x, true))}), p95 {ms(v.p95)}, p99 {ms(v.p99)}
    </li>
  );
}

/** A conductor decision's evidence in words; anything else (a person's reason) as label/value pairs. */
export function DecisionEvidence({ evidence }: { evidence: Record<string, unknown> }) {
  if (!('sprt' in evidence && 'treatment' in evidence)) {
    return (
      <ul class="evidence">
        {evidenceLines(evidence).map(([k, v]) => (
          <li key={k}>
            {k}: {v}
          </li>
        ))}
      </ul>
    );
  }
  const e = evidence as unknown as StageEvidence;
  const s = e.sprt;
  return (
    <ul class="evidence">
      {variant('treatment', e.treatment)}
      {variant('control', e.control)}
      <li>
        error ratio {s.ratio === null ? '—' : num(s.ratio)}
        {interval(s.ratioInterval, num)} · test {s.status.replace('_', ' ')}: log-likelihood ratio {num(s.llr)} (rolls back at ≥{' '}
        {num(s.upper)}, healthy at ≤ {num(s.lower)}, α {num(s.alphaStage)})
      </li>
      {e.checks.map((c) => (
        <li key={c.rule + (c.name ?? '')} class={`check-${c.status}`}>
          {c.name ?? c.rule} {c.status.replace('_', ' ')}: {c.observed === null ? '—' : num(c.observed)}
          {c.threshold !== null && ` against ${num(c.threshold)}`}
          {interval(c.interval, num)}
          {c.note && ` (${c.note})`}
        </li>
      ))}
      <li>
        {e.windows} windows, {Math.round(e.elapsedMs / 1000)} s of at least {e.minDurationMs / 1000} s, at least {num(e.minSamples)} samples
        per variant
      </li>
    </ul>
  );
}
