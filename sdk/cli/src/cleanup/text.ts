/**
 * Text edits at node ranges (the rest of the file stays byte for byte), the layout helpers the
 * rewrites need, and a unified diff of the result.
 */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits (any order). */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** The outermost edits that do not overlap, the rest left for the next pass. */
export function disjoint<T extends Edit>(edits: readonly T[]): T[] {
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  const chosen: T[] = [];
  for (const e of sorted) {
    const last = chosen.at(-1);
    if (last && e.start < last.end) continue;
    chosen.push(e);
  }
  return chosen;
}

const lineStart = (text: string, pos: number) => text.lastIndexOf('\n', pos - 1) + 1;
export const indentAt = (text: string, pos: number) => /^[ \t]*/.exec(text.slice(lineStart(text, pos)))?.[0] ?? '';

/** A statement's range widened to whole lines when it has them to itself, so no blank line is left. */
export function wholeLines(text: string, start: number, end: number): { start: number; end: number } {
  const from = lineStart(text, start);
  const before = text.slice(from, start);
  const nl = text.indexOf('\n', end);
  const after = text.slice(end, nl === -1 ? text.length : nl);
  if (before.trim() || after.trim()) return { start, end };
  return { start: from, end: nl === -1 ? text.length : nl + 1 };
}

/**
 * The statements between a block's braces, moved out one level: each line loses the extra
 * indentation, and the first line's own indentation (the replaced statement supplies it).
 */
export function unwrapBlock(text: string, open: number, close: number, outerIndent: string): string {
  const inner = text
    .slice(open + 1, close)
    .replace(/^[ \t]*\r?\n/, '')
    .replace(/\s+$/, '');
  const innerIndent = /^[ \t]*/.exec(inner)?.[0] ?? '';
  const extra = innerIndent.length > outerIndent.length ? innerIndent.slice(outerIndent.length) : '';
  const lines = inner
    .split('\n')
    .map((l) => (extra && l.startsWith(outerIndent + extra) ? outerIndent + l.slice(outerIndent.length + extra.length) : l));
  return lines.join('\n').slice(outerIndent.length);
}

/** A unified diff (3 lines of context) from `a` to `b`, or '' when they are equal. */
export function unifiedDiff(file: string, a: string, b: string): string {
  if (a === b) return '';
  const x = a.split('\n');
  const y = b.split('\n');
  // LCS table from the end: files a cleanup touches are small enough for O(n·m).
  const lcs = Array.from({ length: x.length + 1 }, () => new Uint32Array(y.length + 1));
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: { op: ' ' | '-' | '+'; line: string; i: number; j: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) ops.push({ op: ' ', line: x[i]!, i: i++, j: j++ });
    else if (j < y.length && (i >= x.length || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) ops.push({ op: '+', line: y[j]!, i, j: j++ });
    else ops.push({ op: '-', line: x[i]!, i: i++, j });
  }
  const out = [`--- a/${file}`, `+++ b/${file}`];
  const changed = ops.flatMap((o, k) => (o.op === ' ' ? [] : [k]));
  // Changes within 6 lines of each other share a hunk; each hunk has 3 lines of context.
  const groups: number[][] = [];
  for (const k of changed) {
    const g = groups.at(-1);
    if (g && k - g.at(-1)! <= 7) g.push(k);
    else groups.push([k]);
  }
  for (const g of groups) {
    const hunk = ops.slice(Math.max(0, g[0]! - 3), Math.min(ops.length, g.at(-1)! + 4));
    const aLen = hunk.filter((o) => o.op !== '+').length;
    const bLen = hunk.filter((o) => o.op !== '-').length;
    out.push(
      `@@ -${hunk[0]!.i + (aLen ? 1 : 0)},${aLen} +${hunk[0]!.j + (bLen ? 1 : 0)},${bLen} @@`,
      ...hunk.map((o) => `${o.op}${o.line}`),
    );
  }
  return `${out.join('\n')}\n`;
}
