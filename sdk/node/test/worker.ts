/**
 * The real Worker for tests: `wrangler dev` on a free port with fresh, seeded state
 * (scripts/local-worker.mjs), plus the admin calls the tests make.
 */
import { type LocalWorker, startLocalWorker } from '../../../scripts/local-worker.mjs';
import { waitFor as waitForCondition } from '../../../scripts/test-support.mjs';

export { toggleFlag as toggle } from '../../../scripts/test-support.mjs';
export type { LocalWorker };

export const startWorker = (): Promise<LocalWorker> => startLocalWorker({ timeoutMs: 120_000 });

// Longer than the shared default: these tests wait across real edge restarts.
export const waitFor = (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000) =>
  waitForCondition(check, what, timeoutMs);

/** Seeded contexts (scripts/seed-data.mjs): 5% of accounts get the new PDF engine. */
export function accountsWithPdfEngine(isOn: (accountId: string) => boolean, n = 400): { on: string[]; off: string[] } {
  const on: string[] = [];
  const off: string[] = [];
  for (let i = 0; i < n; i++) (isOn(`acct-${i}`) ? on : off).push(`acct-${i}`);
  return { on, off };
}
