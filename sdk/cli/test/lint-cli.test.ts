// `edgeflags lint`, `manifest export` and `refs push` as a pipeline runs them: child processes in
// a fixture repository (test/fixtures/app: every SDK's way of reading a flag, keys written as
// literals, consts, enums and `as const` objects) against a real local Worker.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalWorker, startWorker } from './worker.ts';

const cli = path.resolve(import.meta.dirname, '../bin/edgeflags.ts');
const app = path.resolve(import.meta.dirname, 'fixtures/app');

let worker: LocalWorker;
let dir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function edgeflags(args: string[], env: Record<string, string> = {}, live = true, cwd = app): Promise<Run> {
  const base = live ? { EDGEFLAGS_URL: worker.url, EDGEFLAGS_TOKEN: worker.keys.admin } : {};
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...base, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function admin(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(`${worker.url}/api/v1${url}`, {
    method,
    headers: { Authorization: `Bearer ${worker.keys.admin}`, 'Content-Type': 'application/json', ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

beforeAll(async () => {
  worker = await startWorker();
  dir = mkdtempSync(path.join(tmpdir(), 'edgeflags-lint-'));
  const flag = (key: string, expiresAt: string) => ({
    key,
    kind: 'string',
    variants: { light: 'light', dark: 'dark' },
    offVariant: 'light',
    owner: 'qa@example.com',
    expiresAt,
    reason: 'lint test',
  });
  await admin('POST', '/flags', flag('lint-archived', '2099-01-01'));
  await admin('DELETE', '/flags/lint-archived', undefined, { 'If-Match': '"1"' });
  await admin('POST', '/flags', { ...flag('lint-expired', '2020-01-01'), kind: 'boolean', variants: undefined, offVariant: undefined });
});
afterAll(async () => {
  await worker?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The problems every run against the fixture must report, as `file:line rule key`. */
const EXPECTED = [
  'src/App.tsx:5 archived-flag lint-archived',
  'src/openfeature.js:3 expired-flag lint-expired',
  'src/server.ts:13 unknown-flag new-pdf-engin',
  'src/server.ts:14 unknown-flag bulk-invoice-apii',
];

interface JsonResult {
  reads: { key: string; file: string; line: number; call: string }[];
  dynamic: { file: string; line: number }[];
  findings: { rule: string; key: string; file: string; line: number; message: string }[];
}
const summary = (r: JsonResult) =>
  r.findings.filter((f) => f.rule !== 'policy-violation').map((f) => `${f.file}:${f.line} ${f.rule} ${f.key}`);

describe('edgeflags lint against the live service', () => {
  it('finds unknown (with "did you mean"), archived and expired keys read by every SDK, and exits 1', async () => {
    const run = await edgeflags(['lint', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as JsonResult;
    expect(summary(result)).toEqual(EXPECTED);
    const typo = result.findings.find((f) => f.key === 'new-pdf-engin');
    expect(typo?.message).toBe('unknown flag "new-pdf-engin" (did you mean "new-pdf-engine"?)');
    expect(result.findings.find((f) => f.key === 'bulk-invoice-apii')?.message).toContain('did you mean "bulk-invoice-api"?');
    // Every way of reading a flag, keys resolved through consts, enums and `as const` objects.
    const reads = result.reads.map((r) => `${r.file}:${r.line} ${r.call} ${r.key}`);
    expect(reads).toEqual(
      expect.arrayContaining([
        'src/server.ts:9 isEnabled new-pdf-engine',
        'src/server.ts:10 variant redesigned-dashboard',
        'src/server.ts:11 value ai-chatbot',
        'src/server.ts:22 variant maintenance-mode',
        'src/App.tsx:4 useFeatureFlag maintenance-mode',
        'src/App.tsx:5 useFlagValue lint-archived',
        'src/openfeature.js:3 getBooleanValue lint-expired',
        'src/openfeature.js:4 getStringDetails redesigned-dashboard',
        'src/middleware.ts:4 experiments redesigned-dashboard',
        'src/middleware.ts:8 value ai-chatbot',
      ]),
    );
    // The service's policy report, for the keys read: one finding per violation.
    const report = (await admin('GET', '/policy-report')) as { flags: { key: string; violations: { rule: string }[] }[] };
    const read = new Set(result.reads.map((r) => r.key));
    const violations = report.flags.filter((f) => read.has(f.key)).flatMap((f) => f.violations.map((v) => `${f.key} ${v.rule}`));
    expect(violations.length).toBeGreaterThan(0); // the seed's new-pdf-engine: a hand-set production split
    const policyFindings = result.findings.filter((f) => f.rule === 'policy-violation');
    expect(new Set(policyFindings.map((f) => f.message.replace(/^flag "([^"]+)" breaks policy (\S+):.*$/, '$1 $2')))).toEqual(
      new Set(violations),
    );
    // Not flag reads: Map#get, a key passed in as a parameter (reported as dynamic), excluded files.
    expect(result.reads.some((r) => r.key === 'not-a-flag' || r.key === 'excluded-by-config')).toBe(false);
    expect(result.dynamic).toEqual([expect.objectContaining({ file: 'src/server.ts', line: 25 })]);
  });

  it('writes GitHub Actions annotations (file, line, col, title; escaped message)', async () => {
    const run = await edgeflags(['lint', '--format', 'github']);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toContain(
      '::error file=src/server.ts,line=13,col=32,title=edgeflags unknown-flag::unknown flag "new-pdf-engin" (did you mean "new-pdf-engine"?)',
    );
    expect(lines).toContain(
      '::error file=src/App.tsx,line=5,col=30,title=edgeflags archived-flag::flag "lint-archived" is archived: remove this read (edgeflags cleanup lint-archived)',
    );
    expect(lines.filter((l) => l.startsWith('::error ')).length).toBeGreaterThanOrEqual(EXPECTED.length);
    expect(lines.at(-1)).toMatch(/^edgeflags lint: \d+ problems in \d+ flag reads/);
  });

  it('prints file:line:col for people, and exits 0 on a clean selection', async () => {
    const human = await edgeflags(['lint']);
    expect(human.stdout).toContain(
      'src/server.ts:13:32  error  unknown flag "new-pdf-engin" (did you mean "new-pdf-engine"?)  [unknown-flag]',
    );
    const clean = await edgeflags(['lint', '--config', 'edgeflags.clean.json']);
    expect(clean.stdout).toContain('edgeflags lint: no problems in 1 flag reads');
    expect(clean.code).toBe(0);
  });
});

describe('edgeflags lint offline, exit codes', () => {
  it('manifest export, then lint --manifest without any service gives the same findings', async () => {
    const file = path.join(dir, 'manifest.json');
    const exported = await edgeflags(['manifest', 'export', '--out', file]);
    expect(exported.code).toBe(0);
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { flags: { key: string; archived: boolean }[] };
    expect(manifest.flags.find((f) => f.key === 'lint-archived')?.archived).toBe(true);
    const offline = await edgeflags(['lint', '--format', 'json', '--manifest', file], {}, false);
    expect(offline.code).toBe(1);
    expect(summary(JSON.parse(offline.stdout) as JsonResult)).toEqual(EXPECTED);
  });

  it('exits 3 when the service cannot be reached, 2 for a bad token, a bad config or option, or no source', async () => {
    const unreachable = await edgeflags(['lint'], { EDGEFLAGS_URL: 'http://127.0.0.1:9' });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain('no answer');
    expect((await edgeflags(['lint'], { EDGEFLAGS_TOKEN: 'efa_not-a-real-token' })).code).toBe(2);
    expect((await edgeflags(['lint', '--format', 'xml'])).code).toBe(2);
    expect((await edgeflags(['lint', '--config', 'missing.json'])).code).toBe(2);
    const none = await edgeflags(['lint'], {}, false);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no service and no manifest');
  });
});

describe('edgeflags refs push', () => {
  it('replaces the repository’s references with where each key is read (repository, commit, branch, file:line)', async () => {
    const dry = await edgeflags(['refs', 'push', '--commit', 'abc123', '--branch', 'main', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const body = JSON.parse(dry.stdout) as { repository: string; refs: { flagKey: string; path: string; line: number }[] };
    expect(body.repository).toBe('acme/shop'); // from edgeflags.config.json
    // Paths from the repository root (the fixture lives inside this repository).
    expect(body.refs).toContainEqual({ flagKey: 'new-pdf-engine', path: 'sdk/cli/test/fixtures/app/src/server.ts', line: 9 });

    const pushed = await edgeflags(['refs', 'push', '--commit', 'abc123', '--branch', 'main']);
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toContain(`pushed ${body.refs.length} references`);
    const { refs } = (await admin('GET', '/code-refs?flag=new-pdf-engine&repository=acme%2Fshop')) as {
      refs: { path: string; line: number; commit: string; branch: string }[];
    };
    expect(refs.map((r) => `${r.path.split('/').at(-1)}:${r.line}@${r.commit}/${r.branch}`)).toEqual(['server.ts:9@abc123/main']);
  });
});

describe('edgeflags cleanup against the live service', () => {
  const SOURCE = `declare const flags: { isEnabled(key: string): boolean };
declare function render(page: string): string;

export function page(): string {
  if (flags.isEnabled('maintenance-mode')) {
    return render('maintenance');
  }
  return render('home');
}
`;

  it('asks the service for the final value, prints the patch, and --write applies it', async () => {
    const repo = path.join(dir, 'cleanup-repo');
    mkdirSync(path.join(repo, 'src'), { recursive: true });
    writeFileSync(path.join(repo, 'src/page.ts'), SOURCE);
    // The seed's maintenance-mode is off in production: everyone gets false.
    const dry = await edgeflags(['cleanup', 'maintenance-mode'], {}, true, repo);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('--- a/src/page.ts');
    expect(dry.stdout).toContain("-  if (flags.isEnabled('maintenance-mode')) {");
    expect(dry.stderr).toContain('1 read of "maintenance-mode" as false');
    expect(readFileSync(path.join(repo, 'src/page.ts'), 'utf8')).toBe(SOURCE);
    const write = await edgeflags(['cleanup', 'maintenance-mode', '--write'], {}, true, repo);
    expect(write.code).toBe(0);
    expect(readFileSync(path.join(repo, 'src/page.ts'), 'utf8')).toContain("export function page(): string {\n  return render('home');\n}");
  });

  it('refuses (exit 1, nothing written) a flag still rolling out, and needs a key (exit 2)', async () => {
    const repo = path.join(dir, 'cleanup-rolling');
    mkdirSync(path.join(repo, 'src'), { recursive: true });
    const source = SOURCE.replaceAll('maintenance-mode', 'new-pdf-engine');
    writeFileSync(path.join(repo, 'src/page.ts'), source);
    const run = await edgeflags(['cleanup', 'new-pdf-engine', '--write'], {}, true, repo);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('still rolling out in production');
    expect(readFileSync(path.join(repo, 'src/page.ts'), 'utf8')).toBe(source);
    expect((await edgeflags(['cleanup'], {}, true, repo)).code).toBe(2);
  });
});
