// `edgeflags audit verify` as a pipeline runs it: a child process against a real local Worker
// (wrangler dev), whose D1 is then tampered with directly (`wrangler d1 execute --local`), the
// way someone with database access but no deploy rights would (issue 11 §1, docs/audit.md).
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonical as workerCanonical, entryHash as workerHash } from '../../../workers/src/audit/chain.ts';
import { type ChainEntry, canonical, entryHash, GENESIS } from '../src/audit-chain.ts';
import { type LocalWorker, startWorker } from './worker.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const cli = path.join(root, 'sdk/cli/bin/edgeflags.ts');

let worker: LocalWorker;
beforeAll(async () => {
  worker = await startWorker();
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${worker.url}/api/v1/environments/development/segments/audit-${i}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${worker.keys.admin}`, 'Content-Type': 'application/json', 'If-None-Match': '*' },
      body: JSON.stringify({ included: [`u-${i}`], reason: `segment ${i}` }),
    });
    expect(res.status, await res.text()).toBe(200);
  }
  // Sealed after each answer (waitUntil); wait until the last one is.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${worker.url}/api/v1/audit/verify`, { headers: { Authorization: `Bearer ${worker.keys.admin}` } });
    const v = (await res.json()) as { unsealed: number; sealed: number };
    if (v.unsealed === 0 && v.sealed >= 6) break;
    if (Date.now() > deadline) throw new Error(`not sealed: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
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
  const base = { EDGEFLAGS_URL: worker.url, EDGEFLAGS_TOKEN: worker.keys.admin };
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', ...base, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** SQL straight into the Worker's local D1, past the API (and its audit log). */
function d1(sql: string): void {
  execFileSync(
    path.join(root, 'node_modules/.bin/wrangler'),
    ['d1', 'execute', 'edgeflags', '--local', '--persist-to', worker.dir, '--command', sql],
    { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' }, stdio: 'ignore' },
  );
}

describe('the chain rules', () => {
  it('are the same in the CLI and the Worker (canonical encoding and hash)', async () => {
    const entry: ChainEntry = {
      id: 7,
      at: 1764505955123.0002,
      actor: 'Ada (tok-1) — ünïcode',
      action: 'config.update',
      resourceType: 'flag_config',
      resourceKey: 'new-pdf-engine',
      environment: 'production',
      before: '{"2":1,"b":[1.5,null]}',
      after: null,
      reason: 'line\nbreak "quoted"',
      hash: null,
      prevHash: null,
    };
    expect(canonical(entry)).toBe(workerCanonical(entry));
    expect(await entryHash(GENESIS, entry)).toBe(await workerHash(GENESIS, entry));
    expect(await entryHash(GENESIS, entry)).not.toBe(await entryHash(GENESIS, { ...entry, reason: 'other' }));
  });
});

describe('edgeflags audit verify', () => {
  let head = '';

  it('exits 0 on an untouched log and prints the head to pin', async () => {
    const run = await edgeflags(['audit', 'verify']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^audit chain intact: \d+ sealed entries, 0 not sealed yet; head \d+:[0-9a-f]{64}\n$/);
    head = /head (\d+:[0-9a-f]{64})/.exec(run.stdout)![1]!;
    expect((await edgeflags(['audit', 'verify', '--expect-head', head])).code).toBe(0);
  });

  it('exits 1 naming an entry edited in D1, and 0 again once it is put back', async () => {
    d1(`UPDATE audit_log SET reason = 'nothing to see' WHERE id = 2`);
    const run = await edgeflags(['audit', 'verify']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^audit chain broken at entry 2 \(edited\)/);
    d1(`UPDATE audit_log SET reason = 'segment 1' WHERE id = 2`);
    expect((await edgeflags(['audit', 'verify'])).code).toBe(0);
  });

  it('exits 1 for a pinned head that is no longer in the chain', async () => {
    const [id] = head.split(':');
    const run = await edgeflags(['audit', 'verify', '--expect-head', `${id}:${'0'.repeat(64)}`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`entry ${id} no longer has the pinned hash`);
  });

  it('names a deleted middle entry and a truncated tail (--json lists both)', async () => {
    const newest = Number(head.split(':')[0]);
    d1(`DELETE FROM audit_log WHERE id = 3 OR id >= ${newest - 1}`);
    const run = await edgeflags(['audit', 'verify', '--json']);
    expect(run.code).toBe(1);
    const verdict = JSON.parse(run.stdout) as { ok: boolean; problems: { id: number; kind: string }[] };
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([
      expect.objectContaining({ id: 4, kind: 'deleted' }),
      expect.objectContaining({ id: newest, kind: 'truncated' }),
    ]);
    const human = await edgeflags(['audit', 'verify']);
    expect(human.stdout).toMatch(/^audit chain broken at entry 4 \(deleted\): entry 4 does not follow entry 2: entries 3–3 were deleted/);
    expect(human.stdout).toContain(`also entry ${newest} (truncated)`);
  });

  it('exits 2 for usage and 3 when the service cannot be reached', async () => {
    expect((await edgeflags(['audit'])).code).toBe(2);
    expect((await edgeflags(['audit', 'verify', '--expect-head', 'nope'])).code).toBe(2);
    expect((await edgeflags(['audit', 'verify'], { EDGEFLAGS_TOKEN: '' })).code).toBe(2);
    expect((await edgeflags(['audit', 'verify'], { EDGEFLAGS_URL: 'http://127.0.0.1:9' })).code).toBe(3);
  });
});
