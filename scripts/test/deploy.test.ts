// `npm run deploy` against a stub `wrangler` first on PATH: the stub records every call and
// keeps the Cloudflare account's state (databases, namespaces, queues, secrets) in a JSON file,
// so a second run sees what the first created.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const STUB = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
const file = process.env.STUB_STATE;
const s = JSON.parse(fs.readFileSync(file, 'utf8'));
s.calls.push(args);
const save = () => fs.writeFileSync(file, JSON.stringify(s));
const at = (...p) => p.every((w, i) => args[i] === w);
let out = '';
let code = 0;
if (at('whoami')) out = 'You are logged in';
else if (at('d1', 'list')) out = JSON.stringify(s.d1);
else if (at('d1', 'create')) s.d1.push({ name: args[2], uuid: 'd1-uuid-' + s.d1.length });
else if (at('kv', 'namespace', 'list')) out = JSON.stringify(s.kv);
else if (at('kv', 'namespace', 'create')) s.kv.push({ title: args[3], id: 'kvid' + s.kv.length });
else if (at('queues', 'info')) code = s.queues.includes(args[2]) ? 0 : 1;
else if (at('queues', 'create')) s.queues.push(args[2]);
else if (at('deploy')) out = 'Deployed edgeflags triggers: https://edgeflags.acct.workers.dev';
else if (at('secret', 'list')) out = JSON.stringify(s.secrets.map((name) => ({ name, type: 'secret_text' })));
else if (at('secret', 'put')) { s.secrets.push(args[2]); s.stdin[args[2]] = fs.readFileSync(0, 'utf8'); }
save();
process.stdout.write(out);
process.exit(code);
`;

let dir: string;
const state = () => JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8'));
function deploy(...flags: string[]): { out: string; calls: string[] } {
  const before = state().calls.length;
  const out = execFileSync(process.execPath, [path.join(root, 'scripts/deploy.mjs'), '--no-build', ...flags], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path.join(dir, 'bin')}${path.delimiter}${process.env.PATH}`, STUB_STATE: path.join(dir, 'state.json') },
  });
  return {
    out,
    calls: state()
      .calls.slice(before)
      .map((a: string[]) => a.join(' ')),
  };
}
const CHANGES = /^(d1 create|kv namespace create|queues create|d1 migrations apply|deploy|secret put)/;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'edgeflags-deploy-stub-'));
  mkdirSync(path.join(dir, 'bin'));
  writeFileSync(path.join(dir, 'bin/wrangler'), STUB);
  chmodSync(path.join(dir, 'bin/wrangler'), 0o755);
  writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ calls: [], d1: [], kv: [], queues: [], secrets: [], stdin: {} }));
  copyFileSync(path.join(root, 'wrangler.toml'), path.join(dir, 'wrangler.toml'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run deploy (scripts/deploy.mjs)', () => {
  it('creates every missing resource, writes their ids, migrates, deploys, then sets the secrets', () => {
    const { out, calls } = deploy();
    expect(calls.filter((c) => CHANGES.test(c))).toEqual([
      'd1 create edgeflags',
      'kv namespace create edgeflags-snapshots',
      'queues create edgeflags-events',
      'queues create edgeflags-metrics',
      'queues create edgeflags-webhooks',
      'd1 migrations apply edgeflags --remote --config wrangler.deploy.toml',
      'deploy --config wrangler.deploy.toml',
      'secret put STREAM_SECRET --config wrangler.deploy.toml',
      'secret put ADMIN_TOKEN --config wrangler.deploy.toml',
    ]);
    const generated = readFileSync(path.join(dir, 'wrangler.deploy.toml'), 'utf8');
    expect(generated).toContain('database_id = "d1-uuid-0"');
    expect(generated).toContain('id = "kvid0"');
    expect(generated).not.toMatch(/"0{32}"|"0{8}-0{4}/);
    // wrangler.toml itself keeps its placeholders (local runs and tests use it).
    expect(readFileSync(path.join(dir, 'wrangler.toml'), 'utf8')).toContain('00000000-0000-0000-0000-000000000000');
    const admin = state().stdin.ADMIN_TOKEN as string;
    expect(admin).toMatch(/^efa_[0-9A-Za-z]{32}$/);
    expect(state().stdin.STREAM_SECRET).toMatch(/^[0-9a-f]{64}$/);
    // The bootstrap token is printed once, with the way to a named token and to removing it.
    expect(out).toContain(admin);
    expect(out).toContain('curl -X POST https://edgeflags.acct.workers.dev/api/v1/admin-tokens');
    expect(out).toContain('wrangler secret delete ADMIN_TOKEN');
  });

  it('creates and overwrites nothing on a second run: it only migrates and deploys again', () => {
    deploy();
    const secrets = state().stdin;
    const { out, calls } = deploy();
    expect(calls.filter((c) => CHANGES.test(c))).toEqual([
      'd1 migrations apply edgeflags --remote --config wrangler.deploy.toml',
      'deploy --config wrangler.deploy.toml',
    ]);
    expect(state().stdin).toEqual(secrets);
    expect(out).not.toContain(secrets.ADMIN_TOKEN);
    expect(readFileSync(path.join(dir, 'wrangler.deploy.toml'), 'utf8')).toContain('database_id = "d1-uuid-0"');
  });

  it('--dry-run only looks: it prints the plan, changes nothing and writes no config', () => {
    const { out, calls } = deploy('--dry-run');
    expect(calls.filter((c) => CHANGES.test(c))).toEqual([]);
    expect(out).toContain('would run wrangler d1 create edgeflags');
    expect(out).toContain('would run wrangler deploy --config wrangler.deploy.toml');
    expect(existsSync(path.join(dir, 'wrangler.deploy.toml'))).toBe(false);
  });

  it('stops with the login advice when wrangler is not logged in', () => {
    writeFileSync(path.join(dir, 'bin/wrangler'), '#!/bin/sh\nexit 1\n');
    expect(() => deploy()).toThrow(/wrangler login/);
  });
});
