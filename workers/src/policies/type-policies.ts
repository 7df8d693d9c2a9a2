import type { Serve } from '@edgeflags/core';
import { compilePattern } from '@edgeflags/core/schema';
import type { Context } from 'hono';
import type { flagConfigs, flags } from '../../../drizzle/schema.ts';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import { RULES, type RuleName } from './policy-schemas.ts';
import { type Policies, policiesFor } from './policy-settings.ts';
import { type ServedConfig, servedStates } from './served-states.ts';

type FlagRow = typeof flags.$inferSelect;
type ConfigRow = typeof flagConfigs.$inferSelect;

export { RULES, type RuleName };

export interface Violation {
  rule: RuleName;
  /** The field of the request body it is about, for the admin app to put the message beside it. */
  path: string;
  message: string;
}

/** A write to a flag's own fields: `before` is absent on create; `sent` names the fields the request carried. */
export interface FlagChange {
  before?: FlagRow | undefined;
  after: FlagRow;
  sent: readonly string[];
}

/** A write to a flag's configuration in one environment. */
export interface ConfigChange {
  flag: FlagRow;
  before: ConfigRow;
  after: ConfigRow;
  production: boolean;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Whether a rule watching `fields` applies to this write. A write is judged only on what it
 * changes: a create changes everything, a type change brings in the new type's whole policy,
 * otherwise only a changed watched field does — so a flag made before a policy is never blocked
 * by an edit that does not touch what the policy is about (it is listed by GET /policy-report).
 */
function touches(w: FlagChange, ...fields: (keyof FlagRow)[]): boolean {
  const { before, after } = w;
  if (!before || before.type !== after.type) return true;
  return fields.some((f) => !same(before[f], after[f]));
}

/** What a change to a flag's own fields breaks (create included). */
export function flagViolations(p: Policies, w: FlagChange): Violation[] {
  const out: Violation[] = [];
  const f = w.after;
  const add = (rule: RuleName, path: string, message: string) => out.push({ rule, path, message });
  if (!w.before) {
    const naming = compilePattern(p.naming.pattern);
    if (typeof naming !== 'string' && !naming.test(f.key))
      add('naming.pattern', 'key', `"${f.key}" does not follow the naming convention (${p.naming.hint || p.naming.pattern})`);
  }
  if (f.type === 'release') {
    if (p.release.ownerRequired && !f.owner.trim() && touches(w, 'owner'))
      add('release.owner-required', 'owner', 'a release flag needs an owner: who decides when it is removed');
    if (p.release.expiryRequired && !f.expiresAt && touches(w, 'expiresAt'))
      add('release.expiry-required', 'expiresAt', 'a release flag needs an expiry date: when it should be gone from the code');
  }
  if (f.type === 'experiment') {
    if (p.experiment.endDateRequired && !f.expiresAt && touches(w, 'expiresAt'))
      add('experiment.end-date-required', 'expiresAt', 'an experiment needs an end date (its expiry)');
    if (p.experiment.primaryMetricRequired && !f.primaryMetric?.trim() && touches(w, 'primaryMetric'))
      add('experiment.primary-metric-required', 'primaryMetric', 'an experiment needs a primary metric: what it is judged on');
  }
  // Declared: said on purpose when the flag becomes an ops flag, not left at the default.
  if (f.type === 'ops' && p.ops.protectiveStateRequired && touches(w) && !w.sent.includes('protectiveState'))
    add(
      'ops.protective-state-required',
      'protectiveState',
      'an ops flag declares its protective state ("off" or "on"): what the emergency move serves',
    );
  if (f.type === 'migration' && touches(w, 'variants') && !same(Object.keys(f.variants), p.migration.stages))
    add('migration.ordered-stages', 'variants', `a migration flag’s variants are its stages, in order: ${p.migration.stages.join(' → ')}`);
  return out;
}

/** Every serve the configuration can answer with while enabled (rules, then the default). */
const serves = (c: ConfigRow): Serve[] => [...c.rules.map((r) => r.serve), c.defaultServe];
const isPartial = (s: Serve) => (s.split ?? []).some((w) => w.weight > 0 && w.weight < 100);
const splitsOf = (c: ConfigRow) => serves(c).filter(isPartial);

/** The variants a configuration can serve (off: only the off variant). */
function servedVariants(c: ConfigRow): string[] {
  if (!c.enabled) return [c.offVariant];
  const fromServes = serves(c).flatMap((s) => (s.split ? s.split.filter((w) => w.weight > 0).map((w) => w.variant) : [s.variant ?? '']));
  return [...fromServes, ...c.targets.map((t) => t.variant)];
}

/** The furthest migration stage anyone is served (-1: none of the stages). */
function furthestStage(stages: readonly string[], c: ConfigRow): number {
  return Math.max(-1, ...servedVariants(c).map((v) => stages.indexOf(v)));
}

/** What a change to a flag's configuration in one environment breaks. */
export function configViolations(p: Policies, w: ConfigChange): Violation[] {
  const out: Violation[] = [];
  const newSplits = !same(splitsOf(w.before), splitsOf(w.after)) && splitsOf(w.after).length > 0;
  const type = w.flag.type;
  if (type === 'release' && w.production && p.release.productionRolloutNeedsPlan && newSplits)
    out.push({
      rule: 'release.production-rollout-needs-plan',
      path: 'defaultServe',
      message:
        'a percentage rollout of a release flag in production goes through a release plan with health checks (POST …/releases), not a hand-set split',
    });
  if (type === 'permission' && p.permission.noPercentageSplits && newSplits)
    out.push({
      rule: 'permission.no-percentage-splits',
      path: 'defaultServe',
      message: 'a permission flag grants or denies, never to a percentage: target people or segments instead',
    });
  if (type === 'migration' && p.migration.oneStageAtATime) {
    const stages = p.migration.stages;
    const from = furthestStage(stages, w.before);
    const to = furthestStage(stages, w.after);
    if (to > Math.max(from, 0) + 1)
      out.push({
        rule: 'migration.one-stage-at-a-time',
        path: 'defaultServe',
        message: `a migration moves one stage at a time: from "${stages[Math.max(from, 0)]}" the next is "${stages[Math.max(from, 0) + 1]}", not "${stages[to]}" (going back is always allowed)`,
      });
  }
  return out;
}

/**
 * What a flag serves in one environment, judged as a state: as if switched on from off, except
 * the migration step rule (about moves, not states). A live release plan's split is sanctioned.
 */
export function servedViolations(p: Policies, flag: FlagRow, config: ServedConfig): (Violation & { environment: string })[] {
  if (config.releasing) return [];
  const asStates: Policies = { ...p, migration: { ...p.migration, oneStageAtATime: false } };
  const off = { ...config, enabled: false, rules: [], targets: [], defaultServe: { variant: config.offVariant } };
  const found = configViolations(asStates, { flag, before: off, after: config, production: config.production });
  return found.map((v) => ({ ...v, environment: config.environment }));
}

/** One 422 naming the rule; every violation found rides in `details.issues`, on its field. */
export function policyError(violations: readonly Violation[]): ApiError {
  const [first] = violations as [Violation];
  return new ApiError(422, 'rule_violation', `policy ${first.rule}: ${first.message}`, {
    rule: first.rule,
    issues: violations.map((v) => ({ path: v.path, message: `${v.message} (policy ${v.rule})`, rule: v.rule })),
  });
}

/** The type policies' part of checkWritePolicies (write-policies.ts). */
export async function checkTypePolicies(c: Context<AppEnv>, write: { flag?: FlagChange; config?: ConfigChange }): Promise<void> {
  if (!write.flag && !write.config) return;
  const p = await policiesFor(c);
  const violations = [...(write.flag ? flagViolations(p, write.flag) : []), ...(write.config ? configViolations(p, write.config) : [])];
  // A new type brings its whole policy: what each environment serves today must follow it too.
  const { before, after } = write.flag ?? {};
  if (before && after && before.type !== after.type)
    for (const config of await servedStates(c, after.key))
      for (const v of servedViolations(p, after, config))
        violations.push({ ...v, path: 'type', message: `${v.message} (it does in "${v.environment}")` });
  if (violations.length > 0) throw policyError(violations);
}
