import type { Me } from './types.ts';

/** Whether this token may change flags in `env` (mirrors assertCanWrite in the Worker). */
export function canWrite(me: Me, env: { production: boolean } | undefined): boolean {
  if (me.role === 'viewer') return false;
  return !env?.production || me.productionAccess || me.role === 'admin';
}

/**
 * Whether this token may make a change every environment serves (variants, client visibility,
 * archive): that changes production too, so it needs production access.
 */
export function canWriteEverywhere(me: Me, environments: { production: boolean }[]): boolean {
  return me.role !== 'viewer' && environments.every((e) => canWrite(me, e));
}
