// The README examples of each SDK, as the published-packages test runs them from a clean install:
// the code block is taken from the README itself (so an example that stops working fails the
// test), and a few lines appended print what the example computed.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
/** The address every README example uses (`npm start`); the test's Worker has its own port. */
const README_URL = 'http://127.0.0.1:8787';

/** The first ```lang block under the `## heading` section of sdk/<name>/README.md. */
export function readmeBlock(name: string, heading: string, lang: string): string {
  const text = readFileSync(path.join(root, 'sdk', name, 'README.md'), 'utf8');
  const section = text.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  if (!section) throw new Error(`sdk/${name}/README.md has no "## ${heading}" section`);
  const block = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\``, 'm').exec(section);
  if (!block) throw new Error(`sdk/${name}/README.md "## ${heading}" has no \`\`\`${lang} block`);
  return block[1] ?? '';
}

/** `@edgeflags/core` "## Example", printing the evaluation it ends with. */
export const coreExample = () =>
  `${readmeBlock('core', 'Example', 'js')}console.log(JSON.stringify(flags.evaluate('new-pdf-engine', { accountId: 'acct-42' }, false)));\n`;

/** `@edgeflags/node` "## Example", verbatim (it reads EDGEFLAGS_URL / EDGEFLAGS_SERVER_KEY). */
export const nodeExample = () => readmeBlock('node', 'Example', 'js');

/** `@edgeflags/browser` "## Run it" against `url`, then what it ended with (after `setContext`). */
export function browserExample(url: string): string {
  return `${readmeBlock('browser', 'Run it', 'ts').replaceAll(README_URL, url)}
console.log(JSON.stringify({
  ready: await flags.ready(),
  aiChatbot: flags.isEnabled('ai-chatbot'),
  dashboard: flags.variant('redesigned-dashboard'),
  maintenance: flags.isEnabled('maintenance-mode'),
}));
flags.close();
`;
}

/**
 * `@edgeflags/react` "## Run it": its components, rendered on the server (no DOM here) with the
 * bootstrap the browser README's "Server-side bootstrap" fetches, instead of `createRoot`.
 */
export function reactExample(url: string, clientKey: string): string {
  const components = readmeBlock('react', 'Run it', 'tsx')
    .split(/^createRoot\(/m)[0]!
    .replace(/^import \{ createRoot \} from 'react-dom\/client';\n/m, '');
  return `${components}
import { renderToString } from 'react-dom/server';
const context = { targetingKey: 'user-42', plan: 'free', country: 'US' };
const res = await fetch('${url}/sdk/v1/evaluate', {
  method: 'POST',
  headers: { Authorization: 'Bearer ${clientKey}' },
  body: JSON.stringify({ context }),
});
const bootstrap = await res.json();
console.log(renderToString(
  <FlagProvider url="${url}" clientKey="${clientKey}" context={context} bootstrap={bootstrap} exposures={false}>
    <MaintenanceBanner />
    <Dashboard />
    <Chatbot />
  </FlagProvider>,
));
`;
}

/**
 * `@edgeflags/next` "## Middleware" (`proxy.ts`), called as Next would call it for `/dashboard`;
 * prints the rewrite and the flags a Server Component would read (`readFlags`).
 */
export function nextExample(): string {
  return `${readmeBlock('next', 'Middleware', 'ts')}
import { NextRequest } from 'next/server.js';
import { readFlags } from '@edgeflags/next/server';
const pending: Promise<unknown>[] = [];
const req = new NextRequest(\`\${process.env.EDGEFLAGS_URL}/dashboard\`, {
  headers: { cookie: 'user_id=user-42; plan=free', 'cf-ipcountry': 'US' },
});
const res = await proxy(req, { waitUntil: (p: Promise<unknown>) => pending.push(p) } as never);
await Promise.all(pending);
// What Next hands the renderer: the request headers the middleware set.
const forwarded = new Headers();
for (const [k, v] of res.headers) if (k.startsWith('x-middleware-request-')) forwarded.set(k.slice(21), v);
const flags = readFlags(forwarded);
console.log(JSON.stringify({
  rewrite: new URL(res.headers.get('x-middleware-rewrite') ?? 'http://none/').pathname,
  dashboard: flags.variant('redesigned-dashboard'),
  aiChatbot: flags.isEnabled('ai-chatbot'),
}));
`;
}

/** `@edgeflags/*` packages `name` needs installed beside it: itself and its dependencies, transitively. */
export function withDependencies(name: string): string[] {
  const { dependencies = {} } = JSON.parse(readFileSync(path.join(root, 'sdk', name, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const own = Object.keys(dependencies)
    .filter((d) => d.startsWith('@edgeflags/'))
    .map((d) => d.slice('@edgeflags/'.length));
  return [...new Set([...own.flatMap(withDependencies), name])];
}

/** The "## Install" section's two ways: the registry command, and the tarballs packed and installed today. */
export function installSection(name: string): { registry: string; packed: string[]; installed: string[] } {
  const text = readFileSync(path.join(root, 'sdk', name, 'README.md'), 'utf8');
  const section = text.split(/^## /m).find((s) => s.startsWith('Install\n')) ?? '';
  const [registry = '', today = ''] = [...section.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? '');
  const pack = /^npm pack (.*) --pack-destination packed$/m.exec(today)?.[1] ?? '';
  const install = /^cd \.\.\/your-app && npm install (.*)$/m.exec(today)?.[1] ?? '';
  return {
    registry,
    packed: pack.split(' ').map((d) => /^sdk\/(\w+)\/dist$/.exec(d)?.[1] ?? d),
    installed: install.split(' ').map((t) => /^\.\.\/edgeflags\/packed\/edgeflags-(\w+)-\*\.tgz$/.exec(t)?.[1] ?? t),
  };
}
