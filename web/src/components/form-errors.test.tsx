import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import { SegmentForm } from './segment-form.tsx';
import { TargetingEditor } from './targeting-editor.tsx';

// Issue 12 §4 "Errors": a refused save is explained once, on the field, in plain words.
describe('form errors', () => {
  it('shows a refused segment rule once, on its field, in plain words', async () => {
    const path = 'rules.0.0.values.0';
    const raw = 'Too small: expected string to have >=1 characters';
    const f = fakeFetch({
      'PUT /environments/staging/segments/beta': () => [
        400,
        { error: { code: 'invalid_request', message: `json.${path}: ${raw}`, details: { issues: [{ path, message: raw }] } } },
      ],
    });
    render(
      <WithSession routes={f}>
        <SegmentForm env="staging" onDone={() => undefined} />
      </WithSession>,
    );
    fireEvent.input(screen.getByLabelText('Key'), { target: { value: 'beta' } });
    fireEvent.click(screen.getByRole('button', { name: '+ Rule group' }));
    fireEvent.click(screen.getByRole('button', { name: 'Create segment' }));
    await waitFor(() => expect(document.getElementById('seg-new-g0-c0-error')?.textContent).toBe('Required.'));
    const text = document.body.textContent ?? '';
    expect(text).not.toContain('json.');
    expect(text).not.toContain('Too small');
    expect(text.split('Required.').length - 1).toBe(1);
    expect(text).toContain('Not saved: fix the fields marked below.');
  });

  it('does not ask for an attribute on an "is in segment" condition, and sends one the API accepts', async () => {
    const f = fakeFetch({ 'PUT /flags/checkout/environments/development': () => [200, {}] });
    const f0 = flag();
    render(
      <WithSession routes={f}>
        <TargetingEditor
          flag={f0}
          env="development"
          config={f0.environments.development!}
          flags={[]}
          segments={[{ environment: 'development', key: 'beta', name: 'Beta', description: '', definition: {}, version: 1, updatedAt: 0 }]}
          canEdit
          onSaved={() => undefined}
        />
      </WithSession>,
    );
    fireEvent.click(screen.getByRole('button', { name: '+ Rule' }));
    expect(screen.queryByLabelText('Attribute')).not.toBeNull();
    fireEvent.change(screen.getByLabelText('Operator'), { target: { value: 'inSegment' } });
    expect(screen.queryByLabelText('Attribute')).toBeNull();
    fireEvent.change(screen.getByLabelText('Segment'), { target: { value: 'beta' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save targeting' }));
    await waitFor(() => expect(f.calls.some((c) => c.method === 'PUT')).toBe(true));
    const body = f.calls.find((c) => c.method === 'PUT')?.body as { rules: { conditions: { attribute: string; op: string }[] }[] };
    expect(body.rules[0]?.conditions[0]).toMatchObject({ op: 'inSegment', values: ['beta'] });
    expect(body.rules[0]?.conditions[0]?.attribute).not.toBe('');
  });
});
