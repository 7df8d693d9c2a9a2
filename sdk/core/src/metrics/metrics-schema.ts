import { z } from 'zod';
import { Key } from '../schema/condition-schema.ts';
import { METRICS_LIMITS } from './outcomes.ts';
import { SKETCH_MAX_BUCKETS, SKETCH_MAX_INDEX, SKETCH_RELATIVE_ACCURACY } from './sketch.ts';

/**
 * The validating twin of `MetricsPayload` (a type-level test pins the two). It bounds the shape:
 * what the snapshot allows (tracked flags, real variants, client visibility) is the edge's check.
 */

const Count = z.number().int().min(0).max(METRICS_LIMITS.count);
const Finite = z.number().refine(Number.isFinite, 'must be finite');
const BUCKET_INDEX = /^-?\d{1,5}$/;

export const SketchDataSchema = z
  .strictObject({
    // One accuracy on the wire: sketches merge only when their bucket boundaries agree.
    a: z.number().refine((a): boolean => a === SKETCH_RELATIVE_ACCURACY, `relative accuracy must be ${SKETCH_RELATIVE_ACCURACY}`),
    b: z.record(z.string().regex(BUCKET_INDEX, 'bucket indices are integers'), z.number().int().positive()),
    z: Count,
    n: Count,
    s: Finite,
  })
  .superRefine((d, ctx) => {
    const issue = (message: string, path: PropertyKey[]) => ctx.addIssue({ code: 'custom', message, path });
    const indices = Object.keys(d.b);
    if (indices.length > SKETCH_MAX_BUCKETS) issue(`at most ${SKETCH_MAX_BUCKETS} buckets`, ['b']);
    let total = d.z;
    for (const i of indices) {
      if (Math.abs(Number(i)) > SKETCH_MAX_INDEX) issue(`bucket index ${i} is out of range ±${SKETCH_MAX_INDEX}`, ['b', i]);
      total += d.b[i] ?? 0;
    }
    if (total !== d.n) issue('n must equal z plus the bucket counts', ['n']);
  });

// zod's record drops a `__proto__` key itself, so an event name cannot reach an object's prototype.
const EventName = z.string().min(1).max(METRICS_LIMITS.eventNameLength);

export const OutcomeSummarySchema = z
  .strictObject({
    flag: Key,
    variant: z.string().min(1).max(64),
    count: Count,
    errors: Count,
    latency: SketchDataSchema.optional(),
    events: z.record(EventName, z.strictObject({ count: Count, sum: Finite })).optional(),
  })
  .superRefine((s, ctx) => {
    const issue = (message: string, path: PropertyKey[]) => ctx.addIssue({ code: 'custom', message, path });
    if (s.errors > s.count) issue('errors cannot exceed count', ['errors']);
    if (s.latency && s.latency.n > s.count) issue('latency.n cannot exceed count', ['latency', 'n']);
    if (s.events && Object.keys(s.events).length > METRICS_LIMITS.eventNames)
      issue(`at most ${METRICS_LIMITS.eventNames} event names per summary`, ['events']);
  });

export const MetricsPayloadSchema = z.strictObject({
  windowMs: z.number().int().positive().max(3_600_000),
  summaries: z.array(OutcomeSummarySchema).max(METRICS_LIMITS.summaries),
});
