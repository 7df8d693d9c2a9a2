import { fireEvent, render, screen, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { fakeFetch, WithSession } from '../../test/unit/fake-session.tsx';
import type { Me } from '../api/types.ts';
import type { WebhookFailure, WebhookRow } from '../api/webhook-types.ts';
import { WebhooksPage } from './webhooks-page.tsx';

const hook: WebhookRow = {
  id: '11111111-1111-4111-8111-111111111111',
  url: 'https://hooks.example.com/edgeflags',
  events: ['flag.*', 'release.*'],
  format: 'json',
  enabled: true,
  createdBy: 'admin (tok)',
  createdAt: 0,
};
const failure: WebhookFailure = {
  id: 7,
  webhookId: hook.id,
  eventId: 'evt_42',
  eventType: 'release.rolled_back',
  payload: '{"id":"evt_42"}',
  attempts: 8,
  lastStatus: 500,
  lastError: 'answered 500',
  failedAt: 0,
};

function setup(over: Parameters<typeof fakeFetch>[0] = {}, me?: Me) {
  const f = fakeFetch({
    'GET /webhooks': () => [200, { webhooks: [hook] }],
    'GET /webhook-failures': () => [200, { failures: [failure], next: null }],
    ...over,
  });
  render(
    <WithSession routes={f} {...(me && { me })}>
      <WebhooksPage />
    </WithSession>,
  );
  return f;
}

describe('WebhooksPage', () => {
  it('lists the endpoints and the dead letters with what the receiver last answered', async () => {
    setup();
    await screen.findAllByText('https://hooks.example.com/edgeflags');
    const hooks = screen.getByRole('list', { name: 'Webhooks' });
    expect(hooks.textContent).toContain('https://hooks.example.com/edgeflags');
    expect(hooks.textContent).toContain('release.*');
    const dead = screen.getByRole('list', { name: 'Dead letters' });
    expect(dead.textContent).toContain('release.rolled_back');
    expect(dead.textContent).toContain('8 attempts · last: answered 500');
    expect(dead.textContent).toContain('https://hooks.example.com/edgeflags');
  });

  it('creates a webhook from the form and shows its signing secret once', async () => {
    const created = { ...hook, id: '22222222-2222-4222-8222-222222222222', format: 'slack', secret: 'whsec_abc' };
    const f = setup({ 'POST /webhooks': () => [200, created] });
    await screen.findAllByText('https://hooks.example.com/edgeflags');
    fireEvent.input(screen.getByLabelText('URL'), { target: { value: ' https://hooks.slack.com/services/T/B/x ' } });
    fireEvent.input(screen.getByLabelText('Events'), { target: { value: 'release.rolled_back, flag.disable' } });
    fireEvent.change(screen.getByLabelText('Format'), { target: { value: 'slack' } });
    fireEvent.submit(screen.getByRole('button', { name: 'Add webhook' }).closest('form')!);
    expect((await screen.findByTestId('secret')).textContent).toBe('whsec_abc');
    const post = f.calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({
      url: 'https://hooks.slack.com/services/T/B/x',
      events: ['release.rolled_back', 'flag.disable'],
      format: 'slack',
    });
    expect(post?.headers['Idempotency-Key']).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByTestId('secret')).toBeNull();
  });

  it('sends a test event and says what the receiver answered', async () => {
    setup({
      [`POST /webhooks/${hook.id}/test`]: () => [
        200,
        { delivered: false, status: 503, error: 'answered 503', durationMs: 12, eventId: 'evt_test_1' },
      ],
    });
    await screen.findAllByText('https://hooks.example.com/edgeflags');
    const hooks = screen.getByRole('list', { name: 'Webhooks' });
    fireEvent.click(within(hooks).getByRole('button', { name: /Send a test event/ }));
    expect((await screen.findByRole('status')).textContent).toContain('Test failed: answered 503');
  });

  it('tells non-admins the page is for admins and asks the API nothing', async () => {
    const f = setup({}, { id: 'tok-ed', name: 'ed', role: 'editor', productionAccess: true });
    expect(screen.getByText('Only admins manage webhooks.')).toBeTruthy();
    expect(f.calls.filter((c) => c.path.startsWith('/webhook'))).toHaveLength(0);
  });
});
