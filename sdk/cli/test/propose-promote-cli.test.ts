// `edgeflags changes propose` and `edgeflags promote` against a real local Worker (wrangler dev):
// a change proposed from a file, written against the version it was read at; a promotion printed
// as the server's diff, applied where the target is not reviewed and proposed where it is
// (issue 11 §6). Judged by exit codes and by what the API then holds.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalWorker, startWorker } from './worker.ts';

const cli = path.resolve(import.meta.dirname, '../bin/edgeflags.ts');
const FLAG = 'cli-promo';

let worker: LocalWorker;
let dir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function edgeflags(args: string[]): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '', EDGEFLAGS_URL: worker.url, EDGEFLAGS_TOKEN: worker.keys.admin };
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env, cwd: dir }, (error, stdout, stderr) => {
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

interface Config {
  version: number;
  enabled: boolean;
  defaultServe: unknown;
}
const configIn = (env: string) => admin<Config>('GET', `/flags/${FLAG}/environments/${env}`);
const openChanges = (env: string) =>
  admin<{ changeRequests: { id: string; flagKey: string; baseVersion: number }[] }>(
    'GET',
    `/environments/${env}/change-requests?status=open`,
  );

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'edgeflags-promote-'));
  worker = await startWorker();
  await admin('PUT', '/environments/staging/review', { requiredApprovals: 1 });
  await admin('POST', '/flags', {
    key: FLAG,
    kind: 'boolean',
    variants: { on: true, off: false },
    offVariant: 'off',
    type: 'ops',
    protectiveState: 'off',
  });
  const dev = await configIn('development');
  await admin('PUT', `/flags/${FLAG}/environments/development`, {
    version: dev.version,
    enabled: true,
    offVariant: 'off',
    defaultServe: { variant: 'on' },
  });
});
afterAll(async () => {
  await worker?.dispose();
});

describe('edgeflags changes propose', () => {
  it('needs --env, --flag and --file (exit 2)', async () => {
    const run = await edgeflags(['changes', 'propose', '--env', 'staging', '--flag', FLAG]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--file');
  });

  it('proposes the file read from a GET (exit 0), written against its version; a file read before the flag moved is refused (exit 1, 409)', async () => {
    const read = await configIn('staging');
    await writeFile(path.join(dir, 'staging.json'), JSON.stringify({ ...read, enabled: true, defaultServe: { variant: 'on' } }));
    const run = await edgeflags(['changes', 'propose', '--env', 'staging', '--flag', FLAG, '--file', 'staging.json', '--reason', 'on']);
    expect(run.code, run.stderr).toBe(0);
    const [change] = (await openChanges('staging')).changeRequests.filter((c) => c.flagKey === FLAG);
    expect(run.stdout).toContain(`proposed ${change?.id}`);
    expect(change?.baseVersion).toBe(read.version);
    expect((await configIn('staging')).enabled).toBe(false);

    await writeFile(path.join(dir, 'stale.json'), JSON.stringify({ ...read, version: read.version - 1, enabled: true }));
    const stale = await edgeflags(['changes', 'propose', '--env', 'staging', '--flag', FLAG, '--file', 'stale.json']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('version_conflict');
  });
});

describe('edgeflags promote', () => {
  it('needs --from and --to (exit 2)', async () => {
    const run = await edgeflags(['promote', FLAG, '--from', 'development']);
    expect(run.code).toBe(2);
  });

  it('prints the diff and changes nothing; --apply applies it where the target is not reviewed', async () => {
    const before = await configIn('production');
    const preview = await edgeflags(['promote', FLAG, '--from', 'development', '--to', 'production']);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain('enabled: false -> true');
    expect((await configIn('production')).version).toBe(before.version);

    const applied = await edgeflags(['promote', FLAG, '--from', 'development', '--to', 'production', '--apply']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain(`applied: ${FLAG} in production is now version ${before.version + 1}`);
    expect(await configIn('production')).toMatchObject({ enabled: true, defaultServe: { variant: 'on' } });
  });

  it('--apply proposes a change request where the target is reviewed', async () => {
    const run = await edgeflags(['promote', FLAG, '--from', 'development', '--to', 'staging', '--apply']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/proposed \S+: staging needs 1 approval/);
    expect((await configIn('staging')).enabled).toBe(false);
  });
});
