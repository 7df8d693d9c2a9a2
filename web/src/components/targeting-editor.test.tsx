import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { config, confirmWith, fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import { TargetingEditor } from './targeting-editor.tsx';

const issue = { path: 'rules.0.conditions.0.values.0', message: '"gt" compares numbers; "many" is not one' };

describe('TargetingEditor', () => {
  it('sends the rule with the base version and shows the API message next to the condition', async () => {
    const f = fakeFetch({
      'PUT /flags/checkout/environments/production': () => [
        400,
        { error: { code: 'invalid_request', message: `config.${issue.path}: ${issue.message}`, details: { issues: [issue] } } },
      ],
    });
    const f0 = flag();
    render(
      <WithSession routes={f}>
        <TargetingEditor
          flag={f0}
          env="production"
          config={f0.environments.production!}
          flags={[]}
          segments={[]}
          canEdit
          onSaved={() => undefined}
        />
      </WithSession>,
    );
    fireEvent.click(screen.getByRole('button', { name: '+ Rule' }));
    fireEvent.input(screen.getByLabelText('Attribute'), { target: { value: 'seats' } });
    fireEvent.change(screen.getByLabelText('Operator'), { target: { value: 'gt' } });
    fireEvent.input(screen.getByLabelText('Value'), { target: { value: 'many' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save targeting' }));
    confirmWith('seats first');
    await waitFor(() => expect(document.getElementById('rule-0-c0-error')?.textContent).toBe(issue.message));
    // Field problems belong at the fields: the confirmation steps aside.
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByLabelText('Value').getAttribute('aria-describedby')).toBe('rule-0-c0-error');
    expect(f.calls.find((c) => c.method === 'PUT')?.body).toMatchObject({
      version: 3,
      rules: [{ conditions: [{ attribute: 'seats', op: 'gt', values: ['many'] }], serve: { variant: 'on' } }],
    });
  });

  it('previews how many recent contexts the unsaved rule would change, before anything is saved', async () => {
    const f = fakeFetch({
      'POST /flags/checkout/environments/production/impact': () => [
        200,
        {
          sampled: 40,
          changed: 12,
          examples: [
            {
              contextKey: 'u1',
              context: { plan: 'pro' },
              before: { value: false, reason: 'DEFAULT' },
              after: { value: true, reason: 'TARGETING_MATCH' },
            },
          ],
        },
      ],
    });
    const f0 = flag();
    render(
      <WithSession routes={f}>
        <TargetingEditor
          flag={f0}
          env="production"
          config={f0.environments.production!}
          flags={[]}
          segments={[]}
          canEdit
          onSaved={() => undefined}
        />
      </WithSession>,
    );
    fireEvent.click(screen.getByRole('button', { name: '+ Rule' }));
    fireEvent.input(screen.getByLabelText('Attribute'), { target: { value: 'plan' } });
    fireEvent.input(screen.getByLabelText('Value'), { target: { value: 'pro' } });
    const preview = await screen.findByText(/of 40 recent contexts would get a different value/, undefined, { timeout: 3000 });
    expect(preview.textContent).toMatch(/^12 of 40/);
    // Contexts read as attributes, not JSON (issue 12 §4 impact preview).
    expect(screen.getByText('plan pro')).toBeTruthy();
    expect(f.calls.filter((c) => c.method === 'POST').at(-1)?.body).toMatchObject({
      rules: [{ conditions: [{ attribute: 'plan', op: 'equals', values: ['pro'] }], serve: { variant: 'on' } }],
    });
    expect(f.calls.some((c) => c.method === 'PUT')).toBe(false);
  });

  it('waits for a valid draft instead of claiming there is nothing to compare', async () => {
    const f = fakeFetch({
      'POST /flags/checkout/environments/production/impact': () => [400, { error: { code: 'invalid_request', message: 'bad' } }],
    });
    const f0 = flag();
    render(
      <WithSession routes={f}>
        <TargetingEditor
          flag={f0}
          env="production"
          config={f0.environments.production!}
          flags={[]}
          segments={[]}
          canEdit
          onSaved={() => undefined}
        />
      </WithSession>,
    );
    fireEvent.click(screen.getByRole('button', { name: '+ Rule' }));
    await screen.findByText(/appears once the change is complete and valid/, undefined, { timeout: 3000 });
  });

  it('keeps values being typed when a live poll re-renders the editor', () => {
    const f0 = flag();
    const editor = (c: typeof f0) => (
      <WithSession routes={fakeFetch({})}>
        <TargetingEditor
          flag={c}
          env="production"
          config={c.environments.production!}
          flags={[]}
          segments={[]}
          canEdit
          onSaved={() => undefined}
        />
      </WithSession>
    );
    const { rerender } = render(editor(f0));
    fireEvent.click(screen.getByRole('button', { name: '+ Rule' }));
    fireEvent.change(screen.getByLabelText('Operator'), { target: { value: 'in' } });
    const values = screen.getByLabelText('Values (comma-separated)') as HTMLInputElement;
    fireEvent.input(values, { target: { value: 'pro, ' } });
    // The poll hands over an equal but new flag object, as useAsync does every 4 s.
    rerender(editor(structuredClone(f0)));
    expect(values.value).toBe('pro, ');
    fireEvent.input(values, { target: { value: 'pro, enterprise' } });
    expect(values.value).toBe('pro, enterprise');
  });

  it('is read-only without write access', () => {
    const f0 = flag({
      environments: {
        production: config('production', {
          rules: [{ conditions: [{ attribute: 'plan', op: 'in', values: ['pro'] }], serve: { variant: 'on' } }],
        }),
      },
    });
    render(
      <WithSession routes={fakeFetch({})}>
        <TargetingEditor
          flag={f0}
          env="production"
          config={f0.environments.production!}
          flags={[]}
          segments={[]}
          canEdit={false}
          onSaved={() => undefined}
        />
      </WithSession>,
    );
    expect((screen.getByLabelText('Attribute') as HTMLInputElement).disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Save targeting' })).toBeNull();
  });
});
