import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import { pauseOnKillSwitch } from '../releases/live-plan-guard.ts';
import { toDefinition } from '../snapshot/build-snapshot.ts';
import { auditStatement } from './audit.ts';
import { refuseInFlightTwin } from './idempotency.ts';
import {
  type ConfigWrite,
  commitConfig,
  type LoadedConfig,
  loadConfig,
  publishConfig,
  requireVersion,
  writeConfig,
} from './write-config.ts';
import { checkWritePolicies } from './write-policies.ts';

/**
 * How many times a protective move re-reads and re-applies after losing the guarded update to
 * another write. Each loss means another write committed in between; 10 in a row would take a
 * sustained stream of edits to one flag in one environment, not a race.
 */
export const PROTECTIVE_ATTEMPTS = 10;

/** Whether `enabled` is the flag's protective state: off for a kill switch, on for a maintenance switch. */
export const isProtective = (flag: LoadedConfig['flag'], enabled: boolean) => enabled === (flag.protectiveState === 'on');

/**
 * The on/off switch. Into the flag's protective state it is the emergency action: no version
 * needed (a stale one is ignored), no policy or approval consulted, always audited, and it wins
 * races by re-reading and re-applying. Out of it, it is an ordinary guarded write.
 */
export async function toggleConfig(c: Context<AppEnv>, params: ConfigWrite & { enabled: boolean; expected: () => number | undefined }) {
  const loaded = await loadConfig(c, params.flagKey, params.environment);
  const change = () => ({ enabled: params.enabled });
  if (!isProtective(loaded.flag, params.enabled)) {
    // Only the protective move may run beside an in-flight twin of itself (idempotency.ts).
    refuseInFlightTwin(c);
    const expected = params.expected() ?? requireVersion(c, undefined, `the version you switched (only the protective move goes without)`);
    return writeConfig(c, { ...params, expected }, change, loaded);
  }
  await checkWritePolicies(c, { action: params.action, resourceKey: params.flagKey, environment: params.environment, protective: true });
  const result = await switchProtective(c, params, loaded, change);
  // The kill switch wins over a running release plan, which pauses (after the switch committed).
  await pauseOnKillSwitch(c.env.DB, c.get('actor'), params.flagKey, params.environment);
  return result;
}

async function switchProtective(
  c: Context<AppEnv>,
  params: ConfigWrite & { enabled: boolean },
  loaded: LoadedConfig,
  change: () => { enabled: boolean },
) {
  let current = loaded;
  for (let attempt = 1; attempt <= PROTECTIVE_ATTEMPTS; attempt++) {
    // A pending scheduled switch would undo the move at its instant (its configuration names
    // `enabled`): the protective move cancels it, in the same guarded commit.
    const pending = current.config.scheduledSwitch !== null;
    if (current.config.enabled === params.enabled && !pending) return alreadyProtective(c, current, params);
    // No snapshot validation: switching cannot make a snapshot invalid, and a stored rule that a
    // newer validator refuses must not stand between an operator and the kill switch.
    const cancel = c.env.DB.prepare(
      'UPDATE flag_configs SET scheduled_switch = NULL WHERE flag_key = ? AND environment = ? AND version = ? AND changes() = 1',
    ).bind(current.flag.key, current.env.key, current.config.version + 1);
    const next = { ...current.config, ...change(), scheduledSwitch: null };
    const after = await commitConfig(c, current, next, params, pending ? { after: [cancel] } : {});
    if (after) return publishConfig(c, current.flag.key, current.env.key, after);
    current = await loadConfig(c, params.flagKey, params.environment);
  }
  throw new ApiError(503, 'unavailable', `flag "${params.flagKey}" in "${params.environment}" kept changing; send the switch again`);
}

/**
 * Someone else's write already moved it (or it never left): nothing to change, but the attempt
 * is audited, and the snapshot is pushed again in case an earlier delivery is still pending.
 */
async function alreadyProtective(c: Context<AppEnv>, { env, flag, config }: LoadedConfig, params: ConfigWrite) {
  const definition = { ...toDefinition(flag, config), version: config.version };
  await auditStatement(c.env.DB, {
    actor: c.get('actor'),
    action: params.action,
    resourceType: 'flag_config',
    resourceKey: flag.key,
    environment: env.key,
    before: definition,
    after: definition,
    reason: params.reason,
  }).run();
  return publishConfig(c, flag.key, env.key, definition);
}
