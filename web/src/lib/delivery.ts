import type { Delivery } from '../api/types.ts';

export const PENDING_NOTE = 'Saved, but not yet delivered to clients: the Worker keeps retrying until the edge has it.';

/** A write's toast: what was done, and a warning when it is committed but not yet served. */
export function savedNote(done: string, res: Delivery): { text: string; tone: 'ok' | 'error' } {
  return res.delivery === 'pending' ? { text: `${done} ${PENDING_NOTE}`, tone: 'error' } : { text: done, tone: 'ok' };
}
