// `edgeflags changes` against a real local Worker (wrangler dev), as a reviewer runs it: list,
// show the diff, approve (never one's own request), apply; judged by exit codes (issue 11 §6).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalWorker, startWorker } from './worker.ts';

const cli = path.resolve(import.meta.dirname, '../bin/edgeflags.ts');

let worker: LocalWorker;
let reviewer: string;
let changeId: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function edgeflags(args: string[], token = worker.keys.admin): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '', EDGEFLAGS_URL: worker.url, EDGEFLAGS_TOKEN: token };
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function admin<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${worker.url}/api/v1${url}`, {
    method,
    headers: { Authorization: `Bearer ${worker.keys.admin}`, 'Content-Type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

beforeAll(async () => {
  worker = await startWorker();
  await admin('PUT', '/environments/staging/review', { requiredApprovals: 1 });
  await admin('POST', '/flags', {
    key: 'cli-review',
    kind: 'boolean',
    variants: { on: true, off: false },
    offVariant: 'off',
    type: 'ops',
    protectiveState: 'off',
  });
  const config = await admin<{ version: number }>('GET', '/flags/cli-review/environments/staging');
  const change = await admin<{ id: string }>('POST', '/environments/staging/change-requests', {
    flag: 'cli-review',
    config: { enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } },
    version: config.version,
    reason: 'turn it on in staging',
  });
  changeId = change.id;
  reviewer = (await admin<{ secret: string }>('POST', '/admin-tokens', { name: 'reviewer', role: 'editor' })).secret;
});
afterAll(async () => {
  await worker?.dispose();
});

describe('edgeflags changes', () => {
  it('needs --env (exit 2)', async () => {
    const run = await edgeflags(['changes', 'list']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--env is required');
  });

  it('lists, refuses the author’s own approval (exit 1), approves as someone else, shows the diff and applies', async () => {
    const list = await edgeflags(['changes', 'list', '--env', 'staging']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(changeId);
    expect(list.stdout).toContain('cli-review');

    const own = await edgeflags(['changes', 'approve', changeId, '--env', 'staging']);
    expect(own.code).toBe(1);
    expect(own.stderr).toContain('author');

    const approved = await edgeflags(['changes', 'approve', changeId, '--env', 'staging', '--reason', 'looks right'], reviewer);
    expect(approved.code, approved.stderr).toBe(0);

    const show = await edgeflags(['changes', 'show', changeId, '--env', 'staging']);
    expect(show.stdout).toContain('1 of 1 approvals');
    expect(show.stdout).toContain('enabled: false -> true');

    const applied = await edgeflags(['changes', 'apply', changeId, '--env', 'staging']);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await admin<{ enabled: boolean }>('GET', '/flags/cli-review/environments/staging')).enabled).toBe(true);
    const again = await edgeflags(['changes', 'apply', changeId, '--env', 'staging']);
    expect(again.code).toBe(1);
  });
});
