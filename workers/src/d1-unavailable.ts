// D1 failures that mean "the database is unreachable right now", not "this query is wrong".
// They answer 503 `unavailable` (retry later) instead of 500: D1 is the source of truth, so
// while it is down nothing can be acknowledged, and SDKs keep serving the last snapshot they
// have from the hub and their isolate copies (docs/delivery.md, "When D1 is unavailable").
// Messages as D1 reports them (developers.cloudflare.com/d1/observability/debug-d1/), e.g.
// "D1_ERROR: Network connection lost.", "D1 DB is overloaded. Requests queued for too long.",
// "D1 DB storage operation exceeded timeout which caused object to be reset."

const FROM_D1 = /\bD1(_[A-Z]+)?\b/;
const TRANSIENT = /network connection lost|overloaded|reset|timed? ?out|timeout|transient|unavailable|internal error/i;

/** True for a D1 outage, looking through drizzle's wrapping (`cause`) as well. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (FROM_D1.test(e.message) && TRANSIENT.test(e.message)) return true;
  }
  return false;
}
