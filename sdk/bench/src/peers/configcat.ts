import {
  ClientCacheState,
  createConsoleLogger,
  getClient,
  type IConfigCatClient,
  LogLevel,
  PollingMode,
  SettingType,
  User,
  UserComparator,
} from 'configcat-node';
import { ROLLOUT_COUNTRIES } from '../contexts.ts';
import { ROLLOUT_FLAG, ROLLOUT_PERCENT, SIMPLE_FLAG } from '../flags.ts';
import { evaluators, type Sdk } from '../sdk.ts';

/**
 * Both flags as a ConfigCat config JSON (schema v6, what the CDN serves): the rollout is a
 * targeting rule `Country IS ONE OF (US, GB)` whose THEN is a 50/50 percentage option split
 * (hashed on the user identifier); everyone else gets the flag's value, false.
 */
const CONFIG_JSON = JSON.stringify({
  p: { r: 0, u: 'https://cdn-global.configcat.com', s: 'bench-salt' },
  f: {
    [SIMPLE_FLAG]: { t: SettingType.Boolean, v: { b: true }, i: 'simple-on' },
    [ROLLOUT_FLAG]: {
      t: SettingType.Boolean,
      v: { b: false },
      i: 'rollout-off',
      r: [
        {
          c: [{ u: { a: 'Country', c: UserComparator.TextIsOneOf, l: [...ROLLOUT_COUNTRIES] } }],
          p: [
            { p: ROLLOUT_PERCENT, v: { b: true }, i: 'rollout-on' },
            { p: 100 - ROLLOUT_PERCENT, v: { b: false }, i: 'rollout-off' },
          ],
        },
      ],
    },
  },
});

/** A syntactically valid SDK key; in offline mode it is only a cache key. */
const SDK_KEY = 'configcat-sdk-1/edgeflags-bench-config/offline-no-cdn-fetches';

let client: IConfigCatClient | undefined;

/**
 * Offline: `offline: true` with manual polling never fetches; the config JSON is served by a
 * custom cache in ConfigCat's serialized form (`fetchTime \n etag \n json`), exactly as a
 * shared cache would hold it. Map-based `flagOverrides` (LocalOnly) cannot express targeting
 * rules or percentage options, hence the cache. Evaluation uses the synchronous snapshot API,
 * the SDK's fastest path, on one snapshot taken after the config loaded.
 */
export const configcat: Sdk = {
  name: 'configcat',
  pkg: 'configcat-node',
  async setup(users) {
    const serialized = `${Date.now()}\n\n${CONFIG_JSON}`;
    const cc = getClient(SDK_KEY, PollingMode.ManualPoll, {
      offline: true,
      logger: createConsoleLogger(LogLevel.Warn),
      cache: { get: () => serialized, set: () => {} },
    });
    client = cc;
    const state = await cc.waitForReady();
    if (state !== ClientCacheState.HasCachedFlagDataOnly) {
      throw new Error(`configcat: expected the cached config, cache state is ${ClientCacheState[state]}`);
    }
    const snapshot = cc.snapshot();
    const contexts = users.map((u) => new User(u.id, undefined, u.country));
    return evaluators({
      mode: 'sync',
      contexts,
      simple: (user) => snapshot.getValue(SIMPLE_FLAG, false, user),
      rollout: (user) => snapshot.getValue(ROLLOUT_FLAG, false, user),
    });
  },
  close() {
    client?.dispose();
  },
};
