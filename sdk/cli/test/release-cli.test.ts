// `edgeflags` as a pipeline runs it: a child process against a real local Worker (wrangler dev),
// configured by EDGEFLAGS_URL and EDGEFLAGS_TOKEN, judged by its exit code.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/main.ts';
import { type LocalWorker, startWorker } from './worker.ts';

const cli = path.resolve(import.meta.dirname, '../bin/edgeflags.ts');

let worker: LocalWorker;
beforeAll(async () => {
  worker = await startWorker();
});
afterAll(async () => {
  await worker?.dispose();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function edgeflags(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = worker ? { EDGEFLAGS_URL: worker.url, EDGEFLAGS_TOKEN: worker.keys.admin } : {};
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', ...base, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const release = (action: string, flag: string, ...more: string[]) =>
  edgeflags(['release', action, '--flag', flag, '--env', 'development', ...more]);

async function admin<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${worker.url}/api/v1${url}`, {
    method,
    headers: { Authorization: `Bearer ${worker.keys.admin}`, 'Content-Type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const auditCount = async (action: string) =>
  (await admin<{ entries: { action: string }[] }>('GET', '/audit?limit=200')).entries.filter((e) => e.action === action).length;

describe('usage', () => {
  it('exits 2 with the usage on stderr for an unknown command (edgeflags frobnicate) and for none', async () => {
    for (const args of [['frobnicate'], []]) {
      const run = await edgeflags(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain('usage: edgeflags <command>');
      expect(run.stdout).toBe('');
    }
  });

  it('exits 0 for --help, and 2 for a release without an action, flag, token, or with an unknown option', async () => {
    expect((await edgeflags(['--help'])).code).toBe(0);
    expect((await edgeflags(['release', 'launch', '--flag', 'x', '--env', 'development'])).stderr).toContain('unknown action "launch"');
    expect((await edgeflags(['release', 'status', '--env', 'development'])).code).toBe(2);
    expect((await edgeflags(['release', 'status', '--flag', 'x', '--env', 'development'], { EDGEFLAGS_TOKEN: '' })).code).toBe(2);
    expect((await edgeflags(['release', 'status', '--flag', 'x', '--env', 'development', '--colour'])).code).toBe(2);
    expect((await edgeflags(['release', 'status', '--flag', 'x', '--env', 'development', '--timeout', 'soon'])).code).toBe(2);
  });
});

describe('edgeflags release', () => {
  const flag = 'new-pdf-engine';

  it('starts a plan from a template, and status reports it (exit 0)', async () => {
    const start = await release('start', flag, '--template', 'seed-003', '--reason', 'deploy 412');
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/of new-pdf-engine in development: running · stage 1 of 4 \(1%\)/);
    const status = await release('status', flag);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('running');
  });

  it('refuses what the plan cannot do now with exit 1 and the API’s reason (approve while running)', async () => {
    const run = await release('approve', flag);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/422 rule_violation: .*only a waiting_approval release can be approved/);
  });

  it('pauses once: a retried step with the same Idempotency-Key and a second pause both exit 0 as already done', async () => {
    const before = await auditCount('release.paused');
    const key = `ci-${Date.now()}`;
    const first = await release('pause', flag, '--reason', 'hold on', '--idempotency-key', key);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(': paused');
    // A retried CI step with the same key: answered from the first run, applied once.
    const replay = await release('pause', flag, '--reason', 'hold on', '--idempotency-key', key);
    expect(replay.code, replay.stderr).toBe(0);
    // A new invocation without the key finds the plan paused already: exit 0, nothing changed.
    const again = await release('pause', flag);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('already done');
    expect(await auditCount('release.paused')).toBe(before + 1);
    expect((await release('resume', flag)).stdout).toContain(': running');
  });

  it('rolls back (exit 0: it did), after which status and --wait exit 1: the release failed', async () => {
    const rollback = await release('rollback', flag, '--reason', 'errors up');
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain(': rolled_back');
    const id = await planId(flag, true);
    expect((await release('status', flag, '--plan', id)).code).toBe(1);
    const wait = await release('status', flag, '--plan', id, '--wait', '--json');
    expect(wait.code).toBe(1);
    expect(JSON.parse(wait.stdout).plan.status).toBe('rolled_back');
    expect((await release('pause', flag)).stderr).toContain('no live release');
  });

  it('a retried rollback (or one after the engine rolled back) exits 0 as already done; other actions still exit 1', async () => {
    const again = await release('rollback', flag);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('already done');
    expect(again.stdout).toContain(': rolled_back');
    expect((await release('abort', flag)).code).toBe(1);
  });

  it('status --wait exits 0 once a release completes, and 1 at --timeout while it runs', async () => {
    const stages = [{ percentage: 100, minDurationSeconds: 1, minSamples: 0, approval: 'auto', checks: {} }];
    const draft = await admin<{ plan: { id: string } }>('POST', '/flags/ai-chatbot/environments/development/releases', {
      stages,
      settings: { windowSeconds: 1 },
    });
    const done = await release('start', 'ai-chatbot', '--plan', draft.plan.id, '--wait', '--interval', '0.5', '--timeout', '60');
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain(': completed');

    const slow = await admin<{ plan: { id: string } }>('POST', '/flags/redesigned-dashboard/environments/development/releases', {
      template: 'seed-003',
      start: true,
    });
    const timedOut = await release(
      'status',
      'redesigned-dashboard',
      '--plan',
      slow.plan.id,
      '--wait',
      '--interval',
      '0.2',
      '--timeout',
      '1',
    );
    expect(timedOut.code).toBe(1);
    expect(timedOut.stderr).toContain('still running after 1 s');
  });
});

describe('a lost answer', () => {
  it('is retried with the same Idempotency-Key and If-Match, and the pause applies once', async () => {
    expect((await release('start', 'new-pdf-engine', '--template', 'seed-003')).code).toBe(0);
    const before = await auditCount('release.paused');
    const seen: { key: string | null; ifMatch: string | null; replayed: string | null }[] = [];
    let dropped = false;
    // The fault: the first pause reaches the Worker and is applied, then its answer is lost.
    const lossy = async (url: string, init?: RequestInit) => {
      const res = await fetch(url, init);
      if (init?.method !== 'POST') return res;
      const headers = new Headers(init.headers);
      seen.push({
        key: headers.get('idempotency-key'),
        ifMatch: headers.get('if-match'),
        replayed: res.headers.get('idempotency-replayed'),
      });
      if (dropped) return res;
      dropped = true;
      throw new TypeError('fetch failed: socket hang up');
    };
    const out: string[] = [];
    const code = await runCli(['release', 'pause', '--flag', 'new-pdf-engine', '--env', 'development'], {
      env: { EDGEFLAGS_URL: worker.url, EDGEFLAGS_TOKEN: worker.keys.admin },
      out: (s) => out.push(s),
      err: (s) => out.push(s),
      fetch: lossy,
      sleep: async () => {},
    });
    expect(code, out.join('')).toBe(0);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual({ key: seen[0]!.key, ifMatch: seen[0]!.ifMatch, replayed: 'true' });
    expect(seen[0]!.key).toMatch(/^edgeflags-cli-/);
    expect(await auditCount('release.paused')).toBe(before + 1);
  });
});

async function planId(flag: string, newest = false): Promise<string> {
  const { releases } = await admin<{ releases: { id: string; status: string }[] }>(
    'GET',
    `/flags/${flag}/environments/development/releases`,
  );
  const plan = newest ? releases[0] : releases.find((p) => ['running', 'waiting_approval', 'paused'].includes(p.status));
  if (!plan) throw new Error(`no plan of ${flag}`);
  return plan.id;
}
