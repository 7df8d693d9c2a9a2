import { z } from 'zod';
import { ContextSchema } from '../sdk/context.ts';

/** Limits on one exposure batch (README "Limits"); SDKs flush well below them. */
export const EVENT_LIMITS = {
  events: 500,
  bodyBytes: 64 * 1024,
  keyLength: 256,
  futureSkewMs: 5 * 60_000,
  pastMs: 7 * 24 * 3_600_000,
} as const;

const REASONS = ['DISABLED', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'ERROR', 'STATIC', 'CACHED', 'UNKNOWN'] as const;

export const ExposureSchema = z.object({
  flag: z.string().min(1).max(EVENT_LIMITS.keyLength),
  /** Absent when the SDK served its fallback (an error): counted as variant "" so errors show. */
  variant: z.string().max(EVENT_LIMITS.keyLength).optional(),
  reason: z.enum(REASONS).optional(),
  contextKey: z.string().min(1).max(EVENT_LIMITS.keyLength),
  at: z.number().int().nonnegative(),
  context: ContextSchema.optional(),
});

export const EventsBody = z.object({ events: z.array(ExposureSchema).min(1).max(EVENT_LIMITS.events) });

export type Exposure = z.infer<typeof ExposureSchema>;

/** One accepted request as it travels through the queue. */
export interface EventsMessage {
  environment: string;
  receivedAt: number;
  events: Exposure[];
  /** Contexts sampled from edge evaluations (browsers send them there, not with exposures). */
  contexts?: { contextKey: string; context: Record<string, unknown> }[];
}
