import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { detail, plan } from '../../test/unit/fake-release.ts';
import { ADMIN, changeLines, config, confirmWith, ENVIRONMENTS, fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import type { Me, ReleaseDetail, ReleasePlan } from '../api/types.ts';
import { ReleasePanel } from './release-panel.tsx';

const BASE = '/flags/checkout/environments';
const EDITOR: Me = { id: 'tok-ed', name: 'ed', role: 'editor', productionAccess: false };
const VIEWER: Me = { id: 'tok-vi', name: 'vi', role: 'viewer', productionAccess: false };
const TEMPLATES = {
  'seed-001': { description: '5% → 25% → 50% → 100%', stages: plan().stages, settings: plan().settings },
  'seed-003': {
    description: '1% → 10% → 25% → 100%, manual gates',
    stages: [1, 10, 25, 100].map((percentage) => ({ ...plan().stages[0]!, percentage, approval: percentage === 1 ? 'manual' : 'auto' })),
    settings: plan().settings,
  },
  default: { description: '10% → 50% → 100%', stages: plan().stages.slice(1), settings: plan().settings },
};

function setup({
  env = 'production',
  me = ADMIN,
  plans = [] as ReleasePlan[],
  shown = undefined as ReleaseDetail | undefined,
  created = [200, { plan: plan(), write: null }] as [number, unknown],
} = {}) {
  const f = fakeFetch({
    [`GET ${BASE}/${env}/releases`]: () => [200, { releases: plans }],
    [`GET ${BASE}/${env}/releases/rp_1`]: () => [200, shown ?? detail({ environment: env })],
    'GET /release-templates': () => [200, { templates: TEMPLATES }],
    [`POST ${BASE}/${env}/releases`]: () => created,
    ...Object.fromEntries(
      ['approve', 'reject', 'rollback', 'pause', 'resume', 'abort'].map((a) => [
        `POST ${BASE}/${env}/releases/rp_1/${a}`,
        () => [200, plan()],
      ]),
    ),
  });
  const environment = ENVIRONMENTS.find((e) => e.key === env)!;
  const { writable } = { writable: me.role !== 'viewer' && (!environment.production || me.productionAccess) };
  render(
    <WithSession routes={f} me={me}>
      <ReleasePanel flag={flag()} env={environment} config={config(env)} canAct={writable} onChanged={() => undefined} />
    </WithSession>,
  );
  return f;
}

const posts = (f: ReturnType<typeof setup>) => f.calls.filter((c) => c.method === 'POST');
const button = (name: string) => screen.queryByRole('button', { name }) as HTMLButtonElement | null;

describe('ReleasePanel: starting a plan', () => {
  it('starts a template as it is in development, without asking', async () => {
    const f = setup({ env: 'development' });
    fireEvent.click(await screen.findByRole('button', { name: 'New release' }));
    fireEvent.change(screen.getByLabelText('Template'), { target: { value: 'seed-003' } });
    await screen.findByText('1% → 10% → 25% → 100%, manual gates');
    expect((screen.getByLabelText('Stage 1 Approval') as HTMLSelectElement).value).toBe('manual');
    fireEvent.submit(screen.getByRole('form', { name: 'New release in Development' }));
    await waitFor(() => expect(posts(f)).toHaveLength(1));
    expect(posts(f)[0]).toMatchObject({
      path: `${BASE}/development/releases`,
      body: { template: 'seed-003', treatmentVariant: 'on', baselineVariant: 'off', start: true },
    });
    expect(posts(f)[0]?.body).not.toHaveProperty('settings');
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('sends edited stages (percentage, duration, approval, samples, checks) with the template settings', async () => {
    const f = setup({ env: 'development' });
    fireEvent.click(await screen.findByRole('button', { name: 'New release' }));
    fireEvent.change(screen.getByLabelText('Template'), { target: { value: 'seed-001' } });
    await screen.findByLabelText('Stage 4 Percentage');
    fireEvent.input(screen.getByLabelText('Stage 1 Percentage'), { target: { value: '2' } });
    fireEvent.input(screen.getByLabelText('Stage 1 Min duration (s)'), { target: { value: '30' } });
    fireEvent.input(screen.getByLabelText('Stage 1 Min samples per variant'), { target: { value: '50' } });
    fireEvent.input(screen.getByLabelText('Stage 1 Error rate max %'), { target: { value: '5' } });
    fireEvent.input(screen.getByLabelText('Stage 1 p99 max ms'), { target: { value: '900' } });
    fireEvent.change(screen.getByLabelText('Stage 1 Approval'), { target: { value: 'manual' } });
    fireEvent.input(screen.getByLabelText('Decide every (s)'), { target: { value: '5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Remove stage 3' }));
    fireEvent.submit(screen.getByRole('form', { name: 'New release in Development' }));
    await waitFor(() => expect(posts(f)).toHaveLength(1));
    const body = posts(f)[0]?.body as { stages: unknown[]; template?: string; settings: unknown };
    expect(body.template).toBeUndefined();
    expect(body.settings).toEqual({ ...plan().settings, windowSeconds: 5 });
    expect(body.stages.map((s) => (s as { percentage: number }).percentage)).toEqual([2, 25, 100]);
    expect(body.stages[0]).toEqual({
      percentage: 2,
      minDurationSeconds: 30,
      approval: 'manual',
      minSamples: 50,
      checks: { errorRate: { maxRatio: 2, max: 0.05 }, latencyP99: { maxMs: 900 } },
    });
  });

  it('shows the API refusal of a stage next to that stage', async () => {
    const issue = { path: 'stages.3.percentage', message: "must be above the previous stage's 100%" };
    setup({
      env: 'development',
      created: [400, { error: { code: 'invalid_request', message: 'invalid release plan', details: { issues: [issue] } } }],
    });
    fireEvent.click(await screen.findByRole('button', { name: 'New release' }));
    await screen.findByLabelText('Stage 3 Percentage');
    fireEvent.click(screen.getByRole('button', { name: 'Add stage' }));
    fireEvent.submit(screen.getByRole('form', { name: 'New release in Development' }));
    const stage4 = screen.getByLabelText('Stage 4 Percentage').closest('fieldset')!;
    expect((await within(stage4).findByRole('alert')).textContent).toBe(issue.message);
    expect(screen.getByText('invalid release plan')).toBeTruthy();
  });

  it('in production asks what changes and why, then sends the reason', async () => {
    const f = setup();
    fireEvent.click(await screen.findByRole('button', { name: 'New release' }));
    await screen.findByLabelText('Stage 1 Percentage');
    fireEvent.submit(screen.getByRole('form', { name: 'New release in Production' }));
    expect(posts(f)).toEqual([]);
    expect(changeLines()).toEqual(['Rollout from off → to 25% on']);
    confirmWith('seed 001 plan for the PDF engine');
    await waitFor(() => expect(posts(f)).toHaveLength(1));
    expect(posts(f)[0]?.body).toMatchObject({ template: 'default', start: true, reason: 'seed 001 plan for the PDF engine' });
  });
});

describe('ReleasePanel: a running plan', () => {
  it('shows the stages with the current one marked, the decisions with their evidence and the health charts', async () => {
    setup({ plans: [plan()] });
    const stages = await screen.findByRole('list', { name: 'Stages' });
    const current = stages.querySelector('[aria-current="step"]');
    expect(current?.textContent).toMatch(/^25%/);
    expect(screen.getByText(/In progress:/).parentElement?.textContent).toMatch(/stage 2 of 4 · healthy/);
    const decisions = screen.getByRole('list', { name: 'Decisions' });
    const [advance, start] = [...decisions.children] as HTMLElement[];
    expect(advance?.textContent).toMatch(/advance · stage 1 · rule checks_passed/);
    expect(advance?.textContent).toContain('release:rp_1');
    const evidence = [...advance!.querySelectorAll('.evidence li')].map((li) => li.textContent);
    expect(evidence).toEqual([
      'treatment: 1,200 requests, 13 errors (1.1% [0.6%–1.8%]), p95 131 ms, p99 260 ms',
      'control: 23,000 requests, 235 errors (1.02% [0.9%–1.16%]), p95 119 ms, p99 240 ms',
      'error ratio 1.06 [0.61–1.84] · test accepted: log-likelihood ratio -1.7 (rolls back at ≥ 3.69, healthy at ≤ -1.61, α 0.025)',
      'latency_p95_ratio pass: 1.1 against 1.2',
      '240 windows, 14400 s of at least 14400 s, at least 100 samples per variant',
    ]);
    expect(start?.querySelector('.evidence')?.textContent).toBe('reason: seed 001 plan');
    const charts = screen.getAllByRole('img');
    expect(charts.map((c) => c.getAttribute('aria-label'))).toEqual([
      'Error rate, latest window: treatment 1.25%, control 1.03%, threshold 2.07%',
      'p95 latency, latest window: treatment 131 ms, control 119 ms, threshold 143 ms',
      'Samples, latest window: treatment 320, control 5,800',
    ]);
    // Treatment, control and the dashed threshold are drawn as lines.
    expect(charts[0]!.querySelectorAll('path.line-th')).toHaveLength(1);
    expect(
      screen.getByText(/error ratio 1.21, test undecided: log-likelihood ratio -0.4 \(rolls back at 2.8, healthy at -1.6\)/),
    ).toBeTruthy();
  });

  it('approves a manual gate in production with a reason and the plan version', async () => {
    const f = setup({ plans: [plan({ status: 'waiting_approval' })] });
    fireEvent.click(await screen.findByRole('button', { name: 'Approve' }));
    expect(changeLines()).toEqual(['Rollout from 25% on → to 50% on']);
    expect((within(screen.getByRole('dialog')).getByRole('button', { name: 'Approve' }) as HTMLButtonElement).disabled).toBe(true);
    confirmWith('dashboards look fine');
    await waitFor(() => expect(posts(f)).toHaveLength(1));
    expect(posts(f)[0]).toMatchObject({
      path: `${BASE}/production/releases/rp_1/approve`,
      body: { reason: 'dashboards look fine', version: 4 },
    });
    expect(posts(f)[0]?.headers['Idempotency-Key']).toBeTruthy();
  });

  it('says a rejected gate rolls the release back, and asks why', async () => {
    const f = setup({ plans: [plan({ status: 'waiting_approval' })] });
    fireEvent.click(await screen.findByRole('button', { name: 'Reject' }));
    expect(screen.getByRole('dialog').textContent).toContain('The gate is refused and the release is rolled back');
    expect(changeLines()).toEqual(['Rollout from 25% on → to everyone off']);
    confirmWith('p95 too high on the dashboard');
    await waitFor(() => expect(posts(f)).toHaveLength(1));
    expect(posts(f)[0]).toMatchObject({
      path: `${BASE}/production/releases/rp_1/reject`,
      body: { reason: 'p95 too high on the dashboard', version: 4 },
    });
  });

  it('rolls back as the emergency move: reason optional, no version', async () => {
    const f = setup({ plans: [plan()] });
    fireEvent.click(await screen.findByRole('button', { name: 'Roll back' }));
    const dialog = screen.getByRole('dialog');
    expect(dialog.textContent).toContain('Emergency action.');
    expect(changeLines()).toEqual(['Rollout from 25% on → to everyone off']);
    confirmWith();
    await waitFor(() => expect(posts(f)).toHaveLength(1));
    expect(posts(f)[0]).toMatchObject({ path: `${BASE}/production/releases/rp_1/rollback`, body: {} });
  });

  it('offers what the status allows: pause while running, resume while paused, reject at a gate', async () => {
    setup({ env: 'development', plans: [plan({ environment: 'development', status: 'paused' })] });
    await screen.findByRole('button', { name: 'Resume' });
    expect(['Pause', 'Approve', 'Reject', 'Roll back', 'Abort'].map((n) => !!button(n))).toEqual([false, false, false, true, true]);
  });

  it('acts at once outside production: pause, reject and abort send the version', async () => {
    const f = setup({ env: 'development', plans: [plan({ environment: 'development', status: 'waiting_approval' })] });
    fireEvent.click(await screen.findByRole('button', { name: 'Reject' }));
    await waitFor(() => expect(posts(f)).toHaveLength(1));
    expect(posts(f)[0]).toMatchObject({ path: `${BASE}/development/releases/rp_1/reject`, body: { version: 4 } });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows a viewer the plan and its timeline, with no button', async () => {
    setup({ me: VIEWER, plans: [plan({ status: 'waiting_approval' })] });
    await screen.findByRole('list', { name: 'Stages' });
    expect(screen.queryAllByRole('button')).toEqual([]);
    expect(screen.queryByRole('form')).toBeNull();
  });

  it('gives an editor without production access no button in production, and every button elsewhere', async () => {
    setup({ me: EDITOR, plans: [plan({ status: 'waiting_approval' })] });
    await screen.findByRole('list', { name: 'Stages' });
    expect(screen.queryAllByRole('button')).toEqual([]);
  });

  it('gives the same editor the buttons in development', async () => {
    setup({ env: 'development', me: EDITOR, plans: [plan({ environment: 'development', status: 'waiting_approval' })] });
    await screen.findByRole('button', { name: 'Approve' });
    expect(button('Roll back')).toBeTruthy();
  });

  it('after a plan ended, shows how it ended and offers a new one', async () => {
    const ended = plan({ status: 'rolled_back', endReason: 'error_ratio' });
    setup({ plans: [ended], shown: { ...detail(), plan: ended } });
    await screen.findByText(/Last release:/);
    expect(screen.getByText(/Last release:/).parentElement?.textContent).toMatch(/rolled back · on against off · error_ratio/);
    expect(button('New release')).toBeTruthy();
    expect(button('Roll back')).toBeNull();
    expect(document.querySelector('[aria-current="step"]')).toBeNull();
  });
});
