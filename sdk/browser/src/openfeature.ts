/**
 * @edgeflags/browser/openfeature — an OpenFeature web provider, so apps that already speak
 * OpenFeature plug edgeflags in without learning its API. Values are evaluated at the edge for
 * the static context; the change stream keeps them fresh and emits ConfigurationChanged.
 *
 * @example
 * import { OpenFeature } from '@openfeature/web-sdk';
 * import { EdgeflagsWebProvider } from '@edgeflags/browser/openfeature';
 *
 * await OpenFeature.setProviderAndWait(
 *   new EdgeflagsWebProvider({ url: 'http://127.0.0.1:8787', clientKey: 'efc_LocalDevClientKeyDoNotUseInProd001' }),
 *   { targetingKey: 'user-42', plan: 'free', country: 'US' },
 * );
 * const flags = OpenFeature.getClient();
 * flags.getStringValue('redesigned-dashboard', 'control');
 * flags.addHandler(ProviderEvents.ConfigurationChanged, ({ flagsChanged }) => console.log(flagsChanged));
 * flags.track('invoice-created', { value: 120 }); // guarded releases: counts for this page's variants
 */
import {
  ErrorCode,
  type EvaluationContext,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
  type TrackingEventDetails,
} from '@openfeature/web-sdk';
import { createClient } from './client.ts';
import { type OutcomeOptions, type PageOutcomes, recordOutcomes } from './outcomes.ts';
import type { ClientOptions, Context, FlagClient, FlagResult } from './types.ts';

export interface EdgeflagsProviderOptions extends Omit<ClientOptions, 'context'> {
  /**
   * Page outcomes for flags under a release plan (@edgeflags/browser/outcomes), which `track`
   * feeds: on by default (nothing is sent while no plan is live); `{ captureErrors: true }` also
   * counts uncaught errors, `false` turns outcomes and `track` off.
   */
  outcomes?: boolean | Pick<OutcomeOptions, 'captureErrors' | 'flushIntervalMs'>;
}

/** OpenFeature contexts may nest; the edge takes flat attributes, so nested values are dropped. */
function flatten(context: EvaluationContext = {}): Context {
  const flat: Context = {};
  for (const [key, v] of Object.entries(context)) {
    if (v instanceof Date) flat[key] = v.toISOString();
    else if (v === null || typeof v !== 'object') flat[key] = v ?? null;
    else if (Array.isArray(v) && v.every((x) => x !== null && typeof x !== 'object')) flat[key] = v as string[];
  }
  return flat;
}

export class EdgeflagsWebProvider implements Provider {
  readonly metadata = { name: 'edgeflags' } as const;
  readonly runsOn = 'client' as const;
  readonly events = new OpenFeatureEventEmitter();
  /** The underlying client, for apps that also read flags or snapshots directly. */
  client: FlagClient | undefined;
  /** The page's outcome recorder, while initialised with outcomes on. */
  outcomes: PageOutcomes | undefined;
  readonly #options: EdgeflagsProviderOptions;

  constructor(options: EdgeflagsProviderOptions) {
    this.#options = options;
  }

  async initialize(context?: EvaluationContext): Promise<void> {
    this.client?.close();
    this.outcomes?.close();
    const { outcomes, ...options } = this.#options;
    const client = createClient({ ...options, context: flatten(context) });
    this.client = client;
    if (outcomes !== false) {
      const { url, clientKey, fetch } = options;
      this.outcomes = recordOutcomes(client, { url, clientKey, fetch, ...(typeof outcomes === 'object' && outcomes) });
    }
    let seen = client.snapshot()?.flags ?? {};
    client.subscribe(() => {
      // The client keeps an unchanged result's identity, so a reference check finds what changed.
      const now = client.snapshot()?.flags ?? {};
      const flagsChanged = [...new Set([...Object.keys(seen), ...Object.keys(now)])].filter((k) => seen[k] !== now[k]);
      seen = now;
      if (flagsChanged.length) this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged });
    });
    await client.ready();
  }

  onContextChange(_old: EvaluationContext, next: EvaluationContext): Promise<void> {
    return this.client?.setContext(flatten(next)) ?? Promise.resolve();
  }

  async onClose(): Promise<void> {
    this.outcomes?.close();
    this.client?.close();
  }

  /** OpenFeature's tracking API: a named event for this page's variants of flags under a plan; `details.value` is its value. */
  track(trackingEventName: string, _context?: EvaluationContext, trackingEventDetails?: TrackingEventDetails): void {
    this.outcomes?.track(trackingEventName, trackingEventDetails?.value);
  }

  resolveBooleanEvaluation(key: string, fallback: boolean): ResolutionDetails<boolean> {
    return this.#resolve(key, fallback, (v) => typeof v === 'boolean');
  }

  resolveStringEvaluation(key: string, fallback: string): ResolutionDetails<string> {
    return this.#resolve(key, fallback, (v) => typeof v === 'string');
  }

  resolveNumberEvaluation(key: string, fallback: number): ResolutionDetails<number> {
    return this.#resolve(key, fallback, (v) => typeof v === 'number');
  }

  resolveObjectEvaluation<T extends JsonValue>(key: string, fallback: T): ResolutionDetails<T> {
    return this.#resolve(key, fallback, (v) => v !== null && typeof v === 'object');
  }

  #resolve<T>(key: string, fallback: T, isType: (v: unknown) => boolean): ResolutionDetails<T> {
    const r = this.client?.result(key) as FlagResult | undefined;
    if (!r)
      return { value: fallback, reason: 'ERROR', errorCode: ErrorCode.FLAG_NOT_FOUND, errorMessage: `no client-visible flag "${key}"` };
    const { variant, reason } = r;
    if (reason === 'ERROR') return { value: fallback, variant, reason, errorCode: (r.errorCode as ErrorCode) ?? ErrorCode.GENERAL };
    if (!isType(r.value)) return { value: fallback, variant, reason: 'ERROR', errorCode: ErrorCode.TYPE_MISMATCH };
    return { value: r.value as T, variant, reason };
  }
}
