import type { FlagRow, FlagSummary, Serve } from '../api/types.ts';

/** A flag untouched this long while serving one variant everywhere is a removal candidate. */
export const STALE_DAYS = 14;
const DAY_MS = 86_400_000;

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

export function isExpired(flag: Pick<FlagRow, 'expiresAt'>, now = Date.now()): boolean {
  return !!flag.expiresAt && flag.expiresAt < new Date(now).toISOString().slice(0, 10);
}

/** Nothing changed for STALE_DAYS and no environment is mid-rollout or running a split. */
export function isStale(flag: FlagSummary, now = Date.now()): boolean {
  const envs = Object.values(flag.environments);
  const last = Math.max(flag.updatedAt, ...envs.map((e) => e.updatedAt));
  if (now - last < STALE_DAYS * DAY_MS) return false;
  return envs.every((e) => !e.enabled || (e.defaultServe.variant !== undefined && e.rules === 0));
}

export type FlagStatus = 'on' | 'off' | 'rolling-out' | 'stale' | 'expired';

export interface FlagFilter {
  search: string;
  tag: string;
  owner: string;
  type: string;
  status: '' | FlagStatus;
  environment: string;
}

/** Applies the flags list's search and filters; `status` is judged in `environment`. */
export function filterFlags(flags: FlagSummary[], f: FlagFilter, now = Date.now()): FlagSummary[] {
  const q = f.search.trim().toLowerCase();
  return flags.filter((flag) => {
    if (q && ![flag.key, flag.name, flag.description].some((s) => s.toLowerCase().includes(q))) return false;
    if (f.tag && !flag.tags.includes(f.tag)) return false;
    if (f.owner && flag.owner !== f.owner) return false;
    if (f.type && flag.type !== f.type) return false;
    if (!f.status) return true;
    if (f.status === 'stale') return isStale(flag, now);
    if (f.status === 'expired') return isExpired(flag, now);
    const env = flag.environments[f.environment];
    if (!env) return false;
    if (f.status === 'off') return !env.enabled;
    const pct = rolloutPercent(env.defaultServe, env.offVariant);
    const partial = env.defaultServe.split !== undefined && pct !== 0 && pct !== 100;
    return env.enabled && (f.status === 'rolling-out' ? partial : !partial);
  });
}
