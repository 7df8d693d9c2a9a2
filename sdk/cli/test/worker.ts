/** The real Worker for tests: `wrangler dev` on a free port with fresh, seeded state (scripts/local-worker.mjs). */
import { type LocalWorker, startLocalWorker } from '../../../scripts/local-worker.mjs';

export type { LocalWorker };

export const startWorker = (): Promise<LocalWorker> => startLocalWorker({ timeoutMs: 120_000 });
