import type { FlagDefinition, Snapshot } from './types.ts';

/**
 * Scheduled switches ride in the snapshot so they happen even when the control plane is down:
 * every evaluator (edge, Node, a server rendering for a browser) resolves them against the time it
 * is given. Core never reads a clock: callers pass `now` (epoch ms).
 */

/** The snapshot as it evaluates at `now`: every switch whose instant has come applied. Same object when none has. */
export function snapshotAt(snapshot: Snapshot, now: number): Snapshot {
  let flags: FlagDefinition[] | undefined;
  snapshot.flags.forEach((flag, i) => {
    const s = flag.scheduledSwitch;
    if (s === undefined || !(now >= s.at)) return;
    flags ??= [...snapshot.flags];
    flags[i] = switched(flag);
  });
  return flags === undefined ? snapshot : { ...snapshot, flags };
}

/** The flag after its switch: the switched fields in place, the switch itself gone. */
export function switched(flag: FlagDefinition): FlagDefinition {
  const { scheduledSwitch, ...rest } = flag;
  if (scheduledSwitch === undefined) return flag;
  const { bucketBy, ...config } = scheduledSwitch.config;
  const next: FlagDefinition = { ...rest, ...config };
  if (typeof bucketBy === 'string') next.bucketBy = bucketBy;
  else if (bucketBy === null) delete next.bucketBy;
  // Emptied lists and a cleared bucketBy mean "none", as the snapshot builder leaves them out.
  for (const k of ['prerequisites', 'targets', 'rules'] as const) if (next[k]?.length === 0) delete next[k];
  return next;
}

/** The earliest switch instant after `now` (undefined when none is pending). */
export function nextSwitchAt(snapshot: Snapshot, now: number): number | undefined {
  let next: number | undefined;
  for (const flag of snapshot.flags) {
    const at = flag.scheduledSwitch?.at;
    if (typeof at === 'number' && at > now && (next === undefined || at < next)) next = at;
  }
  return next;
}

/** The latest switch instant at or before `now` (0 when none applied): it names the phase in ETags. */
export function lastSwitchAt(snapshot: Snapshot, now: number): number {
  let last = 0;
  for (const flag of snapshot.flags) {
    const at = flag.scheduledSwitch?.at;
    if (typeof at === 'number' && at <= now && at > last) last = at;
  }
  return last;
}
