import { render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ENVIRONMENTS } from '../test/unit/fake-session.tsx';
import { App } from './app.tsx';

// Issue 11 §1: behind Cloudflare Access the browser already carries the person's sign-in (a
// same-origin cookie), so the app asks the API without a token before asking for one.
const ME = {
  id: 'person:ada@example.com',
  name: 'Ada Lovelace',
  role: 'editor',
  productionAccess: false,
  person: { email: 'ada@example.com', name: 'Ada Lovelace' },
};

/** The API as the Worker answers a request that carries no token: `answer` decides /me and /environments. */
function stubApi(answer: (path: string) => [number, unknown]) {
  const seen: { path: string; authorization: string | null }[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const path = new URL(String(input), 'http://app.test').pathname;
    const authorization = new Headers(init?.headers).get('Authorization');
    seen.push({ path, authorization });
    const [status, body] = authorization
      ? [401, { error: { code: 'unauthorized', message: 'unknown token' } }]
      : path === '/api/v1/environments' || path === '/api/v1/me'
        ? answer(path)
        : [404, { error: { code: 'not_found', message: path } }];
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  });
  return seen;
}

afterEach(() => {
  vi.restoreAllMocks();
  sessionStorage.clear();
  localStorage.clear();
});

describe('App sign-in', () => {
  it('opens without asking for a token when Cloudflare Access signed the person in', async () => {
    const seen = stubApi((path) => [200, path === '/api/v1/me' ? ME : { environments: ENVIRONMENTS }]);
    render(<App />);
    await screen.findByText('Skip to content'); // the app shell, not the sign-in form
    expect(screen.queryByLabelText('Admin token')).toBeNull();
    expect(seen.filter((s) => s.path === '/api/v1/me')).toEqual([{ path: '/api/v1/me', authorization: null }]);
  });

  it('asks for a token when the API answers 401 without one (Access not configured)', async () => {
    const seen = stubApi(() => [401, { error: { code: 'unauthorized', message: 'send an admin token' } }]);
    render(<App />);
    await waitFor(() => expect(seen.length).toBeGreaterThan(0));
    expect(seen[0]?.authorization).toBeNull();
    await waitFor(() => expect((screen.getByRole('button', { name: 'Sign in' }) as HTMLButtonElement).disabled).toBe(false));
    expect(screen.getByLabelText('Admin token')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says why when a person signed in through Access has no role', async () => {
    const message = 'ada@example.com is signed in through Cloudflare Access but has no role in edgeflags';
    stubApi(() => [403, { error: { code: 'forbidden', message } }]);
    render(<App />);
    expect((await screen.findByRole('alert')).textContent).toContain(message);
  });
});
