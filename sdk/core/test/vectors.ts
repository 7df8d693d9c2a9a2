import type { EvaluationContext, FlagDefinition, JsonValue, SegmentDefinition } from '../src/index.ts';
import raw from '../vectors/vectors.json' with { type: 'json' };

export interface VectorCase {
  name: string;
  flag: string;
  context: EvaluationContext;
  default?: JsonValue;
  expect: Record<string, unknown>;
}

export interface VectorSuite {
  name: string;
  flags: FlagDefinition[];
  segments?: SegmentDefinition[];
  cases: VectorCase[];
}

export interface VectorFile {
  specVersion: string;
  hash: { input: string; seed: number; hash: number }[];
  bucket: { salt: string; value: string; bucket: number }[];
  suites: VectorSuite[];
}

/** The language-neutral semantics every runtime must reproduce. */
export const vectors = raw as unknown as VectorFile;
