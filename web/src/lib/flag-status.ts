import type { FlagSummary, LifecycleState, Serve } from '../api/types.ts';

/** Percentage of the rolled-out (first non-off) variant, or undefined for multi-way splits. */
export function rolloutPercent(serve: Serve, offVariant: string): number | undefined {
  if (serve.variant !== undefined) return serve.variant === offVariant ? 0 : 100;
  const split = serve.split ?? [];
  const rolled = split.filter((w) => w.variant !== offVariant);
  if (rolled.length !== 1 || split.length > 2) return undefined;
  return rolled[0]!.weight;
}

/** A short, readable description of what the default rule serves: "on", "25% on", "treatment 50 · control 50". */
export function serveLabel(serve: Serve, offVariant: string): string {
  if (serve.variant !== undefined) return serve.variant;
  const split = serve.split ?? [];
  const pct = rolloutPercent(serve, offVariant);
  const rolled = split.find((w) => w.variant !== offVariant);
  if (pct !== undefined && rolled && split.length === 2) return `${pct}% ${rolled.variant}`;
  return split.map((w) => `${w.variant} ${w.weight}`).join(' · ');
}

/** On or off in the chosen environment, or the server's lifecycle state there (never computed here). */
export type FlagStatus = 'on' | 'off' | LifecycleState;

export interface FlagFilter {
  search: string;
  tag: string;
  owner: string;
  type: string;
  status: '' | FlagStatus;
  environment: string;
}

/** Applies the flags list's search and filters; `status` is judged in `environment`, by the server's answer. */
export function filterFlags(flags: FlagSummary[], f: FlagFilter): FlagSummary[] {
  const q = f.search.trim().toLowerCase();
  return flags.filter((flag) => {
    if (q && ![flag.key, flag.name, flag.description].some((s) => s.toLowerCase().includes(q))) return false;
    if (f.tag && !flag.tags.includes(f.tag)) return false;
    if (f.owner && flag.owner !== f.owner) return false;
    if (f.type && flag.type !== f.type) return false;
    if (!f.status) return true;
    const env = flag.environments[f.environment];
    if (!env) return false;
    if (f.status === 'on' || f.status === 'off') return env.enabled === (f.status === 'on');
    return env.lifecycle?.state === f.status;
  });
}
