/** The two flags every SDK defines, in its own format, with the same meaning. */

/** A boolean flag that is on for everyone. */
export const SIMPLE_FLAG = 'simple';

/** On only for `country` in ROLLOUT_COUNTRIES, then for ROLLOUT_PERCENT of those by user id; off for everyone else. */
export const ROLLOUT_FLAG = 'rule-rollout';

export const ROLLOUT_PERCENT = 50;
