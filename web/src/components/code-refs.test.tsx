import { render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { fakeFetch, WithSession } from '../../test/unit/fake-session.tsx';
import { CodeRefs } from './code-refs.tsx';

const ref = (repository: string, path: string, line: number) => ({
  repository,
  flagKey: 'checkout',
  path,
  line,
  commit: '4f2a9c1d0e',
  branch: 'main',
  pushedAt: 0,
});

describe('CodeRefs', () => {
  it('lists where code reads the flag, per repository, with the commit pushed', async () => {
    const f = fakeFetch({
      'GET /code-refs': () => [
        200,
        { refs: [ref('acme/web', 'src/cart.ts', 12), ref('acme/web', 'src/pay.tsx', 3), ref('acme/api', 'app.ts', 7)] },
      ],
    });
    render(
      <WithSession routes={f}>
        <CodeRefs flagKey="checkout" />
      </WithSession>,
    );
    expect(await screen.findByText('acme/web')).toBeTruthy();
    expect(screen.getByText('src/cart.ts:12')).toBeTruthy();
    expect(screen.getByText('app.ts:7')).toBeTruthy();
    expect(screen.getByText('acme/web').closest('li')?.textContent).toContain('2 references at 4f2a9c1 (main)');
    expect(f.calls.map((c) => `${c.path}${c.query}`)).toContain('/code-refs?flag=checkout');
  });

  it('says how to push references when none are known', async () => {
    const f = fakeFetch({ 'GET /code-refs': () => [200, { refs: [] }] });
    render(
      <WithSession routes={f}>
        <CodeRefs flagKey="checkout" />
      </WithSession>,
    );
    expect((await screen.findByText(/No code references pushed/)).textContent).toContain('npx edgeflags refs push');
  });
});
