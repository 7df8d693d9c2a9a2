/**
 * A mergeable latency sketch (DDSketch, Masson et al. 2019): a value x > 0 falls in bucket
 * i = ceil(log_γ x) with γ = (1 + α) / (1 − α), and every bucket's representative 2γ^i / (γ + 1)
 * lies within relative accuracy α of each value in it. So a quantile is within α of the exact
 * one, merging two sketches is adding counts (exact: the merge equals the sketch of both data
 * sets), and an SDK carries a few hundred counters instead of samples.
 *
 * @example
 * const s = new LatencySketch();
 * for (const ms of [12, 15, 230]) s.add(ms);
 * s.quantile(0.95); // ≈ 230, within 2%
 * const wire = s.toJSON(); // { a: 0.02, b: { '62': 1, ... }, z: 0, n: 3, s: 257 }
 * LatencySketch.from(wire).quantile(0.5);
 */

/** The wire form. Bucket keys are integer indices as strings. */
export interface SketchData {
  /** Relative accuracy α. */
  a: number;
  /** Bucket index → count. */
  b: Record<string, number>;
  /** Count of values ≤ 0. */
  z: number;
  /** Count of all values. */
  n: number;
  /** Sum of values, ms. */
  s: number;
}

export const SKETCH_RELATIVE_ACCURACY = 0.02;
/**
 * Memory bound. At α = 2% one bucket spans 4%, so 2,048 buckets cover a ratio of e^82 between the
 * fastest and slowest value: collapsing (the lowest buckets merge) never happens for latencies,
 * but a hostile or broken caller still cannot grow a sketch without bound.
 */
export const SKETCH_MAX_BUCKETS = 2048;
/** |index| of any finite positive double at α = 2% is below 18,600 (ln 5e-324 / ln γ). */
export const SKETCH_MAX_INDEX = 20_000;

export class LatencySketch {
  readonly relativeAccuracy: number;
  private readonly logGamma: number;
  private readonly buckets = new Map<number, number>();
  private zeros = 0;
  private total = 0;
  private sum = 0;

  constructor(relativeAccuracy = SKETCH_RELATIVE_ACCURACY) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) throw new RangeError('relativeAccuracy must lie in (0, 1)');
    this.relativeAccuracy = relativeAccuracy;
    this.logGamma = Math.log((1 + relativeAccuracy) / (1 - relativeAccuracy));
  }

  get count(): number {
    return this.total;
  }

  /** Records one value in ms. NaN and ±Infinity are ignored: one bad timer must not poison a window. */
  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.total++;
    this.sum += ms;
    if (ms <= 0) {
      this.zeros++;
      return;
    }
    const i = Math.ceil(Math.log(ms) / this.logGamma);
    this.buckets.set(i, (this.buckets.get(i) ?? 0) + 1);
    if (this.buckets.size > SKETCH_MAX_BUCKETS) this.collapse();
  }

  /** Adds `other` into this sketch. Both must share the relative accuracy (the bucket boundaries). */
  merge(other: LatencySketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy) throw new RangeError('sketches with different relative accuracy cannot merge');
    for (const [i, c] of other.buckets) this.buckets.set(i, (this.buckets.get(i) ?? 0) + c);
    this.zeros += other.zeros;
    this.total += other.total;
    this.sum += other.sum;
    if (this.buckets.size > SKETCH_MAX_BUCKETS) this.collapse();
  }

  /**
   * The value at rank ⌊q·(n − 1)⌋ of the sorted data, within relative accuracy α (0 for values
   * ≤ 0); undefined when empty or q is outside [0, 1].
   */
  quantile(q: number): number | undefined {
    if (this.total === 0 || !(q >= 0 && q <= 1)) return undefined;
    const rank = Math.floor(q * (this.total - 1));
    if (rank < this.zeros) return 0;
    let seen = this.zeros;
    const indices = [...this.buckets.keys()].sort((x, y) => x - y);
    for (const i of indices) {
      seen += this.buckets.get(i) ?? 0;
      if (seen > rank) return this.valueOf(i);
    }
    // Counts and n disagree only in a sketch built from inconsistent data: answer the top bucket.
    const top = indices[indices.length - 1];
    return top === undefined ? 0 : this.valueOf(top);
  }

  toJSON(): SketchData {
    const b: Record<string, number> = {};
    for (const i of [...this.buckets.keys()].sort((x, y) => x - y)) b[i] = this.buckets.get(i) ?? 0;
    return { a: this.relativeAccuracy, b, z: this.zeros, n: this.total, s: this.sum };
  }

  /** Rebuilds a sketch from its wire form. Callers at a trust boundary validate `d` first. */
  static from(d: SketchData): LatencySketch {
    const sketch = new LatencySketch(d.a);
    for (const [k, c] of Object.entries(d.b)) {
      const i = Number(k);
      if (Number.isInteger(i) && c > 0) sketch.buckets.set(i, (sketch.buckets.get(i) ?? 0) + c);
    }
    sketch.zeros = d.z;
    sketch.total = d.n;
    sketch.sum = d.s;
    if (sketch.buckets.size > SKETCH_MAX_BUCKETS) sketch.collapse();
    return sketch;
  }

  private valueOf(i: number): number {
    const gamma = Math.exp(this.logGamma);
    return (2 * gamma ** i) / (gamma + 1);
  }

  /**
   * Folds the lowest buckets into the lowest one kept, so the highest quantiles (p95, p99, what
   * releases check) stay within α. Keeping the top SKETCH_MAX_BUCKETS indices of the union makes
   * merge-then-collapse equal collapse-then-merge.
   */
  private collapse(): void {
    const indices = [...this.buckets.keys()].sort((x, y) => x - y);
    const cut = indices.length - SKETCH_MAX_BUCKETS;
    const keep = indices[cut] as number;
    let folded = 0;
    for (const i of indices.slice(0, cut)) {
      folded += this.buckets.get(i) ?? 0;
      this.buckets.delete(i);
    }
    this.buckets.set(keep, (this.buckets.get(keep) ?? 0) + folded);
  }
}
