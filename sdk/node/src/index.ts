/**
 * @edgeflags/node — edgeflags for Node services. The environment's snapshot is downloaded once
 * (ETag), kept fresh by the change stream (polling when the stream is down), and evaluated
 * locally and synchronously: no request ever waits on the network.
 *
 * @example
 * import { createClient } from '@edgeflags/node';
 * const flags = createClient({ url: 'http://127.0.0.1:8787', serverKey: process.env.EDGEFLAGS_SERVER_KEY });
 * await flags.ready(); // true once rules are loaded; false after readyTimeoutMs (never throws)
 * const ctx = { userId: 'u-1', accountId: 'acct-42', plan: 'free', country: 'US' };
 * flags.isEnabled('new-pdf-engine', ctx);          // bucketed by accountId
 * flags.variant('redesigned-dashboard', ctx);      // 'control' | 'treatment'
 * flags.value('ai-chatbot', ctx, false);           // typed by the fallback
 * flags.evaluate('maintenance-mode', ctx).reason;  // 'DISABLED' | 'TARGETING_MATCH' | …
 * const bootstrap = flags.allFlags(ctx);           // for @edgeflags/browser, client-visible only
 * // Guarded releases: each request's duration, errors and 5xx count for the variants it was served
 * http.createServer(flags.wrap((req, res) => { flags.track('invoice-created', 120); res.end('ok'); }));
 * await flags.run(ctx, () => renderInvoice());     // any async job; evaluations inside default to ctx
 * await flags.close();
 */

export type { WireResult } from '@edgeflags/core';
export type { ChangeEvent, ClientStatus, Details, ValueFor } from './client.ts';
export { createClient, EdgeflagsClient } from './client.ts';
export type { ExposureEvent, ExposureStats } from './exposures.ts';
export type { ClientOptions, ExposureOptions, FetchLike, Logger } from './options.ts';
export type { OutcomeOptions, OutcomeStats } from './outcomes/outcome-recorder.ts';
export type { AllFlags } from './wire.ts';
