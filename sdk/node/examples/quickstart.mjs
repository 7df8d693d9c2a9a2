// The README's example: run the Worker (`npm start`), then `node sdk/node/examples/quickstart.mjs`.
import { createClient } from '@edgeflags/node';

const flags = createClient({
  url: process.env.EDGEFLAGS_URL ?? 'http://127.0.0.1:8787',
  serverKey: process.env.EDGEFLAGS_SERVER_KEY ?? 'efs_LocalDevServerKeyDoNotUseInProd001',
});
console.log('ready:', await flags.ready()); // false after readyTimeoutMs; never rejects

const ctx = { userId: 'u-1', accountId: 'acct-42', plan: 'free', country: 'US' };

// 5% of accounts, bucketed by accountId: every user of an account gets the same answer.
console.log('new-pdf-engine', flags.isEnabled('new-pdf-engine', ctx));
// Free plan in US/GB only.
console.log('ai-chatbot', flags.isEnabled('ai-chatbot', ctx), flags.isEnabled('ai-chatbot', { ...ctx, country: 'DE' }));
// The kill switch: off (reason DISABLED) until someone flips it.
console.log('maintenance-mode', flags.evaluate('maintenance-mode', ctx));
// A/B test: the variant name, and a value typed by its fallback.
console.log('redesigned-dashboard', flags.variant('redesigned-dashboard', ctx), flags.value('redesigned-dashboard', ctx, 'control'));
// Everything a browser may see, pre-evaluated: the bootstrap for @edgeflags/browser / react.
console.log(JSON.stringify(flags.allFlags(ctx)));

flags.onChange(({ version, from }) => console.log(`snapshot v${version} via ${from}`));
await flags.close(); // stops the stream and flushes exposure events (bounded)
