import { callerCap } from './caller-cap.ts';
import type { IngestBatch, IngestResult } from './ingest-types.ts';
import type { VariantAggregate } from './types.ts';
import { addInto, emptyAggregate, scaled, sumOf } from './variant-aggregate.ts';

/**
 * A release's outcomes in server-time windows (`settings.windowSeconds` long, aligned on the epoch),
 * per variant in two aggregates:
 * - `display`: everything received, for the charts;
 * - `decision`: what the statistics may act on — server-sourced outcomes, plus browser-sourced
 *   ones only when the plan opts in (`browserMetrics`), each browser caller held to
 *   `perCallerShare` of the window's decision total and to `perCallerMax` (caller-cap.ts).
 *
 * Server keys are secrets held by the operator's services (usually one key for a whole fleet),
 * so their outcomes are not share-capped: capping one caller by its share of itself would
 * discard a single-key deployment entirely. Browser keys are public, so there anyone can be a
 * caller, and the caps make a flood from one caller worth at most its share.
 *
 * Caps depend on the window's final totals, so a window keeps each browser caller's part until
 * it closes (one window after its end); closing folds the capped parts into one aggregate and
 * drops the callers. Memory is bounded: at most `MAX_CALLERS_PER_WINDOW` callers per open
 * window (later ones count for display only), and `maxWindows` windows — older ones are merged
 * into the oldest kept, so whole-release totals survive. Plain data throughout (`toJSON`/`from`),
 * for Durable Object storage.
 */

export interface WindowSettings {
  windowSeconds: number;
  browserMetrics: boolean;
  perCallerShare: number;
  /** Outcomes one browser caller may add to one variant of one window; PER_CALLER_MAX by default. */
  perCallerMax?: number;
}

export interface MetricWindow {
  start: number;
  variants: Record<string, { decision: VariantAggregate; display: VariantAggregate }>;
}

/** A page load or a request per outcome: one address rarely needs more in a window (NAT included). */
export const PER_CALLER_MAX = 1_000;
export const MAX_CALLERS_PER_WINDOW = 1_000;
const MAX_VARIANTS = 100;
const WEEK_SECONDS = 7 * 24 * 3600;

interface StoredVariant {
  /** Server-sourced: decides, uncapped. */
  server: VariantAggregate;
  /** Browser-sourced, all of it: display only. */
  client: VariantAggregate;
  /** Browser-sourced and capped, once the window closed (while open: computed from `callers`). */
  clientDecided: VariantAggregate;
}

interface StoredWindow {
  start: number;
  /** Windows merged into this one (it then spans more than one window). */
  merged?: number;
  closed: boolean;
  variants: Record<string, StoredVariant>;
  /** Open windows only, browser data eligible to decide: caller → variant → outcomes. */
  callers: Record<string, Record<string, VariantAggregate>>;
}

export interface MetricWindowsData {
  windows: StoredWindow[];
  settings: WindowSettings | null;
}

export class MetricWindows {
  private readonly list: StoredWindow[];
  private settings: WindowSettings | null;

  constructor(data: MetricWindowsData = { windows: [], settings: null }) {
    this.list = data.windows;
    this.settings = data.settings;
  }

  static from(data: MetricWindowsData): MetricWindows {
    return new MetricWindows(structuredClone(data));
  }

  toJSON(): MetricWindowsData {
    return { windows: this.list, settings: this.settings };
  }

  /** Adds one flag's summaries from one caller. Summaries older than every kept window are dropped. */
  add(batch: IngestBatch, settings: WindowSettings): IngestResult {
    this.settings = settings;
    const windowMs = settings.windowSeconds * 1000;
    const start = Math.floor(batch.receivedAt / windowMs) * windowMs;
    const w = this.windowAt(start);
    if (!w) return { accepted: 0, dropped: batch.summaries.length };
    const client = batch.source === 'client';
    const decides = client && settings.browserMetrics && !w.closed && this.admits(w, batch.caller);
    let accepted = 0;
    for (const s of batch.summaries) {
      const v = w.variants[s.variant] ?? this.newVariant(w, s.variant);
      if (!v) continue;
      accepted++;
      addInto(client ? v.client : v.server, s);
      if (decides) addInto(callerPart(w, batch.caller, s.variant), s);
    }
    this.close(batch.receivedAt);
    return { accepted, dropped: batch.summaries.length - accepted };
  }

  /** Every kept window, oldest first, with decision and display aggregates per variant. */
  windows(): MetricWindow[] {
    return this.list.map((w) => ({
      start: w.start,
      variants: Object.fromEntries(
        Object.entries(w.variants).map(([name, v]) => [
          name,
          { decision: sumOf(v.server, w.closed ? v.clientDecided : this.cappedClient(w, name)), display: sumOf(v.server, v.client) },
        ]),
      ),
    }));
  }

  /**
   * Closes every window that ended at least one window before `now` (late messages from the
   * queue still land while it is open), folding its capped browser parts into one aggregate.
   */
  close(now: number): void {
    const windowMs = (this.settings?.windowSeconds ?? 60) * 1000;
    for (const w of this.list) if (w.start + 2 * windowMs <= now) this.closeOne(w);
  }

  /** Browser callers' parts of one variant after the caps; empty unless the plan opted in. */
  private cappedClient(w: StoredWindow, variant: string): VariantAggregate {
    const settings = this.settings;
    const out = emptyAggregate();
    if (!settings?.browserMetrics) return out;
    const parts: VariantAggregate[] = [];
    for (const byVariant of Object.values(w.callers)) {
      const p = Object.hasOwn(byVariant, variant) ? byVariant[variant] : undefined;
      if (p) parts.push(p);
    }
    const fixed = w.variants[variant]?.server.count ?? 0;
    const cap = callerCap(
      parts.map((p) => p.count),
      settings.perCallerShare,
      fixed,
      settings.perCallerMax ?? PER_CALLER_MAX,
    );
    for (const p of parts) addInto(out, scaled(p, p.count <= cap ? 1 : cap / p.count));
    return out;
  }

  private admits(w: StoredWindow, caller: string): boolean {
    return Object.hasOwn(w.callers, caller) || Object.keys(w.callers).length < MAX_CALLERS_PER_WINDOW;
  }

  private newVariant(w: StoredWindow, name: string): StoredVariant | undefined {
    if (Object.keys(w.variants).length >= MAX_VARIANTS) return undefined;
    const v: StoredVariant = { server: emptyAggregate(), client: emptyAggregate(), clientDecided: emptyAggregate() };
    w.variants[name] = v;
    return v;
  }

  /** The window starting at `start`, created in order; undefined when older than all kept. */
  private windowAt(start: number): StoredWindow | undefined {
    let i = this.list.length;
    while (i > 0 && (this.list[i - 1] as StoredWindow).start > start) i--;
    const before = this.list[i - 1];
    if (before && before.start === start) return before;
    if (i === 0 && this.list.length >= this.maxWindows()) return undefined;
    const w: StoredWindow = { start, closed: false, variants: {}, callers: {} };
    this.list.splice(i, 0, w);
    while (this.list.length > this.maxWindows()) this.mergeOldest();
    return w;
  }

  /** A week of windows, at most 10,000. */
  private maxWindows(): number {
    return Math.min(10_000, Math.ceil(WEEK_SECONDS / (this.settings?.windowSeconds ?? 60)));
  }

  /** Folds the oldest window into the next (which takes the older start), both closed first. */
  private mergeOldest(): void {
    const [oldest, next] = this.list as [StoredWindow, StoredWindow];
    this.closeOne(oldest);
    this.closeOne(next);
    for (const [name, v] of Object.entries(oldest.variants)) {
      const into = next.variants[name] ?? this.newVariant(next, name);
      if (!into) continue;
      addInto(into.server, v.server);
      addInto(into.client, v.client);
      addInto(into.clientDecided, v.clientDecided);
    }
    next.start = oldest.start;
    next.merged = (next.merged ?? 0) + (oldest.merged ?? 0) + 1;
    this.list.shift();
  }

  private closeOne(w: StoredWindow): void {
    if (w.closed) return;
    for (const [name, v] of Object.entries(w.variants)) v.clientDecided = this.cappedClient(w, name);
    w.callers = {};
    w.closed = true;
  }
}

function callerPart(w: StoredWindow, caller: string, variant: string): VariantAggregate {
  const byVariant = Object.hasOwn(w.callers, caller) ? (w.callers[caller] as Record<string, VariantAggregate>) : {};
  w.callers[caller] = byVariant;
  const part = Object.hasOwn(byVariant, variant) ? (byVariant[variant] as VariantAggregate) : emptyAggregate();
  byVariant[variant] = part;
  return part;
}
