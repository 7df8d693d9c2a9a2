import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { config, fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
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
    fireEvent.change(screen.getByLabelText('Value'), { target: { value: 'many' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save targeting' }));
    await waitFor(() => expect(document.getElementById('rule-0-c0-error')?.textContent).toBe(issue.message));
    expect(screen.getByLabelText('Value').getAttribute('aria-describedby')).toBe('rule-0-c0-error');
    expect(f.calls.find((c) => c.method === 'PUT')?.body).toMatchObject({
      version: 3,
      rules: [{ conditions: [{ attribute: 'seats', op: 'gt', values: ['many'] }], serve: { variant: 'on' } }],
    });
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
