import { fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeFetch, flag, WithSession } from '../../test/unit/fake-session.tsx';
import type { EnvSummary, FlagSummary } from '../api/types.ts';
import { FlagsPage } from './flags-page.tsx';

const state: EnvSummary = {
  enabled: true,
  version: 1,
  offVariant: 'off',
  defaultServe: { variant: 'on' },
  rules: 0,
  targets: 0,
  prerequisites: 0,
  updatedAt: 0,
};
const summary = (key: string, name: string, tags: string[]): FlagSummary => ({
  ...flag({ key, name, tags }),
  environments: { production: state },
});

// Issue 12 §4: filters live in the URL, so a filtered list survives a reload and can be shared.
describe('FlagsPage filters', () => {
  afterEach(() => history.replaceState(null, '', '/'));

  it('reads the filters from the URL and writes changes back to it', async () => {
    history.replaceState(null, '', '/flags?tag=billing');
    const f = fakeFetch({
      'GET /flags': () => [200, { flags: [summary('pdf', 'PDF engine', ['billing']), summary('chat', 'AI chat', ['support'])] }],
      'GET /releases': () => [200, { releases: [] }],
    });
    render(
      <WithSession routes={f}>
        <FlagsPage />
      </WithSession>,
    );
    await screen.findByText('PDF engine');
    expect(screen.queryByText('AI chat')).toBeNull();
    expect((screen.getByLabelText('Tag') as HTMLSelectElement).value).toBe('billing');

    fireEvent.change(screen.getByLabelText('Tag'), { target: { value: '' } });
    fireEvent.input(screen.getByLabelText('Search'), { target: { value: 'chat' } });
    expect(location.pathname + location.search).toBe('/flags?q=chat');
    await screen.findByText('AI chat');
    expect(screen.queryByText('PDF engine')).toBeNull();
  });
});
