import { countsForRelease, type EvaluationContext, type EvaluationResult, type FlagSnapshot } from '@edgeflags/core';
import type { OutcomeRecorder, OutcomeStats } from './outcome-recorder.ts';
import { OutcomeScopes, type OutcomeUnit } from './outcome-scope.ts';
import { validEventName } from './outcome-table.ts';

/** Keys of flags under a live plan, from a snapshot that came over the network: anything odd reads as none. */
export function trackedSet(list: unknown, recording: boolean): Set<string> | undefined {
  if (!recording || !Array.isArray(list) || list.length === 0) return undefined;
  const keys = list.filter((k): k is string => typeof k === 'string');
  return keys.length > 0 ? new Set(keys) : undefined;
}

/**
 * The client's side of outcomes: scopes, attribution and `track`. The client calls `note` only
 * for tracked flags, so a flag with no live plan costs one `undefined` check per evaluation.
 */
export class ClientOutcomes {
  readonly scopes = new OutcomeScopes((unit, failed) => this.#finish(unit, failed));
  readonly #recorder: OutcomeRecorder | undefined;
  /** Events recorded outside any scope and with no context to attribute them by. */
  #unattributed = 0;
  /** Events a scope refused (past 20 names, or a name the edge refuses). */
  #refused = 0;

  constructor(recorder: OutcomeRecorder | undefined) {
    this.#recorder = recorder;
  }

  get recording(): boolean {
    return this.#recorder !== undefined;
  }

  /** A tracked flag was evaluated: the running scope (if any) counts its outcome for this variant. */
  note(key: string, r: EvaluationResult): void {
    // Only what the release compares: users its default rule serves (not rules, targets, errors or off).
    if (!countsForRelease(r)) return;
    this.scopes.unit()?.note(key, r.variant!);
  }

  /** `track` inside a scope joins the scope's outcome; outside one, a context attributes it by evaluation. */
  track(
    name: string,
    value: number | undefined,
    ctx: EvaluationContext | undefined,
    snap: FlagSnapshot | undefined,
    tracked: Set<string> | undefined,
  ): void {
    const v = typeof value === 'number' && Number.isFinite(value) ? value : 0;
    const unit = this.scopes.unit();
    if (unit !== undefined) {
      unit.track(name, v);
      return;
    }
    if (this.#recorder === undefined || !validEventName(name)) return;
    // An empty context names nobody: its variants would be a guess, not an attribution.
    if (ctx === undefined || Object.keys(ctx).length === 0 || snap === undefined || tracked === undefined) {
      this.#unattributed++;
      return;
    }
    for (const key of tracked) {
      const r = snap.evaluate(key, ctx);
      if (countsForRelease(r)) this.#recorder.event(key, r.variant!, name, v);
    }
  }

  stats(): (OutcomeStats & { unattributed: number }) | undefined {
    const s = this.#recorder?.stats();
    return s && { ...s, dropped: s.dropped + this.#refused, unattributed: this.#unattributed };
  }

  close(timeoutMs: number): Promise<void> {
    return this.#recorder?.close(timeoutMs) ?? Promise.resolve();
  }

  #finish(unit: OutcomeUnit, failed: boolean): void {
    const n = unit.flags.length;
    if (n === 0 || this.#recorder === undefined) return;
    this.#refused += unit.refused;
    const ms = performance.now() - unit.started;
    for (let i = 0; i < n; i++) this.#recorder.record(unit.flags[i]!, unit.variants[i]!, ms, failed, unit.events);
  }
}
