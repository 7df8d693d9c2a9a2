/**
 * @edgeflags/node/openfeature — an OpenFeature server provider over @edgeflags/node: the same
 * local, synchronous evaluation, behind the vendor-neutral OpenFeature API.
 *
 * @example
 * import { OpenFeature } from '@openfeature/server-sdk';
 * import { EdgeflagsProvider } from '@edgeflags/node/openfeature';
 * await OpenFeature.setProviderAndWait(new EdgeflagsProvider({ url: 'http://127.0.0.1:8787', serverKey: process.env.EDGEFLAGS_SERVER_KEY }));
 * const client = OpenFeature.getClient();
 * await client.getBooleanValue('new-pdf-engine', false, { targetingKey: 'u-1', accountId: 'acct-42' });
 * await client.getStringDetails('redesigned-dashboard', 'control', { targetingKey: 'u-1' }); // { value, variant, reason }
 * client.track('invoice-created', { targetingKey: 'u-1', accountId: 'acct-42' }, { value: 120 }); // guarded releases
 * await OpenFeature.close();
 */
import type { EvaluationContext } from '@edgeflags/core';
import {
  ErrorCode,
  type JsonValue,
  type EvaluationContext as OpenFeatureContext,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
  type TrackingEventDetails,
} from '@openfeature/server-sdk';
import { createClient, type EdgeflagsClient } from './client.ts';
import type { ClientOptions } from './options.ts';

const ERROR_CODES = new Set<string>(Object.values(ErrorCode));

export class EdgeflagsProvider implements Provider {
  readonly metadata = { name: 'edgeflags' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  /** The underlying client, for what OpenFeature has no word for (e.g. `allFlags` for SSR bootstrap). */
  readonly client: EdgeflagsClient;
  readonly #owned: boolean;
  readonly #unsubscribe: () => void;
  #ready = false;

  /** Pass options to let the provider own its client (closed by `OpenFeature.close()`), or share an existing client. */
  constructor(clientOrOptions: EdgeflagsClient | ClientOptions) {
    this.#owned = !isClient(clientOrOptions);
    this.client = isClient(clientOrOptions) ? clientOrOptions : createClient(clientOrOptions);
    this.#unsubscribe = this.client.onChange((e) => {
      if (!this.#ready) {
        // Initialisation timed out earlier: this is the provider recovering.
        this.#ready = true;
        this.events.emit(ProviderEvents.Ready, { message: `snapshot v${e.version}` });
      } else {
        this.events.emit(ProviderEvents.ConfigurationChanged, { message: `snapshot v${e.version}` });
      }
    });
  }

  /** Rejects (provider ERROR) when no snapshot arrives within `readyTimeoutMs`; a later snapshot emits READY. */
  async initialize(): Promise<void> {
    this.#ready = await this.client.ready();
    if (!this.#ready) throw new Error('edgeflags: no snapshot within readyTimeoutMs; serving defaults until one arrives');
  }

  async onClose(): Promise<void> {
    this.#unsubscribe();
    if (this.#owned) await this.client.close();
  }

  async resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: OpenFeatureContext): Promise<ResolutionDetails<boolean>> {
    return this.#resolve(flagKey, defaultValue, context);
  }

  async resolveStringEvaluation(flagKey: string, defaultValue: string, context: OpenFeatureContext): Promise<ResolutionDetails<string>> {
    return this.#resolve(flagKey, defaultValue, context);
  }

  async resolveNumberEvaluation(flagKey: string, defaultValue: number, context: OpenFeatureContext): Promise<ResolutionDetails<number>> {
    return this.#resolve(flagKey, defaultValue, context);
  }

  async resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: OpenFeatureContext,
  ): Promise<ResolutionDetails<T>> {
    return this.#resolve(flagKey, defaultValue, context);
  }

  /**
   * OpenFeature's tracking API, mapped to the client's `track`: inside a scope (`client.wrap`,
   * `run`, `measure`) the event joins that request's outcome; outside one, the context
   * attributes it to the variants it is served of the flags under a release plan.
   * `details.value` is the event's value. Never throws.
   */
  track(trackingEventName: string, context: OpenFeatureContext, trackingEventDetails: TrackingEventDetails): void {
    const ctx = typeof context === 'object' && context !== null && !Array.isArray(context) ? toEdgeflagsContext(context) : undefined;
    this.client.track(trackingEventName, trackingEventDetails?.value, ctx);
  }

  #resolve<T>(flagKey: string, defaultValue: T, context: OpenFeatureContext): ResolutionDetails<T> {
    if (this.client.version === 0) {
      return { value: defaultValue, reason: 'ERROR', errorCode: ErrorCode.PROVIDER_NOT_READY, errorMessage: 'no snapshot loaded yet' };
    }
    const r = this.client.evaluate(flagKey, toEdgeflagsContext(context), defaultValue as never);
    if (r.reason === 'ERROR') {
      const code = r.errorCode && ERROR_CODES.has(r.errorCode) ? (r.errorCode as ErrorCode) : ErrorCode.GENERAL;
      return { value: defaultValue, reason: 'ERROR', errorCode: code, errorMessage: r.errorMessage };
    }
    const flagMetadata: Record<string, string | number> = {};
    if (r.ruleId !== undefined) flagMetadata.ruleId = r.ruleId;
    if (r.ruleIndex !== undefined) flagMetadata.ruleIndex = r.ruleIndex;
    return { value: r.value as T, variant: r.variant, reason: r.reason, flagMetadata };
  }
}

function isClient(value: EdgeflagsClient | ClientOptions): value is EdgeflagsClient {
  return typeof (value as EdgeflagsClient).isEnabled === 'function';
}

/**
 * edgeflags contexts are flat: dates become ISO strings (what `before`/`after` compare) and
 * nested objects are left out. A context that is already flat is passed through uncopied.
 */
export function toEdgeflagsContext(ctx: OpenFeatureContext): EvaluationContext {
  let flat = true;
  for (const key in ctx) {
    const v = ctx[key];
    if (v !== null && typeof v === 'object' && !isScalarList(v)) {
      flat = false;
      break;
    }
  }
  if (flat) return ctx as EvaluationContext;
  const out: EvaluationContext = {};
  for (const key in ctx) {
    const v = ctx[key];
    if (v instanceof Date) out[key] = v.toISOString();
    else if (v === null || typeof v !== 'object') out[key] = v as string | number | boolean | null;
    else if (isScalarList(v)) out[key] = v as (string | number | boolean)[];
  }
  return out;
}

function isScalarList(v: object): boolean {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean');
}
