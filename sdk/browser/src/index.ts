/**
 * @edgeflags/browser — pre-evaluated, client-visible flags for browsers, kept fresh by the
 * change stream. One POST of the context returns every flag's value; no rule leaves the edge.
 *
 * @example
 * import { createClient } from '@edgeflags/browser';
 *
 * const flags = createClient({
 *   url: 'http://127.0.0.1:8787',
 *   clientKey: 'efc_LocalDevClientKeyDoNotUseInProd001',
 *   context: { targetingKey: 'user-42', plan: 'free', country: 'US' },
 * });
 * await flags.ready();
 * flags.variant('redesigned-dashboard'); // 'treatment' | 'control'
 * flags.isEnabled('ai-chatbot'); // true for free plans in US/GB
 * flags.subscribe(() => console.log('maintenance', flags.isEnabled('maintenance-mode')), 'maintenance-mode');
 */
export { createClient } from './client.ts';
export type { ClientOptions, Context, Exposure, FlagClient, FlagResult, FlagStorage, FlagValue, Payload } from './types.ts';
