export interface Series {
  name: string;
  /** `t` treatment, `c` control, `th` threshold (dashed). */
  kind: 't' | 'c' | 'th';
  values: (number | null)[];
}

const W = 300;
const H = 100;

/** "M x y L x y …", starting a new segment after each gap; one window is drawn as a flat line across. */
function pathOf(values: (number | null)[], top: number): string {
  const vs = values.length === 1 ? [values[0] ?? null, values[0] ?? null] : values;
  let d = '';
  let pen = 'M';
  vs.forEach((v, i) => {
    if (v === null) {
      pen = 'M';
      return;
    }
    d += `${pen}${((i / (vs.length - 1)) * W).toFixed(1)} ${(H - (v / top) * H).toFixed(1)}`;
    pen = 'L';
  });
  return d;
}

/**
 * A small line chart per metrics window, inline SVG (no chart library: the app has a 32 KB budget).
 * The lines stretch with the width; values and names are HTML beside it, so text never distorts.
 */
export function ReleaseChart({ title, series, format }: { title: string; series: Series[]; format: (n: number) => string }) {
  const peak = Math.max(0, ...series.flatMap((s) => s.values.filter((v) => v !== null)));
  const top = peak * 1.1 || 1;
  const latest = (s: Series) => {
    const v = s.values.findLast((x) => x !== null);
    return v == null ? 'no data' : format(v);
  };
  const said = series.map((s) => `${s.name} ${latest(s)}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>
        {title} <span class="muted small">(top {format(peak)})</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`${title}, latest window: ${said}`}>
        {series.map((s) => (
          <path key={s.name} class={`line-${s.kind}`} d={pathOf(s.values, top)} vector-effect="non-scaling-stroke" />
        ))}
      </svg>
      <ul class="legend" aria-hidden="true">
        {series.map((s) => (
          <li key={s.name} class={`key-${s.kind}`}>
            {s.name} {latest(s)}
          </li>
        ))}
      </ul>
    </figure>
  );
}
