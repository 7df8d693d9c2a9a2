import { LatencySketch } from '@edgeflags/core';
import type { VariantAggregate } from '../types.ts';
import { windowLlr } from './sprt.ts';
import type { StageWindow } from './types.ts';

/** One variant's outcomes summed over a stage's windows; latency sketches merged exactly. */
export class VariantTotals {
  count = 0;
  errors = 0;
  latency: LatencySketch | null = null;
  readonly events = new Map<string, { count: number; sum: number }>();

  add(v: VariantAggregate): void {
    this.count += v.count;
    this.errors += v.errors;
    if (v.latency && v.latency.n > 0) {
      const sketch = LatencySketch.from(v.latency);
      if (!this.latency) this.latency = sketch;
      else if (this.latency.relativeAccuracy === sketch.relativeAccuracy) this.latency.merge(sketch);
    }
    for (const [name, e] of Object.entries(v.events)) {
      const held = this.events.get(name);
      if (held) {
        held.count += e.count;
        held.sum += e.sum;
      } else this.events.set(name, { count: e.count, sum: e.sum });
    }
  }
}

/**
 * A stage's evidence so far, built one window at a time. decideStage replays the stage's windows
 * into it; the simulation feeds it counts directly (addCounts), so both run the same arithmetic.
 */
export class StageTotals {
  windows = 0;
  llr = 0;
  readonly treatment = new VariantTotals();
  readonly control = new VariantTotals();

  /** @param lambda1 the error-rate ratio the test is built to catch (H1). */
  constructor(readonly lambda1: number) {}

  add(w: StageWindow): void {
    this.treatment.add(w.treatment);
    this.control.add(w.control);
    this.windows++;
    this.llr += windowLlr(w.treatment.count, w.treatment.errors, w.control.count, w.control.errors, this.lambda1);
  }

  /** Requests and errors only: what the ratio test reads. */
  addCounts(nT: number, eT: number, nC: number, eC: number): void {
    this.treatment.count += nT;
    this.treatment.errors += eT;
    this.control.count += nC;
    this.control.errors += eC;
    this.windows++;
    this.llr += windowLlr(nT, eT, nC, eC, this.lambda1);
  }
}
