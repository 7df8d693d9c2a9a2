import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { fakeFetch, WithSession } from '../../test/unit/fake-session.tsx';
import type { ChangeDetail, ChangeRequest } from '../api/change-types.ts';
import { ChangesPage } from './changes-page.tsx';

// Issue 11 §6 in the admin app: the change requests of an environment, and a review view with
// the diff from what the flag serves now, the approvals counted, and the actions.

const request: ChangeRequest = {
  id: 'cr-1',
  environment: 'production',
  flagKey: 'checkout',
  action: 'config.update',
  proposal: { enabled: true },
  baseVersion: 3,
  status: 'open',
  requiredApprovals: 2,
  revision: 1,
  applyAt: null,
  inSnapshot: false,
  authorId: 'ana@example.com',
  author: 'ana (ana@example.com)',
  reason: 'open checkout to everyone',
  outcome: null,
  appliedVersion: null,
  version: 4,
  createdAt: 0,
  updatedAt: 0,
};
const detail = (over: Partial<ChangeDetail> = {}): ChangeDetail => ({
  changeRequest: request,
  approvals: [{ by: 'ben@example.com', at: 0, status: 'approved', reason: null }],
  approvalsCounted: 1,
  current: { enabled: false, version: 3 },
  diff: [{ field: 'enabled', before: false, after: true }],
  stale: false,
  ...over,
});

describe('the change requests page', () => {
  it('lists open requests and reviews one: the diff, approvals counted, apply held until enough', async () => {
    const f = fakeFetch({
      'GET /environments/production/change-requests': () => [200, { changeRequests: [request] }],
      'GET /environments/production/change-requests/cr-1': () => [200, detail()],
      'POST /environments/production/change-requests/cr-1/approve': () => [200, request],
    });
    render(
      <WithSession routes={f}>
        <ChangesPage />
      </WithSession>,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'checkout' }));
    await screen.findByText('What changes');
    expect(document.body.textContent).toContain('Approvals: 1 of 2');
    const row = screen.getByRole('row', { name: /enabled/ });
    expect(row.textContent).toContain('false');
    expect(row.textContent).toContain('true');
    expect((screen.getByRole('button', { name: 'Apply' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(f.calls.some((c) => c.method === 'POST')).toBe(true));
    // The action carries the version of the revision the reviewer read.
    expect(f.calls.find((c) => c.method === 'POST')?.body).toEqual({ version: 4 });
  });

  it('says when the flag moved since the request was written', async () => {
    const f = fakeFetch({
      'GET /environments/production/change-requests': () => [200, { changeRequests: [request] }],
      'GET /environments/production/change-requests/cr-1': () => [200, detail({ stale: true, current: { enabled: false, version: 5 } })],
    });
    render(
      <WithSession routes={f}>
        <ChangesPage />
      </WithSession>,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'checkout' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The flag changed since this request was written');
  });
});
