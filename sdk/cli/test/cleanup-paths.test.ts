// `edgeflags cleanup --write` rewrites files; it must never rewrite one outside the repository,
// whether a symbolic link in the repository points there or the config's include pattern does.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupCommand } from '../src/cleanup-command.ts';
import type { CliContext } from '../src/cli-context.ts';

const SOURCE = `declare const flags: { isEnabled(key: string): boolean };
export const label = flags.isEnabled('gone-flag') ? 'new' : 'old';
`;

let dir: string;
let repo: string;
let outside: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'edgeflags-cleanup-paths-'));
  repo = path.join(dir, 'repo');
  outside = path.join(dir, 'elsewhere', 'victim.ts');
  mkdirSync(path.join(repo, 'src'), { recursive: true });
  mkdirSync(path.dirname(outside));
  writeFileSync(outside, SOURCE);
  writeFileSync(path.join(repo, 'src/own.ts'), SOURCE);
  symlinkSync(outside, path.join(repo, 'src/linked.ts'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cleanup(args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const ctx: CliContext = { env: {}, cwd: repo, out: () => {}, err: (t) => err.push(t) };
  return { code: await cleanupCommand.run(args, ctx), err: err.join('') };
}

describe('edgeflags cleanup --write stays inside the repository', () => {
  it('rewrites the repository’s own file but not a file a symbolic link points to outside it', async () => {
    writeFileSync(path.join(repo, 'edgeflags.config.json'), JSON.stringify({ include: ['src/**/*.ts'] }));
    const run = await cleanup(['gone-flag', '--value', 'true', '--write']);
    expect(run.code).toBe(0);
    expect(readFileSync(path.join(repo, 'src/own.ts'), 'utf8')).toContain("export const label = 'new';");
    expect(readFileSync(outside, 'utf8')).toBe(SOURCE); // before: rewritten through the link
    expect(run.err).toContain('1 file rewritten');
  });

  it.each([['../elsewhere/*.ts'], [path.join('DIR', 'elsewhere', '*.ts')]])(
    'refuses an include pattern that leaves the repository (%s): exit 2, nothing written',
    async (pattern) => {
      writeFileSync(path.join(repo, 'edgeflags.config.json'), JSON.stringify({ include: [pattern.replace('DIR', dir)] }));
      const run = await cleanup(['gone-flag', '--value', 'true', '--write']);
      expect(run.code).toBe(2);
      expect(run.err).toContain('leaves the directory of the config');
      expect(readFileSync(outside, 'utf8')).toBe(SOURCE); // before: rewritten
    },
  );
});
