import type { FlagSummary } from '../api/types.ts';
import { isExpired, isStale, STALE_DAYS } from '../lib/flag-status.ts';

/** Lifecycle warnings: expired release flags and stale flags are code waiting to be removed. */
export function FlagBadges({ flag }: { flag: FlagSummary }) {
  return (
    <>
      {isExpired(flag) && (
        <span class="badge badge-danger" title={`Expired on ${flag.expiresAt}`}>
          expired
        </span>
      )}
      {isStale(flag) && (
        <span class="badge badge-warn" title={`Unchanged for ${STALE_DAYS}+ days and serving one variant everywhere: remove it from code`}>
          stale
        </span>
      )}
    </>
  );
}
