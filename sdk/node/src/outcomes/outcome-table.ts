import { LatencySketch, METRICS_LIMITS, type MetricsPayload, type OutcomeSummary } from '@edgeflags/core';

/** Named business events of one scope or cell: how many, and the sum of their values. */
export type EventTotals = Map<string, { count: number; sum: number }>;

export interface TableStats {
  /** Cells (flag × variant) live in the current window. */
  cells: number;
  /** Outcomes not recorded: the cell cap was reached, a cell was full, or an event name was refused. */
  dropped: number;
}

/** Names the edge refuses (METRICS_LIMITS, metrics-schema.ts) are dropped here rather than getting a whole payload refused. */
export const validEventName = (name: unknown): name is string =>
  typeof name === 'string' && name.length > 0 && name.length <= METRICS_LIMITS.eventNameLength && name !== '__proto__';

/** Adds one event into totals holding at most METRICS_LIMITS.eventNames names; false when refused. */
export function addEvent(totals: EventTotals, name: string, count: number, sum: number): boolean {
  const e = totals.get(name);
  if (e === undefined) {
    if (totals.size >= METRICS_LIMITS.eventNames) return false;
    totals.set(name, { count, sum });
    return true;
  }
  e.count += count;
  // A value that would overflow the sum is kept out of it (the edge refuses a non-finite sum).
  if (Number.isFinite(e.sum + sum)) e.sum += sum;
  return true;
}

class Cell {
  count = 0;
  errors = 0;
  latency: LatencySketch | undefined = undefined;
  events: EventTotals | undefined = undefined;
  readonly flag: string;
  readonly variant: string;

  constructor(flag: string, variant: string) {
    this.flag = flag;
    this.variant = variant;
  }

  summary(): OutcomeSummary {
    const s: OutcomeSummary = { flag: this.flag, variant: this.variant, count: this.count, errors: this.errors };
    if (this.latency !== undefined && this.latency.count > 0) s.latency = this.latency.toJSON();
    if (this.events !== undefined && this.events.size > 0) {
      const events: Record<string, { count: number; sum: number }> = {};
      for (const [name, e] of this.events) events[name] = { count: e.count, sum: e.sum };
      s.events = events;
    }
    return s;
  }
}

/**
 * Outcomes pre-aggregated per flag × variant over one window: a counter pair, a latency sketch
 * and at most 20 event totals per cell, whatever the traffic. Memory is bounded by `maxCells`
 * (new cells beyond it are dropped and counted); a cell whose count reaches the edge's
 * per-summary bound refuses more and reports `full`, so the owner ends the window early.
 * Pure: time is passed in.
 */
export class OutcomeTable {
  /** flag → variant → cell: two lookups, no key string built per record. */
  #cells = new Map<string, Map<string, Cell>>();
  #size = 0;
  #startedAt: number;
  #dropped = 0;
  #full = false;

  readonly maxCells: number;

  constructor(maxCells: number, now: number) {
    this.maxCells = maxCells;
    this.#startedAt = now;
  }

  get size(): number {
    return this.#size;
  }

  /** A cell reached METRICS_LIMITS.count: send this window now. */
  get full(): boolean {
    return this.#full;
  }

  get startedAt(): number {
    return this.#startedAt;
  }

  stats(): TableStats {
    return { cells: this.#size, dropped: this.#dropped };
  }

  /** One request (or page) for which `flag` served `variant`: its duration, whether it failed, its events. */
  record(flag: string, variant: string, ms: number | undefined, failed: boolean, events: EventTotals | undefined): void {
    const cell = this.#cell(flag, variant);
    if (cell === undefined || cell.count >= METRICS_LIMITS.count) {
      this.#dropped++;
      return;
    }
    cell.count++;
    if (failed) cell.errors++;
    if (ms !== undefined) {
      cell.latency ??= new LatencySketch();
      cell.latency.add(ms);
    }
    if (events !== undefined) for (const [name, e] of events) this.#event(cell, name, e.count, e.sum);
    if (cell.count >= METRICS_LIMITS.count) this.#full = true;
  }

  /** An event attributed without a request of its own (e.g. OpenFeature `track` with a context). */
  event(flag: string, variant: string, name: string, value: number): void {
    const cell = this.#cell(flag, variant);
    if (cell === undefined) this.#dropped++;
    else this.#event(cell, name, 1, value);
  }

  /** Folds summaries back in (a send that must be retried), within the same bounds. */
  absorb(summaries: readonly OutcomeSummary[], startedAt: number): void {
    this.#startedAt = Math.min(this.#startedAt, startedAt);
    for (const s of summaries) {
      const cell = this.#cell(s.flag, s.variant);
      if (cell === undefined || cell.count + s.count > METRICS_LIMITS.count) {
        this.#dropped += s.count;
        continue;
      }
      cell.count += s.count;
      cell.errors += s.errors;
      if (s.latency) {
        cell.latency ??= new LatencySketch();
        cell.latency.merge(LatencySketch.from(s.latency));
      }
      for (const name in s.events) this.#event(cell, name, s.events[name]!.count, s.events[name]!.sum);
    }
  }

  /** Ends the window: its summaries (empty when nothing was recorded) and how long it ran. */
  take(now: number): MetricsPayload & { startedAt: number } {
    const summaries: OutcomeSummary[] = [];
    for (const variants of this.#cells.values()) for (const cell of variants.values()) summaries.push(cell.summary());
    const startedAt = this.#startedAt;
    this.#cells = new Map();
    this.#size = 0;
    this.#startedAt = now;
    this.#full = false;
    return { windowMs: Math.max(1, Math.round(now - startedAt)), summaries, startedAt };
  }

  #cell(flag: string, variant: string): Cell | undefined {
    let variants = this.#cells.get(flag);
    let cell = variants?.get(variant);
    if (cell === undefined) {
      if (this.#size >= this.maxCells) return undefined;
      if (variants === undefined) {
        variants = new Map();
        this.#cells.set(flag, variants);
      }
      cell = new Cell(flag, variant);
      variants.set(variant, cell);
      this.#size++;
    }
    return cell;
  }

  #event(cell: Cell, name: string, count: number, sum: number): void {
    cell.events ??= new Map();
    if (!addEvent(cell.events, name, count, sum)) this.#dropped++;
  }
}
