// @vitest-environment happy-dom
// useOutcomes: one recorder per provider client, created after mount and closed on unmount, so a
// click's track() and the page view reach POST /sdk/v1/metrics (captured here at the transport),
// and a server render records nothing.
import type { MetricsPayload } from '@edgeflags/core';
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FlagProvider } from '../src/index.ts';
import { useOutcomes } from '../src/outcomes.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const BOOTSTRAP = {
  environment: 'development',
  version: 7,
  flags: { 'redesigned-dashboard': { value: 'treatment', variant: 'treatment', reason: 'SPLIT' as const } },
  tracked: ['redesigned-dashboard'],
};

function capture() {
  const bodies: MetricsPayload[] = [];
  const fetch = (async (_input: RequestInfo | URL, init?: RequestInit) => {
    bodies.push(JSON.parse(String(init?.body)));
    return new Response('{"accepted":1,"dropped":0}', { status: 202 });
  }) as typeof globalThis.fetch;
  return { bodies, fetch };
}

function Checkout({ fetch }: { fetch: typeof globalThis.fetch }) {
  const outcomes = useOutcomes({ url: 'http://edge.test', clientKey: 'efc_test', fetch });
  outcomes.track('rendered'); // during render, before mount: ignored
  return (
    <button type="button" onClick={() => outcomes.track('invoice-created', 120)}>
      Pay
    </button>
  );
}

const App = ({ fetch }: { fetch: typeof globalThis.fetch }) => (
  <FlagProvider url="http://edge.test" clientKey="efc_test" bootstrap={BOOTSTRAP} storage={null} stream={false} exposures={false}>
    <Checkout fetch={fetch} />
  </FlagProvider>
);

describe('useOutcomes', () => {
  it('records track() for the variant the page was served and sends the page view on unmount', async () => {
    const { bodies, fetch } = capture();
    const host = document.createElement('div');
    document.body.append(host);
    const root = createRoot(host);
    await act(async () => root.render(<App fetch={fetch} />));
    await act(async () => host.querySelector('button')!.click());
    await act(async () => root.unmount());
    expect(bodies).toEqual([
      {
        windowMs: expect.any(Number),
        summaries: [
          {
            flag: 'redesigned-dashboard',
            variant: 'treatment',
            count: 1,
            errors: 0,
            events: { 'invoice-created': { count: 1, sum: 120 } },
          },
        ],
      },
    ]);
  });

  it('records nothing when rendered on the server', () => {
    const { bodies, fetch } = capture();
    expect(renderToString(<App fetch={fetch} />)).toContain('Pay');
    expect(bodies).toEqual([]);
  });
});
