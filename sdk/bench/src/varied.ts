/**
 * The realistic state: an application's SDK holds many flags and evaluates them all, so the
 * evaluator's shared code has seen every operator, attribute and context shape before the two
 * timed flags run. Each SDK gets the same VARIED_FLAG_COUNT boolean flags, written in its own
 * format (see each adapter's `varied*` function), in the same configuration as the two timed
 * flags, and evaluates every one of them for every WARM_USERS context before it is timed.
 *
 * The vocabulary is what every SDK measured can express natively: set membership, suffix and
 * prefix, numeric and semantic-version comparisons, an AND of two conditions, individual
 * targets, and percentage rollouts by user id.
 */

export type VariedRule =
  | { kind: 'in'; attribute: 'country' | 'plan'; values: string[] }
  | { kind: 'endsWith'; attribute: 'email'; values: string[] }
  | { kind: 'startsWith'; attribute: 'path'; values: string[] }
  | { kind: 'gte'; attribute: 'seats'; value: number }
  | { kind: 'semverGte'; attribute: 'appVersion'; value: string }
  | { kind: 'planAndSeats'; plan: string; seats: number };

export interface VariedFlag {
  key: string;
  /** Users whose id is listed are on. */
  targets: string[];
  /** When set, users matching it get `rulePercent`% on (by user id); the rest fall through. */
  rule: VariedRule | undefined;
  rulePercent: number;
  /** Percent on for everyone else, by user id (0: off). */
  fallthroughPercent: number;
}

export interface VariedUser {
  id: string;
  country: string;
  plan: string;
  email: string;
  path: string;
  seats: number;
  appVersion: string;
}

export const VARIED_FLAG_COUNT = 1000;
const WARM_USER_COUNT = 24;
/** Passes over every flag × user: enough for each SDK's JIT to settle on what it has seen. */
export const WARM_PASSES = 4;

const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'CA', 'JP', 'BR', 'IN', 'AU', 'NL', 'SE', 'ES'];
const PLANS = ['free', 'pro', 'business', 'enterprise'];

export function buildVariedFlags(n = VARIED_FLAG_COUNT): VariedFlag[] {
  return Array.from({ length: n }, (_, i): VariedFlag => {
    const pick = (list: readonly string[], k: number) => Array.from({ length: k }, (_, j) => list[(i + j * 5) % list.length]!);
    const rules: (VariedRule | undefined)[] = [
      undefined,
      { kind: 'in', attribute: 'country', values: pick(COUNTRIES, 3) },
      { kind: 'endsWith', attribute: 'email', values: [`@corp${i % 40}.example.com`, '@example.org'] },
      { kind: 'startsWith', attribute: 'path', values: ['/beta', `/labs/${i % 9}`] },
      { kind: 'gte', attribute: 'seats', value: 10 + (i % 200) },
      { kind: 'semverGte', attribute: 'appVersion', value: `2.${i % 10}.0` },
      { kind: 'planAndSeats', plan: PLANS[i % PLANS.length]!, seats: i % 50 },
      { kind: 'in', attribute: 'plan', values: pick(PLANS, 2) },
    ];
    return {
      key: `varied-${i}`,
      targets: i % 5 === 0 ? Array.from({ length: 10 }, (_, j) => `warm-${(i + j) % 97}`) : [],
      rule: rules[i % rules.length],
      rulePercent: [100, 50, 10, 100, 25][i % 5]!,
      fallthroughPercent: [0, 5, 0, 50, 100, 0][i % 6]!,
    };
  });
}

export function buildWarmUsers(n = WARM_USER_COUNT): VariedUser[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `warm-${i * 4}`,
    country: COUNTRIES[i % COUNTRIES.length]!,
    plan: PLANS[i % PLANS.length]!,
    email: `user${i}@corp${i % 40}.example.com`,
    path: i % 3 === 0 ? `/labs/${i % 9}/x` : '/home',
    seats: (i * 37) % 300,
    appVersion: `${1 + (i % 3)}.${i % 10}.${i % 4}`,
  }));
}
