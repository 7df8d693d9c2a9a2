import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDeclaration } from '../src/typegen.ts';
import { type LocalWorker, startWorker } from './worker.ts';

const run = promisify(execFile);
const pkg = path.resolve(import.meta.dirname, '..');
const fixture = path.join(pkg, 'test/types/fixture');
const cli = path.join(pkg, 'bin/edgeflags.ts');
const tsc = path.resolve(pkg, '../../node_modules/.bin/tsc');

let worker: LocalWorker;
let dir: string;
beforeAll(async () => {
  worker = await startWorker();
  dir = mkdtempSync(path.join(tmpdir(), 'edgeflags-typegen-'));
});
afterAll(async () => {
  await worker?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function edgeflags(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function compile(project: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [tsc, '-p', project], { cwd: pkg });
    return { code: 0, output: stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, output: err.stdout };
  }
}

describe('npx edgeflags typegen', () => {
  it('writes the committed fixture from the seeded Worker’s admin API', async () => {
    const out = path.join(dir, 'edgeflags.d.ts');
    const { code, stdout } = await edgeflags('typegen', '--url', worker.url, '--token', worker.keys.admin, '--out', out);
    expect(code).toBe(0);
    expect(stdout).toContain('wrote');
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(path.join(fixture, 'edgeflags.d.ts'), 'utf8'));
  });

  it('--check passes when current and fails once a flag is added', async () => {
    const out = path.join(fixture, 'edgeflags.d.ts');
    const env = ['--url', worker.url, '--token', worker.keys.admin, '--out', out, '--check'];
    expect((await edgeflags('typegen', ...env)).code).toBe(0);
    const res = await fetch(`${worker.url}/api/v1/flags`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${worker.keys.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        key: 'invoice-theme',
        kind: 'json',
        variants: { plain: { color: 'grey' }, bold: { color: 'navy' } },
        // What a release flag's policy asks of a new flag (issue 11 §2): an owner and an expiry.
        owner: 'typegen@example.com',
        expiresAt: '2099-01-01',
        reason: 'typegen test',
      }),
    });
    expect(res.status).toBe(200);
    const after = await edgeflags('typegen', ...env);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain('out of date');
  });

  it('fails with a usage message and no file when the token is missing', async () => {
    const { code, stderr } = await edgeflags('typegen', '--url', worker.url, '--token', '', '--out', path.join(dir, 'x.d.ts'));
    expect(code).toBe(2);
    expect(stderr).toContain('--token');
  });

  it('renders JSON flags as JsonValue and quotes awkward keys', () => {
    const text = renderDeclaration([{ key: "it's", kind: 'json', variants: { a: { x: 1 } } }]);
    expect(text).toContain("import type { JsonValue } from '@edgeflags/core';");
    expect(text).toContain("'it\\'s': { kind: 'json'; variant: 'a'; value: JsonValue };");
  });

  it('makes a wrong key, variant or fallback a compile error (tsc against the generated fixture)', async () => {
    const typed = await compile('test/types/fixture/tsconfig.json');
    expect(typed.output).toBe('');
    expect(typed.code).toBe(0);
    // Without the declaration every @ts-expect-error is unused: the errors came from the registry.
    const untyped = await compile('test/types/fixture/tsconfig.untyped.json');
    expect(untyped.code).not.toBe(0);
    expect(untyped.output.match(/TS2578/g)?.length).toBe(6);
  });
});
