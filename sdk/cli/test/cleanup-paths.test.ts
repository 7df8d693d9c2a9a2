// `edgeflags cleanup --write` and `manifest export` write files; a repository (its config or a
// symbolic link in it) must never make them write one outside the repository.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupCommand } from '../src/cleanup-command.ts';
import type { CliContext } from '../src/cli-context.ts';
import { manifestCommand } from '../src/manifest-command.ts';

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

describe('edgeflags manifest export writes where the config says only inside the repository', () => {
  const service: CliContext['fetch'] = async (url) =>
    url.endsWith('/manifest') ? Response.json({ flags: [] }) : Response.json({ error: { code: 'not_found' } }, { status: 404 });
  async function exportManifest(config: Record<string, unknown>, args: string[] = []) {
    writeFileSync(path.join(repo, 'edgeflags.config.json'), JSON.stringify(config));
    const err: string[] = [];
    const ctx: CliContext = { env: {}, cwd: repo, out: () => {}, err: (t) => err.push(t), fetch: service };
    const code = await manifestCommand.run(['export', '--url', 'https://flags.example', '--token', 'efa_x', ...args], ctx);
    return { code, err: err.join('') };
  }

  it('refuses a "manifest" path that leaves the repository (exit 2, nothing written)', async () => {
    const run = await exportManifest({ manifest: '../elsewhere/written.json' });
    expect(run.code).toBe(2);
    expect(run.err).toContain('leaves its directory');
    expect(existsSync(path.join(dir, 'elsewhere/written.json'))).toBe(false); // before: written
  });

  it('refuses a "manifest" file that is a symbolic link to a file outside (exit 2, the target unchanged)', async () => {
    symlinkSync(outside, path.join(repo, 'linked.manifest.json'));
    const run = await exportManifest({ manifest: 'linked.manifest.json' });
    expect(run.code).toBe(2);
    expect(readFileSync(outside, 'utf8')).toBe(SOURCE); // before: overwritten with the manifest
  });

  it('refuses a "manifest" file that is a link to nothing yet (writing through it would create a file outside)', async () => {
    symlinkSync(path.join(dir, 'elsewhere', 'created.json'), path.join(repo, 'dangling.manifest.json'));
    expect((await exportManifest({ manifest: 'dangling.manifest.json' })).code).toBe(2);
    expect(existsSync(path.join(dir, 'elsewhere', 'created.json'))).toBe(false); // before: created
  });

  it('writes inside the repository as before, and anywhere --out says (the operator chose it)', async () => {
    expect((await exportManifest({ manifest: 'edgeflags.manifest.json' })).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(repo, 'edgeflags.manifest.json'), 'utf8')).flags).toEqual([]);
    const chosen = path.join(dir, 'elsewhere', 'chosen.json');
    expect((await exportManifest({ manifest: '../elsewhere/x.json' }, ['--out', chosen])).code).toBe(0);
    expect(existsSync(chosen)).toBe(true);
  });
});
