import { render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import type { AuditRow } from '../api/types.ts';
import { AuditEntry } from './audit-entry.tsx';

const KEY_ID = '7d0c6f3e-2b1a-4c55-9a9e-0f4c1d2e3b4a';
const ACTOR = 'Alice (5b7e1c2d-9f0a-4d3b-8e6f-1a2b3c4d5e6f)';
const row = (over: Partial<AuditRow>): AuditRow =>
  ({
    id: 1,
    at: 0,
    actor: ACTOR,
    action: 'flag.update',
    resourceType: 'flag',
    resourceKey: 'checkout',
    environment: null,
    before: null,
    after: null,
    reason: null,
    ...over,
  }) as AuditRow;

// Issue 12 §4 "Audit log".
describe('AuditEntry', () => {
  it('names people and keys, not UUIDs, and a revoke does not read as a deletion', () => {
    const key = { id: KEY_ID, name: 'checkout-server', kind: 'server', environment: 'production', revokedAt: null };
    render(
      <ul>
        <AuditEntry
          entry={row({ action: 'sdk_key.revoke', resourceType: 'sdk_key', resourceKey: KEY_ID, environment: 'production', before: key })}
        />
      </ul>,
    );
    const text = document.body.textContent ?? '';
    expect(text).toContain('SDK key revoked');
    expect(text).toContain('server SDK key “checkout-server”');
    expect(text).toContain('Alice');
    expect(text).not.toContain(KEY_ID);
    expect(text).not.toContain('5b7e1c2d');
    expect(text).toMatch(/Revoked: it stops working at once/);
    // No before/after rows whose "after" is empty for every field.
    expect(document.querySelector('.diff')).toBeNull();
  });

  it('shows a change as field labels and plain values, not JSON paths and blobs', () => {
    const before = { enabled: false, defaultServe: { variant: 'off' }, rules: [] };
    const after = {
      enabled: true,
      defaultServe: {
        split: [
          { variant: 'on', weight: 25 },
          { variant: 'off', weight: 75 },
        ],
      },
      rules: [{ conditions: [{ attribute: 'plan', op: 'in', values: ['free', 'pro'] }], serve: { variant: 'on' } }],
    };
    render(
      <ul>
        <AuditEntry entry={row({ action: 'config.update', resourceType: 'flag_config', environment: 'production', before, after })} />
      </ul>,
    );
    const rows = screen.getAllByRole('row').map((r) => r.textContent);
    expect(rows).toContain('Onbefore: offafter: on');
    expect(rows).toContain('Default rule › splitbefore: —after: on 25%, off 75%');
    expect(rows.join('\n')).not.toMatch(/[{"]/);
    expect(document.body.textContent).toContain('Targeting changed');
  });
});
