// `npm start`: apply migrations, seed the invoicing scenario (idempotent), then run the Worker
// and the admin app at http://127.0.0.1:8787 with D1, KV and Durable Objects persisted in .wrangler/.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { seedSql } from './seed.mjs';
import { LOCAL_KEYS } from './seed-data.mjs';

process.env.WRANGLER_SEND_METRICS = 'false';
const run = (args) => execFileSync('wrangler', args, { stdio: ['ignore', 'ignore', 'inherit'] });

if (!existsSync('.dev.vars')) writeFileSync('.dev.vars', `STREAM_SECRET=${randomBytes(32).toString('hex')}\n`);
if (existsSync('web/package.json')) execFileSync('npm', ['run', 'build', '--workspace', 'web'], { stdio: 'inherit' });
run(['d1', 'migrations', 'apply', 'edgeflags', '--local']);
mkdirSync('.wrangler', { recursive: true });
writeFileSync('.wrangler/seed.sql', seedSql());
run(['d1', 'execute', 'edgeflags', '--local', '--file', '.wrangler/seed.sql']);

console.log(`
  edgeflags is starting at http://127.0.0.1:8787 (local only; these keys exist only in .wrangler/)
    admin token  ${LOCAL_KEYS.admin}
    server key   ${LOCAL_KEYS.server}   (development)
    client key   ${LOCAL_KEYS.client}   (development)
  try: curl -s -X POST http://127.0.0.1:8787/sdk/v1/evaluate -H 'Authorization: Bearer ${LOCAL_KEYS.client}' \\
         -H 'Content-Type: application/json' -d '{"context":{"targetingKey":"u1","accountId":"acct-17621","plan":"free","country":"GB"}}'
`);
const dev = spawn('wrangler', ['dev', '--ip', '127.0.0.1', '--port', process.env.PORT ?? '8787', '--local', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => dev.kill(sig));
dev.on('exit', (code) => process.exit(code ?? 0));
