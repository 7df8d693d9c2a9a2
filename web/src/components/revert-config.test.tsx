import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { changeLines, config, fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import type { AuditRow } from '../api/types.ts';
import { RevertConfig } from './revert-config.tsx';

const proRule = { id: 'pro', conditions: [{ attribute: 'plan', op: 'in', values: ['pro'] }], serve: { variant: 'on' } };
const entry = (over: Partial<AuditRow> = {}): AuditRow =>
  ({
    id: 42,
    at: 0,
    actor: 'Alice (tok)',
    action: 'config.update',
    resourceType: 'flag_config',
    resourceKey: 'checkout',
    environment: 'development',
    before: { enabled: false, offVariant: 'off', defaultServe: { variant: 'off' }, version: 2 },
    after: { enabled: true, offVariant: 'off', rules: [proRule], defaultServe: { variant: 'off' }, version: 3 },
    reason: null,
    ...over,
  }) as AuditRow;

// Issue 11 §1 "Revert": the audit log's configuration changes offer going back to what they left.
describe('RevertConfig', () => {
  it('shows what goes back, then reverts to the entry guarded by the version read today', async () => {
    const notes: string[] = [];
    let done = 0;
    const f = fakeFetch({
      'GET /flags/checkout': () => [200, flag({ environments: { development: config('development', { version: 5 }) } })],
      'POST /flags/checkout/environments/development/revert': () => [
        200,
        { flag: 'checkout', environment: 'development', config: {}, delivery: 'delivered' },
      ],
    });
    render(
      <WithSession routes={f} notes={notes}>
        <RevertConfig entry={entry()} onDone={() => done++} />
      </WithSession>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Revert to this version' }));
    await screen.findByRole('dialog');
    expect(screen.getByRole('dialog').textContent).toContain('Revert checkout in Development to version 3?');
    expect(changeLines()).toEqual(['State from Off → to On', 'Rule 1 from — → to plan is one of pro → on']);
    fireEvent.input(screen.getByLabelText('Reason (audit log)'), { target: { value: 'pro rule was right' } });
    fireEvent.click(screen.getByRole('button', { name: 'Revert' }));
    await waitFor(() => expect(done).toBe(1));
    const call = f.calls.find((c) => c.method === 'POST');
    expect(call?.body).toEqual({ toAuditId: 42, version: 5, reason: 'pro rule was right' });
    expect(call?.headers['If-Match']).toBe('"5"');
    expect(notes).toEqual(['Reverted checkout in Development.']);
  });

  it('keeps the dialog open with the reason when the Worker refuses (422: a segment deleted since)', async () => {
    const f = fakeFetch({
      'GET /flags/checkout': () => [200, flag()],
      'POST /flags/checkout/environments/development/revert': () => [
        422,
        { error: { code: 'rule_violation', message: 'rules.0.conditions.0.values.0: unknown segment "pilot"' } },
      ],
    });
    render(
      <WithSession routes={f}>
        <RevertConfig entry={entry()} onDone={() => undefined} />
      </WithSession>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Revert to this version' }));
    fireEvent.input(await screen.findByLabelText('Reason (audit log)'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Revert' }));
    expect((await screen.findByRole('alert')).textContent).toContain('unknown segment "pilot"');
    expect(screen.getByRole('dialog')).toBeTruthy();
  });

  it('is not offered on entries that left no configuration, nor to viewers', () => {
    const f = fakeFetch({});
    const { container } = render(
      <WithSession routes={f}>
        <RevertConfig entry={entry({ resourceType: 'flag', environment: null })} onDone={() => undefined} />
      </WithSession>,
    );
    expect(container.textContent).toBe('');
    const viewer = render(
      <WithSession routes={f} me={{ id: 'tok-v', name: 'v', role: 'viewer', productionAccess: false }}>
        <RevertConfig entry={entry()} onDone={() => undefined} />
      </WithSession>,
    );
    expect(viewer.container.textContent).toBe('');
  });
});
