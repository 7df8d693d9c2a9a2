// `npm start`: apply migrations, seed the invoicing scenario (idempotent), then run the Worker
// and the admin app at http://127.0.0.1:8787 (or `PORT`) with D1, KV and Durable Objects
// persisted in .wrangler/. The URL printed is the one wrangler reports it listens on.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { seedSql } from './seed.mjs';
import { LOCAL_KEYS } from './seed-data.mjs';

// Quiet offline: no usage metrics, and Miniflare's fetch of workers.cloudflare.com/cf.json (the
// `request.cf` sample) would fail twice with `getaddrinfo ENOTFOUND` and a warning; locally the
// built-in placeholder `cf` object does. (wrangler's own update check already fails silently.)
process.env.WRANGLER_SEND_METRICS = 'false';
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
const run = (args) => execFileSync('wrangler', args, { stdio: ['ignore', 'ignore', 'inherit'] });

if (!existsSync('.dev.vars')) writeFileSync('.dev.vars', `STREAM_SECRET=${randomBytes(32).toString('hex')}\n`);
if (existsSync('web/package.json')) execFileSync('npm', ['run', 'build', '--workspace', 'web'], { stdio: 'inherit' });
run(['d1', 'migrations', 'apply', 'edgeflags', '--local']);
mkdirSync('.wrangler', { recursive: true });
writeFileSync('.wrangler/seed.sql', seedSql());
run(['d1', 'execute', 'edgeflags', '--local', '--file', '.wrangler/seed.sql']);

const banner = (url) => `
  edgeflags is running at ${url} (local only; these keys exist only in .wrangler/)
    admin token  ${LOCAL_KEYS.admin}
    server key   ${LOCAL_KEYS.server}   (development)
    client key   ${LOCAL_KEYS.client}   (development)
  try: curl -s -X POST ${url}/sdk/v1/evaluate -H 'Authorization: Bearer ${LOCAL_KEYS.client}' \\
         -H 'Content-Type: application/json' -d '{"context":{"targetingKey":"u1","accountId":"acct-17621","plan":"free","country":"GB"}}'
`;
const port = process.env.PORT ?? '8787';
// No port yet: PORT=0 (or a port wrangler moves off) would make any number printed here wrong.
console.log('  edgeflags is starting…');
// --test-scheduled: the cron (snapshot reconcile) can be fired at /__scheduled, and wrangler does
// not warn that scheduled handlers are not triggered locally.
const dev = spawn('wrangler', ['dev', '--ip', '127.0.0.1', '--port', port, '--local', '--test-scheduled', ...process.argv.slice(2)], {
  stdio: ['inherit', 'pipe', 'inherit'],
});
// The banner names the port wrangler reports once it listens (PORT=0 lets the OS choose), not
// the one asked for: a URL that nothing answers on is worse than no URL.
// Colour codes, if any, sit before or after the URL, never inside it.
const READY_LINE = /Ready on [^h]*(https?:\/\/[\w.:[\]-]+)/;
let seen = '';
dev.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (seen === undefined) return;
  // A line may arrive split across chunks: match on what arrived so far.
  seen = (seen + chunk).slice(-4096);
  const ready = READY_LINE.exec(seen);
  if (ready) {
    seen = undefined;
    console.log(banner(ready[1]));
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => dev.kill(sig));
dev.on('exit', (code) => process.exit(code ?? 0));
