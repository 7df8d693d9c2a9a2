import { z } from 'zod';
import { ContextSchema } from '../sdk/context.ts';

/** Limits on one exposure batch (README "Limits"); SDKs flush well below them. */
export const EVENT_LIMITS = {
  events: 500,
  bodyBytes: 64 * 1024,
  keyLength: 256,
} as const;

/**
 * What one source may write (docs/events.md). A source is a server key (a secret: one service)
 * or, for the public client key every browser shares, one hashed IP address. The caps bound one
 * caller's share of the impact sample and of the exposure counts, however fast it sends.
 */
export const SOURCE_LIMITS = {
  /** Contexts one source may hold in the 1,000-context impact sample (its newest are kept). */
  sampleShare: { client: 10, server: 500 },
  /** Exposures one source may have counted per hour (server time); past it they are dropped. */
  exposuresPerHour: { client: 5_000, server: 10_000_000 },
} as const;

const REASONS = ['DISABLED', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'ERROR', 'STATIC', 'CACHED', 'UNKNOWN'] as const;

export const ExposureSchema = z.object({
  flag: z.string().min(1).max(EVENT_LIMITS.keyLength),
  /** Absent when the SDK served its fallback (an error): counted as variant "" so errors show. */
  variant: z.string().max(EVENT_LIMITS.keyLength).optional(),
  reason: z.enum(REASONS).optional(),
  contextKey: z.string().min(1).max(EVENT_LIMITS.keyLength),
  /** When the SDK saw it. Checked for shape only: counts and samples use the Worker's clock. */
  at: z.number().int().nonnegative(),
  context: ContextSchema.optional(),
});

export const EventsBody = z.object({ events: z.array(ExposureSchema).min(1).max(EVENT_LIMITS.events) });

export type Exposure = z.infer<typeof ExposureSchema>;

export type SourceKind = 'server' | 'client';

/** One accepted request as it travels through the queue. */
export interface EventsMessage {
  environment: string;
  /** Server time the Worker received it: the hour it counts in and its age in the sample. */
  receivedAt: number;
  /** Who sent it (`key:<id>` or `ip:<hash>`), and by which kind of key: what its caps are. */
  source?: string;
  kind?: SourceKind;
  /** Validated against the snapshot: known flags (client-visible for client keys) and variants. */
  events: Exposure[];
  /** Contexts sampled from edge evaluations (browsers send them there, not with exposures). */
  contexts?: { contextKey: string; context: Record<string, unknown> }[];
}
