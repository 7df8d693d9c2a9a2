/** The lint rules: each read of a flag judged against the manifest. */
import type { Manifest } from './manifest.ts';
import type { FlagRead } from './scan.ts';

export type Rule = 'unknown-flag' | 'archived-flag' | 'expired-flag' | 'policy-violation';

export interface Finding {
  rule: Rule;
  key: string;
  file: string;
  line: number;
  col: number;
  message: string;
}

/** Levenshtein distance, two rows (keys are short). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The closest live key, if it is close enough to be a typo (a third of the key, at least 2 edits). */
export function didYouMean(key: string, candidates: readonly string[]): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(key, c);
    if (!best || d < best.d) best = { key: c, d };
  }
  return best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}

/** `today` is `YYYY-MM-DD` (UTC); a flag expires at the end of its expiry day. */
export function judge(reads: readonly FlagRead[], manifest: Manifest, today: string): Finding[] {
  const flags = new Map(manifest.flags.map((f) => [f.key, f]));
  const live = manifest.flags.filter((f) => !f.archived).map((f) => f.key);
  const policy = Map.groupBy(manifest.policy, (v) => v.flagKey);
  const findings: Finding[] = [];
  for (const read of reads) {
    const at = { key: read.key, file: read.file, line: read.line, col: read.col };
    const flag = flags.get(read.key);
    if (!flag) {
      const guess = didYouMean(read.key, live);
      const hint = guess ? ` (did you mean "${guess}"?)` : '';
      findings.push({ rule: 'unknown-flag', ...at, message: `unknown flag "${read.key}"${hint}` });
      continue;
    }
    if (flag.archived) {
      findings.push({
        rule: 'archived-flag',
        ...at,
        message: `flag "${read.key}" is archived: remove this read (edgeflags cleanup ${read.key})`,
      });
      continue;
    }
    if (flag.expiresAt && flag.expiresAt < today) {
      const owner = flag.owner ? `, owner ${flag.owner}` : '';
      findings.push({
        rule: 'expired-flag',
        ...at,
        message: `flag "${read.key}" expired on ${flag.expiresAt}${owner}: remove it or extend its expiry`,
      });
    }
    for (const v of policy.get(read.key) ?? [])
      findings.push({ rule: 'policy-violation', ...at, message: `flag "${read.key}" breaks policy ${v.rule}: ${v.message}` });
  }
  return findings;
}
