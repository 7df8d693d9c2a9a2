// Server rendering with a bootstrap payload: what the Next.js helper relies on. No network is
// involved: a bootstrapped client answers at once and SSR never opens a stream.
import type { Payload } from '@edgeflags/browser';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { FlagProvider, useFeatureFlag, useFlagValue } from '../src/index.ts';

const bootstrap: Payload = {
  environment: 'development',
  version: 3,
  flags: {
    'redesigned-dashboard': { value: 'treatment', variant: 'treatment', reason: 'SPLIT' },
    'ai-chatbot': { value: true, variant: 'on', reason: 'TARGETING_MATCH' },
    'maintenance-mode': { value: false, variant: 'off', reason: 'DISABLED' },
  },
};

function Page() {
  const dashboard = useFeatureFlag('redesigned-dashboard');
  const maintenance = useFeatureFlag('maintenance-mode');
  const chatbot = useFlagValue('ai-chatbot', false);
  return <p>{`${dashboard.loading} ${dashboard.enabled} ${dashboard.variant} ${maintenance.enabled} ${chatbot}`}</p>;
}

describe('server rendering', () => {
  it('renders bootstrapped values with no loading state and no request', () => {
    const fetch = vi.fn<typeof globalThis.fetch>();
    const html = renderToString(
      <FlagProvider
        url="http://edge.invalid"
        clientKey="efc_x"
        context={{ targetingKey: 'u1' }}
        bootstrap={bootstrap}
        fetch={fetch}
        exposures={false}
      >
        <Page />
      </FlagProvider>,
    );
    expect(html).toBe('<p>false true treatment false true</p>');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('answers fallbacks outside a provider instead of throwing', () => {
    expect(renderToString(<Page />)).toBe('<p>false false undefined false false</p>');
  });
});
