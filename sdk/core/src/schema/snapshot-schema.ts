import { z } from 'zod';
import { MAX_PREREQUISITE_DEPTH, MAX_PREREQUISITE_FLAGS } from '../limits.ts';
import { prerequisiteReach } from '../prerequisite-reach.ts';
import { findPrerequisiteCycles } from '../snapshot.ts';
import { Key } from './condition-schema.ts';
import { FlagDefinitionSchema, SegmentDefinitionSchema } from './flag-schema.ts';

/**
 * A whole environment: each flag valid on its own, plus what only the set can tell — duplicate
 * keys, prerequisites naming missing flags or variants, cycles, unknown segments, and
 * prerequisite chains too deep or too wide for one evaluation to stay cheap.
 */
export const SnapshotSchema = z
  .strictObject({
    environment: z.string().min(1).max(64),
    version: z.number().int().nonnegative(),
    flags: z.array(FlagDefinitionSchema).max(10_000),
    segments: z.array(SegmentDefinitionSchema).max(1_000).optional(),
    tracked: z.array(Key).max(10_000).optional(),
  })
  .superRefine((s, ctx) => {
    const issue = (message: string, path: PropertyKey[]) => ctx.addIssue({ code: 'custom', message, path });
    const flags = new Map<string, (typeof s.flags)[number]>();
    s.flags.forEach((f, i) => {
      if (flags.has(f.key)) issue(`flag key "${f.key}" is used twice`, ['flags', i, 'key']);
      flags.set(f.key, f);
    });
    const segments = new Set<string>();
    s.segments?.forEach((g, i) => {
      if (segments.has(g.key)) issue(`segment key "${g.key}" is used twice`, ['segments', i, 'key']);
      segments.add(g.key);
    });
    s.flags.forEach((f, i) => {
      f.prerequisites?.forEach((p, j) => {
        const target = flags.get(p.flag);
        if (!target) {
          issue(`prerequisite flag "${p.flag}" does not exist`, ['flags', i, 'prerequisites', j, 'flag']);
          return;
        }
        for (const [k, v] of p.variants.entries()) {
          if (!Object.hasOwn(target.variants, v))
            issue(`flag "${p.flag}" has no variant "${v}"`, ['flags', i, 'prerequisites', j, 'variants', k]);
        }
      });
      for (const [j, r] of (f.rules ?? []).entries()) {
        for (const [k, c] of r.conditions.entries()) {
          if (c.op !== 'inSegment' && c.op !== 'notInSegment') continue;
          for (const [m, v] of c.values.entries()) {
            if (!segments.has(String(v))) issue(`segment "${v}" does not exist`, ['flags', i, 'rules', j, 'conditions', k, 'values', m]);
          }
        }
      }
    });
    const cycles = findPrerequisiteCycles(s.flags);
    s.flags.forEach((f, i) => {
      const cycle = cycles.get(f.key);
      if (cycle) issue(`prerequisite cycle ${cycle}`, ['flags', i, 'prerequisites']);
    });
    const reach = prerequisiteReach(s.flags);
    s.flags.forEach((f, i) => {
      const r = reach.get(f.key);
      if (!r || flags.get(f.key) !== f) return;
      if (r.depth > MAX_PREREQUISITE_DEPTH)
        issue(`prerequisites nest ${r.depth} deep; at most ${MAX_PREREQUISITE_DEPTH} levels (MAX_PREREQUISITE_DEPTH)`, [
          'flags',
          i,
          'prerequisites',
        ]);
      if (r.flags > MAX_PREREQUISITE_FLAGS)
        issue(
          `prerequisites reach more than ${MAX_PREREQUISITE_FLAGS} flags; at most ${MAX_PREREQUISITE_FLAGS} may be reachable from one flag (MAX_PREREQUISITE_FLAGS)`,
          ['flags', i, 'prerequisites'],
        );
    });
  });

type Issue = z.core.$ZodIssue;
interface Keyed {
  flags?: readonly { key: string }[];
  segments?: readonly { key: string }[];
}

/**
 * The issues of `after` that `before` (what is stored) does not already have. Validation grows
 * stricter over time (RE2's dialect, prerequisite limits), and a rule stored before must not
 * block every later write to its environment: a write is refused for what it introduces, while
 * what was stored is listed by `storedIssues` and answers PARSE_ERROR when evaluated. Issues are
 * matched by flag or segment key, not index, since a write may move an entry.
 */
export function introducedIssues(before: Keyed, after: Keyed, issues: readonly Issue[]): Issue[] {
  const stored = new Set(storedIssues(before).map((i) => issueId(before, i)));
  return issues.filter((i) => !stored.has(issueId(after, i)));
}

/** Every validation issue of a stored snapshot (none when it validates). */
export function storedIssues(snapshot: unknown): Issue[] {
  return SnapshotSchema.safeParse(snapshot).error?.issues ?? [];
}

function issueId(snapshot: Keyed, issue: Issue): string {
  const [group, index, ...rest] = issue.path;
  const entries = group === 'flags' ? snapshot.flags : group === 'segments' ? snapshot.segments : undefined;
  const key = typeof index === 'number' ? entries?.[index]?.key : undefined;
  return JSON.stringify([group, key ?? index, rest, issue.message]);
}
