/**
 * The real Worker for tests: `wrangler dev` on a free port with fresh, seeded state
 * (scripts/local-worker.mjs), plus the admin calls the tests make.
 */
export interface LocalWorker {
  url: string;
  keys: { admin: string; server: string; client: string };
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

interface LocalWorkerModule {
  startLocalWorker(options?: { timeoutMs?: number }): Promise<LocalWorker>;
}

// Imported by path at run time: the script is plain JS outside this package's type scope.
const SCRIPT = new URL('../../../scripts/local-worker.mjs', import.meta.url).href;

export async function startWorker(): Promise<LocalWorker> {
  const { startLocalWorker } = (await import(SCRIPT)) as LocalWorkerModule;
  return startLocalWorker({ timeoutMs: 120_000 });
}

export async function toggle(worker: LocalWorker, flag: string, enabled: boolean, environment = 'development'): Promise<void> {
  const res = await fetch(`${worker.url}/api/v1/flags/${flag}/environments/${environment}/toggle`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${worker.keys.admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ enabled, reason: `test: ${flag} ${enabled ? 'on' : 'off'}` }),
  });
  if (!res.ok) throw new Error(`toggle ${flag}: ${res.status} ${await res.text()}`);
}

/** Polls `check` until it holds; tests wait on conditions, never on fixed sleeps. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Seeded contexts (scripts/seed-data.mjs): 5% of accounts get the new PDF engine. */
export function accountsWithPdfEngine(isOn: (accountId: string) => boolean, n = 400): { on: string[]; off: string[] } {
  const on: string[] = [];
  const off: string[] = [];
  for (let i = 0; i < n; i++) (isOn(`acct-${i}`) ? on : off).push(`acct-${i}`);
  return { on, off };
}
