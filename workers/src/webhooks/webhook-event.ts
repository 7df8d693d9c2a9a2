/**
 * What a webhook receives: one event per audit entry about a flag or a release. The audit log
 * is the outbox (dispatch.ts), so everything that is audited — people, CI tokens and the release
 * conductor alike — is sent, and nothing that was not committed is.
 */
import type { AuditResourceType } from '../../../drizzle/schema.ts';

export interface WebhookEvent {
  /** `evt_<audit id>`: stable across retries, so receivers can drop duplicates. */
  id: string;
  /** `flag.<action>` or `release.<step>` (docs/webhooks.md lists them). */
  type: string;
  /** When the change was committed (ISO 8601). */
  at: string;
  environment: string | null;
  flag?: string;
  /** Who made the change: `name (token or person id)`, or the release conductor. */
  actor: string;
  data: { action: string; resourceType: string; resourceKey: string; before: unknown; after: unknown; reason: string | null };
}

/** The audit row fields an event is built from. */
export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  resourceType: AuditResourceType;
  resourceKey: string;
  environment: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
}

const FLAG_RESOURCES: ReadonlySet<string> = new Set(['flag', 'flag_config']);
const RELEASE_RESOURCES: ReadonlySet<string> = new Set(['release', 'approval']);

/** The event type of an audit entry, or undefined when it is not sent (keys, tokens, segments…). */
export function eventTypeOf(entry: { action: string; resourceType: string }): string | undefined {
  if (FLAG_RESOURCES.has(entry.resourceType)) return `flag.${entry.action.replace(/^flag\./, '')}`;
  if (RELEASE_RESOURCES.has(entry.resourceType)) return `release.${entry.action.replace(/^release\./, '')}`;
  return undefined;
}

/**
 * Whether a webhook's filter takes a type: exact names, `prefix.*` (any depth below it) or `*`.
 * `flag.*` takes `flag.enable` and `flag.config.update`, not `flagship.x`.
 */
export function matchesFilter(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

/** A release entry names its plan; the flag it belongs to is carried in its before/after. */
function flagOf(entry: AuditRow): string | undefined {
  if (FLAG_RESOURCES.has(entry.resourceType)) return entry.resourceKey;
  for (const side of [entry.after, entry.before]) {
    if (typeof side !== 'object' || side === null) continue;
    const s = side as Record<string, unknown>;
    const key = s.flagKey ?? s.flag;
    if (typeof key === 'string') return key;
  }
  return undefined;
}

export function toEvent(entry: AuditRow, type: string): WebhookEvent {
  const flag = flagOf(entry);
  return {
    id: `evt_${entry.id}`,
    type,
    at: new Date(entry.at).toISOString(),
    environment: entry.environment,
    ...(flag !== undefined && { flag }),
    actor: entry.actor,
    data: {
      action: entry.action,
      resourceType: entry.resourceType,
      resourceKey: entry.resourceKey,
      before: entry.before ?? null,
      after: entry.after ?? null,
      reason: entry.reason,
    },
  };
}
