import type { ConfigRow, FlagRow } from '../api/types.ts';
import { serveLabel } from './flag-status.ts';

/**
 * A flag's protective state is where it goes in an emergency: off for a kill switch (the
 * default), on for a flag that declares it (a maintenance switch, where on is disruptive).
 * Moving there is never refused for a stale version; every other move is version-guarded.
 */
export function isProtectiveMove(flag: Pick<FlagRow, 'protectiveState'>, enabled: boolean): boolean {
  return enabled === ((flag.protectiveState ?? 'off') === 'on');
}

/** What an enabled environment serves, e.g. "2 rules, then default off" or "25% on". */
export function onLabel(c: Pick<ConfigRow, 'defaultServe' | 'offVariant' | 'rules'>): string {
  const serve = serveLabel(c.defaultServe, c.offVariant);
  const n = c.rules.length;
  const first = n > 0 ? `${n} rule${n > 1 ? 's' : ''}, then ` : '';
  return `${first}${serve === c.offVariant ? `default ${serve}` : serve}`;
}

/** The emergency action's short name, for titles. */
export const emergencyName = (flag: Pick<FlagRow, 'protectiveState'>) => (flag.protectiveState === 'on' ? 'Emergency on' : 'Kill switch');

/** The emergency action's name, as on its button: "Kill switch — serve off to everyone". */
export function emergencyLabel(
  flag: Pick<FlagRow, 'protectiveState'>,
  c: Pick<ConfigRow, 'defaultServe' | 'offVariant' | 'rules'>,
): string {
  return flag.protectiveState === 'on' ? `Emergency on — serve ${onLabel(c)}` : `Kill switch — serve ${c.offVariant} to everyone`;
}

/** What the move does to users, in one sentence (the dialog says where and that it is at once). */
export function moveEffect(
  flag: Pick<FlagRow, 'protectiveState'>,
  c: Pick<ConfigRow, 'defaultServe' | 'offVariant' | 'rules' | 'targets'>,
  enabled: boolean,
): string {
  if (!enabled) return `Everyone is served "${c.offVariant}", whatever the targeting and rollout say.`;
  const serves = `targeting applies again: ${onLabel(c)}.`;
  return flag.protectiveState === 'on'
    ? `This flag's protective state is ON (e.g. a maintenance switch): turning it on is disruptive for every user; ${serves}`
    : `Users get what the flag is configured to serve; ${serves}`;
}
