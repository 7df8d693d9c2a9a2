/** Lint output: for people, as JSON, or as GitHub Actions annotations on the pull request's diff. */
import type { Finding } from './rules.ts';
import type { DynamicRead, FlagRead } from './scan.ts';

export const FORMATS = ['human', 'json', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export interface LintResult {
  files: number;
  reads: FlagRead[];
  dynamic: DynamicRead[];
  findings: Finding[];
  source: string;
}

// Workflow-command escapes (docs.github.com "Workflow commands for GitHub Actions"): data escapes
// %, CR and LF; property values also `:` and `,`, which would end the property.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function githubAnnotation(f: Finding): string {
  const props = [`file=${escapeProperty(f.file)}`, `line=${f.line}`, `col=${f.col}`, `title=${escapeProperty(`edgeflags ${f.rule}`)}`];
  return `::error ${props.join(',')}::${escapeData(f.message)}`;
}

const summary = (r: LintResult) => {
  const keys = new Set(r.reads.map((x) => x.key)).size;
  const found = r.findings.length ? `${r.findings.length} problem${r.findings.length === 1 ? '' : 's'}` : 'no problems';
  return `edgeflags lint: ${found} in ${r.reads.length} flag reads (${keys} keys, ${r.files} files; checked against ${r.source})`;
};

export function render(result: LintResult, format: Format): string {
  if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  if (format === 'github') {
    const lines = result.findings.map(githubAnnotation);
    return `${[...lines, summary(result)].join('\n')}\n`;
  }
  const lines = result.findings.map((f) => `${f.file}:${f.line}:${f.col}  error  ${f.message}  [${f.rule}]`);
  return `${[...lines, summary(result)].join('\n')}\n`;
}
