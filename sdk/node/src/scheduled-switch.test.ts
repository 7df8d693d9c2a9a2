// A switch carried in the snapshot (issue 11 §6) applies at its instant in the Node SDK as in core
// and at the edge: evaluated at at-1ms and at+1ms with the client's clock.
import type { Snapshot } from '@edgeflags/core';
import { describe, expect, it } from 'vitest';
import { createClient } from './client.ts';

const AT = Date.UTC(2026, 11, 1, 9, 0, 0);
const snapshot: Snapshot = {
  environment: 'production',
  version: 3,
  flags: [
    {
      key: 'launch',
      kind: 'boolean',
      variants: { on: true, off: false },
      enabled: false,
      offVariant: 'off',
      defaultServe: { variant: 'on' },
      clientVisible: true,
      scheduledSwitch: { at: AT, config: { enabled: true } },
    },
  ],
};

describe('a scheduled switch in the Node SDK', () => {
  it('serves the old configuration at at-1ms and the new one at at+1ms, with no network', () => {
    let now = AT - 1;
    const flags = createClient({ offline: true, snapshot, now: () => now });
    expect(flags.isEnabled('launch', { targetingKey: 'u1' })).toBe(false);
    expect(flags.allFlags({ targetingKey: 'u1' }).flags.launch?.value).toBe(false);
    now = AT + 1;
    expect(flags.isEnabled('launch', { targetingKey: 'u1' })).toBe(true);
    expect(flags.evaluate('launch', { targetingKey: 'u1' }).reason).toBe('DEFAULT');
    expect(flags.allFlags({ targetingKey: 'u1' }).flags.launch?.value).toBe(true);
    expect(flags.status().version).toBe(3);
  });
});
