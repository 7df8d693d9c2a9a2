// Scheduled switches ride in the snapshot (issue 11 §6): every evaluator applies them at their
// instant with the time it is given, and answers cached before the instant know when they expire.
import { describe, expect, it } from 'vitest';
import { compileSnapshot, type FlagDefinition, nextSwitchAt, type Snapshot, snapshotAt } from '../src/index.ts';
import { FlagDefinitionSchema } from '../src/schema/index.ts';

const AT = Date.UTC(2026, 11, 1, 9, 0, 0);
const flag = (key: string, extra: Partial<FlagDefinition> = {}): FlagDefinition => ({
  key,
  kind: 'boolean',
  variants: { on: true, off: false },
  enabled: false,
  offVariant: 'off',
  defaultServe: { variant: 'on' },
  ...extra,
});
const snapshot: Snapshot = {
  environment: 'production',
  version: 7,
  flags: [
    flag('launch', { scheduledSwitch: { at: AT, config: { enabled: true } } }),
    flag('sunset', { enabled: true, scheduledSwitch: { at: AT + 60_000, config: { enabled: false } } }),
    flag('plain'),
  ],
};

describe('a scheduled switch', () => {
  it('applies at its instant, not a millisecond before, with the time passed in', () => {
    const before = compileSnapshot(snapshot, { now: AT - 1 });
    const after = compileSnapshot(snapshot, { now: AT + 1 });
    expect(before.evaluate('launch', {}).value).toBe(false);
    expect(after.evaluate('launch', {}).value).toBe(true);
    expect(compileSnapshot(snapshot, { now: AT }).evaluate('launch', {}).value).toBe(true);
    // The other switch has not come yet.
    expect(after.evaluate('sunset', {}).value).toBe(true);
    expect(compileSnapshot(snapshot, { now: AT + 60_000 }).evaluate('sunset', {}).value).toBe(false);
  });

  it('says when answers computed before it expire, and changes the phase ETags carry', () => {
    const before = compileSnapshot(snapshot, { now: AT - 1 });
    expect(before.nextSwitchAt).toBe(AT);
    expect(before.switchPhase).toBe(0);
    const after = before.at(AT + 1);
    expect(after).not.toBe(before);
    expect(after.nextSwitchAt).toBe(AT + 60_000);
    expect(after.switchPhase).toBe(AT);
    expect(after.at(AT + 2)).toBe(after);
    expect(after.at(AT + 60_000).nextSwitchAt).toBeUndefined();
    expect(compileSnapshot({ ...snapshot, flags: [flag('plain')] }).nextSwitchAt).toBeUndefined();
  });

  it('costs nothing to a snapshot without switches: at() answers the same object', () => {
    const plain = compileSnapshot({ environment: 'e', version: 1, flags: [flag('plain')] });
    expect(plain.at(AT)).toBe(plain);
    expect(snapshotAt({ environment: 'e', version: 1, flags: [flag('plain')] }, AT).flags[0]).toEqual(flag('plain'));
  });

  it('compiled without a time applies nothing until at() is given one', () => {
    const compiled = compileSnapshot(snapshot);
    expect(compiled.evaluate('launch', {}).value).toBe(false);
    expect(compiled.nextSwitchAt).toBe(AT);
    expect(compiled.at(AT).evaluate('launch', {}).value).toBe(true);
    expect(nextSwitchAt(snapshot, AT)).toBe(AT + 60_000);
  });

  it('is validated like the flag: an unknown variant in the switched config is refused', () => {
    const bad = flag('bad', { scheduledSwitch: { at: AT, config: { defaultServe: { variant: 'maybe' } } } });
    const parsed = FlagDefinitionSchema.safeParse(bad);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['scheduledSwitch', 'config', 'defaultServe', 'variant']);
    expect(FlagDefinitionSchema.safeParse(snapshot.flags[0]).success).toBe(true);
  });
});
