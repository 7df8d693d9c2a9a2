/**
 * A 1,000-flag snapshot built programmatically, mixing what real environments hold: percentage
 * splits, individual targets, segments, prerequisites, kill-switched flags, and rules over
 * every operator family (sets, strings, regex, numbers, dates, semver, existence, segments).
 */
import type { Condition, FlagDefinition, Rule, SegmentDefinition, Snapshot } from '@edgeflags/core';

const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'CA', 'JP', 'BR', 'IN', 'AU', 'NL', 'SE', 'ES', 'IT', 'MX', 'KR', 'SG'];
const BOOLEAN = { on: true, off: false };

const pick = <T>(list: readonly T[], i: number, n: number): T[] => Array.from({ length: n }, (_, k) => list[(i + k * 5) % list.length]!);
const ids = (prefix: string, i: number, n: number): string[] => Array.from({ length: n }, (_, k) => `${prefix}-${i * 31 + k}`);
/** Weights with three decimals that sum to exactly 100. */
const twoWay = (i: number): [number, number] => {
  const w = ((i * 7919) % 100_000) / 1000;
  return [w, Math.round((100 - w) * 1000) / 1000];
};

export function buildSnapshot(flagCount = 1000, segmentCount = 40): Snapshot {
  const segments: SegmentDefinition[] = Array.from({ length: segmentCount }, (_, j) => ({
    key: `segment-${j}`,
    attribute: j % 2 === 0 ? 'targetingKey' : 'accountId',
    included: ids('user', j, 50),
    excluded: ids('user', j + 1000, 10),
    rules: [
      [
        { attribute: 'plan', op: 'in', values: ['enterprise', 'business'] },
        { attribute: 'country', op: 'equals', values: [COUNTRIES[j % COUNTRIES.length]!] },
      ],
      [{ attribute: 'email', op: 'emailDomain', values: [`corp${j}.example.com`] }],
    ],
  }));
  const flags = Array.from({ length: flagCount }, (_, i) => FLAG_SHAPES[i % FLAG_SHAPES.length]!(i, segmentCount));
  return { environment: 'bench', version: 1, flags, segments };
}

type Shape = (i: number, segmentCount: number) => FlagDefinition;

const FLAG_SHAPES: Shape[] = [
  // A percentage rollout, some bucketed by account.
  (i) => {
    const [on, off] = twoWay(i);
    return {
      key: `rollout-${i}`,
      kind: 'boolean',
      variants: BOOLEAN,
      enabled: true,
      offVariant: 'off',
      ...(i % 2 === 0 ? { bucketBy: 'accountId' } : {}),
      defaultServe: {
        split: [
          { variant: 'on', weight: on },
          { variant: 'off', weight: off },
        ],
      },
      clientVisible: i % 3 === 0,
    };
  },
  // A multivariate string flag: targets, a country + plan rule, an email-domain split.
  (i) => ({
    key: `experiment-${i}`,
    kind: 'string',
    variants: { control: 'control', a: 'treatment-a', b: 'treatment-b' },
    enabled: true,
    offVariant: 'control',
    targets: [
      { values: ids('user', i, 20), variant: 'a' },
      { attribute: 'accountId', values: ids('acct', i, 10), variant: 'b' },
    ],
    rules: [
      rule([cond('country', 'in', pick(COUNTRIES, i, 4)), cond('plan', 'equals', ['pro'])], { variant: 'a' }),
      rule([cond('email', 'emailDomain', ['example.com', '@example.org'])], {
        split: [
          { variant: 'control', weight: 33.333 },
          { variant: 'a', weight: 33.333 },
          { variant: 'b', weight: 33.334 },
        ],
      }),
    ],
    defaultServe: { variant: 'control' },
  }),
  // A number flag: semver, numeric and date rules.
  (i) => ({
    key: `limit-${i}`,
    kind: 'number',
    variants: { low: 10, mid: 50, high: 100 + i },
    enabled: true,
    offVariant: 'low',
    rules: [
      rule([cond('appVersion', 'semverGte', [`2.${i % 10}.0`]), cond('age', 'gte', [18])], { variant: 'high' }),
      rule([cond('signupDate', 'after', ['2024-01-01T00:00:00Z']), cond('seats', 'lt', [50 + i])], { variant: 'mid' }),
      rule([cond('appVersion', 'semverLt', ['1.0.0'])], { variant: 'low' }),
    ],
    defaultServe: { variant: 'low' },
  }),
  // A JSON flag: regex, case-insensitive substring / prefix / suffix, segment membership.
  (i, segmentCount) => ({
    key: `config-${i}`,
    kind: 'json',
    variants: {
      v1: { theme: 'light', items: [1, 2, 3], banner: null },
      v2: { theme: 'dark', items: [4, 5], banner: { text: `hello ${i}`, dismissible: true } },
    },
    enabled: true,
    offVariant: 'v1',
    rules: [
      rule([cond('email', 'matches', [`^[a-z0-9.]+\\+qa${i % 7}@`])], { variant: 'v2' }),
      rule(
        [
          { attribute: 'userAgent', op: 'contains', values: ['Mobile', 'Android'], caseInsensitive: true },
          { attribute: 'path', op: 'startsWith', values: ['/beta', '/labs'], caseInsensitive: true },
        ],
        { variant: 'v2' },
      ),
      rule([cond('targetingKey', 'inSegment', [`segment-${i % segmentCount}`, `segment-${(i + 1) % segmentCount}`])], { variant: 'v2' }),
      rule([cond('hostname', 'endsWith', ['.internal', '.local'])], { variant: 'v2' }),
    ],
    defaultServe: { variant: 'v1' },
  }),
  // Gated on an earlier rollout flag; existence and exclusion checks; its own salt.
  (i) => {
    const [on, off] = twoWay(i + 1);
    return {
      key: `gated-${i}`,
      kind: 'boolean',
      variants: BOOLEAN,
      enabled: true,
      offVariant: 'off',
      salt: `gated-salt-${i}`,
      prerequisites: [{ flag: `rollout-${i - (i % 6)}`, variants: ['on'] }],
      rules: [
        rule([cond('beta', 'exists', []), cond('country', 'notIn', ['CN', 'RU', 'KP'])], {
          split: [
            { variant: 'on', weight: on },
            { variant: 'off', weight: off },
          ],
          bucketBy: 'accountId',
        }),
        rule([cond('plan', 'notEquals', ['free']), cond('trialEnds', 'before', ['2030-01-01'])], { variant: 'on' }),
      ],
      defaultServe: { variant: 'off' },
    };
  },
  // Kill-switched on every other one; the rest: not-in-segment, not-contains, semver equality.
  (i, segmentCount) => ({
    key: `ops-${i}`,
    kind: 'boolean',
    variants: BOOLEAN,
    enabled: i % 12 !== 5,
    offVariant: 'off',
    rules: [
      rule([cond('accountId', 'notInSegment', [`segment-${i % segmentCount}`]), cond('path', 'notContains', ['/admin'])], {
        variant: 'on',
      }),
      rule([cond('appVersion', 'semverEq', ['3.1.4']), cond('tier', 'lte', [2])], { variant: 'on' }),
    ],
    defaultServe: { variant: 'off' },
  }),
];

function rule(conditions: Condition[], serve: Rule['serve']): Rule {
  return { conditions, serve };
}

function cond(attribute: string, op: Condition['op'], values: Condition['values']): Condition {
  return { attribute, op, values };
}
