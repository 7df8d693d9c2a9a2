import type { EvaluationResult } from '@edgeflags/core';

/** Where a variant lives: a function of the variant, or a map of variant → path. */
export type VariantPaths = ((variant: string) => string | undefined) | Readonly<Record<string, string>>;

/**
 * A/B tests served by rewrites: flag key → (request pathname → variant paths). Pathnames match
 * exactly (after a trailing slash is dropped), so `/dashboard` never captures `/dashboard/x`.
 *
 * @example { 'redesigned-dashboard': { '/dashboard': (variant) => `/dashboard/${variant}` } }
 */
export type Experiments = Readonly<Record<string, Readonly<Record<string, VariantPaths>>>>;

export interface RewriteDecision {
  flag: string;
  variant: string;
  reason: EvaluationResult['reason'];
  /** Pathname to render; the browser's URL stays the same. */
  pathname: string;
}

function normalize(pathname: string): string {
  return pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
}

/**
 * The first experiment that covers `pathname` and served a variant decides the rewrite. No
 * variant (no snapshot yet, an error, an unknown flag) means no rewrite: the original page is
 * the default, which is why it should render the control.
 */
export function chooseRewrite(
  experiments: Experiments | undefined,
  pathname: string,
  evaluate: (flag: string) => EvaluationResult | undefined,
): RewriteDecision | undefined {
  if (!experiments) return undefined;
  const path = normalize(pathname);
  for (const flag in experiments) {
    const paths = experiments[flag]![path];
    if (!paths) continue;
    const result = evaluate(flag);
    if (!result || result.reason === 'ERROR' || result.variant === undefined) continue;
    const target =
      typeof paths === 'function' ? paths(result.variant) : Object.hasOwn(paths, result.variant) ? paths[result.variant] : undefined;
    if (!target || normalize(target) === path || !target.startsWith('/')) continue;
    return { flag, variant: result.variant, reason: result.reason, pathname: target };
  }
  return undefined;
}
