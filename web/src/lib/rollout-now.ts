import type { Serve } from '../api/types.ts';
import { rolloutPercent } from './flag-status.ts';

interface Config {
  enabled: boolean;
  offVariant: string;
  defaultServe: Serve;
  rules: readonly unknown[];
  targets: readonly unknown[];
  prerequisites: readonly unknown[];
}

const count = (n: number, one: string) => `${n} ${one}${n > 1 ? 's' : ''}`;

/**
 * What the rollout control's "Now:" line says. The percentage is the default rule's only, so it
 * must not stand alone: "Now: 0% get on" hid a rule serving on to free/US/GB users, and
 * "100% get on — the flag is off here" claimed users got on while everyone got off.
 */
export function rolloutNow(c: Config, variant: string | undefined): string {
  const pct = rolloutPercent(c.defaultServe, c.offVariant);
  const split = pct === undefined ? 'a custom split (see the default rule below)' : `${pct}% get ${variant}`;
  if (!c.enabled) return `Off here: everyone gets ${c.offVariant}. Once it is on: ${split}.`;
  const before: string[] = [];
  if (c.prerequisites.length) before.push(`users failing ${count(c.prerequisites.length, 'prerequisite')} get ${c.offVariant}`);
  if (c.targets.length) before.push(`users in ${count(c.targets.length, 'target list')} get that list's variant`);
  if (c.rules.length) before.push(`users matching ${count(c.rules.length, 'rule')} get what the rule serves`);
  if (before.length === 0) return `Now: ${split}.`;
  return `Now: ${before.join('; ')}; of everyone else, ${split}.`;
}
