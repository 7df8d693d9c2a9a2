import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { FlagDefinition, MetricsPayload, OutcomeSummary, SegmentDefinition, SketchData, Snapshot } from '../src/index.ts';
import {
  FlagDefinitionSchema,
  type MetricsPayloadSchema,
  type OutcomeSummarySchema,
  type SegmentDefinitionSchema,
  type SketchDataSchema,
  type SnapshotSchema,
} from '../src/schema/index.ts';

// Pins the plain SDK interfaces to the zod schemas: `npm test` type-checks this file first, so a
// field added to one side only fails the build. zod never has to ship to a browser.
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

export type FlagPinned = Assert<Equal<z.infer<typeof FlagDefinitionSchema>, FlagDefinition>>;
export type SegmentPinned = Assert<Equal<z.infer<typeof SegmentDefinitionSchema>, SegmentDefinition>>;
export type SnapshotPinned = Assert<Equal<z.infer<typeof SnapshotSchema>, Snapshot>>;
export type SketchPinned = Assert<Equal<z.infer<typeof SketchDataSchema>, SketchData>>;
export type SummaryPinned = Assert<Equal<z.infer<typeof OutcomeSummarySchema>, OutcomeSummary>>;
export type PayloadPinned = Assert<Equal<z.infer<typeof MetricsPayloadSchema>, MetricsPayload>>;

describe('schema and interfaces', () => {
  it('parse a definition into the interface type unchanged', () => {
    const flag: FlagDefinition = {
      key: 'k',
      kind: 'string',
      variants: { a: 'a' },
      enabled: true,
      offVariant: 'a',
      defaultServe: { variant: 'a' },
    };
    const parsed: FlagDefinition = FlagDefinitionSchema.parse(flag);
    expect(parsed).toEqual(flag);
  });
});
