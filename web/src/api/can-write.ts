import type { Me } from './types.ts';

/** Whether this token may change flags in `env` (mirrors assertCanWrite in the Worker). */
export function canWrite(me: Me, env: { production: boolean } | undefined): boolean {
  if (me.role === 'viewer') return false;
  return !env?.production || me.productionAccess || me.role === 'admin';
}
