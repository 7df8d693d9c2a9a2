// The middleware against an edge that is unreachable, slow, failing or lying (a real socket
// misbehaving, scripts/test-support.mjs): pages keep rendering, on defaults or the last known
// good snapshot; a cold start waits at most `initialTimeoutMs`; nothing rejects unhandled; and
// what is reported says what is served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedUrl, startFaultServer } from '../../../scripts/test-support.mjs';
import { createEdgeflagsMiddleware } from '../src/index.ts';
import { runMiddleware } from './middleware-harness.ts';

const SNAPSHOT = {
  environment: 'development',
  version: 7,
  flags: [
    {
      key: 'ai-chatbot',
      kind: 'boolean',
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      defaultServe: { variant: 'on' },
    },
  ],
};
let served = 0;
let edge: Awaited<ReturnType<typeof startFaultServer>>;
beforeAll(async () => {
  edge = await startFaultServer({
    // A good snapshot once, then a broken gateway.
    once: (_req, res) => {
      if (served++ > 0) return void res.writeHead(502).end('bad gateway');
      res.writeHead(200, { 'content-type': 'application/json', etag: '"7"' }).end(JSON.stringify(SNAPSHOT));
    },
  });
});
afterAll(() => edge?.close());

function watchUnhandled(): { stop(): unknown[] } {
  const seen: unknown[] = [];
  const on = (e: unknown) => seen.push(e);
  process.on('unhandledRejection', on);
  return {
    stop() {
      process.off('unhandledRejection', on);
      return seen;
    },
  };
}

describe('the middleware when the edge misbehaves', () => {
  it.each(['refused', '503', 'garbage', 'not-a-snapshot', 'slow', 'drop'])(
    '%s: requests pass with defaults within initialTimeoutMs, and the report says defaults are served',
    async (fault) => {
      const unhandled = watchUnhandled();
      const errors: string[] = [];
      const middleware = createEdgeflagsMiddleware({
        url: fault === 'refused' ? await refusedUrl() : `${edge.url}/${fault}`,
        serverKey: 'efs_x',
        initialTimeoutMs: 300,
        exposures: false,
        cookie: false,
        onError: (e) => errors.push(e instanceof Error ? e.message : String(e)),
      });
      const first = await runMiddleware(middleware);
      expect(first.ms).toBeLessThan(1_500);
      expect(first.response.headers.get('x-middleware-next')).toBe('1');
      expect(first.flags.evaluated).toBe(false);
      expect(first.flags.isEnabled('ai-chatbot')).toBe(false);
      expect(first.flags.value('redesigned-dashboard', 'control')).toBe('control');
      // After the failed attempt no request waits on the edge at all.
      const second = await runMiddleware(middleware);
      expect(second.ms).toBeLessThan(200);
      await Promise.allSettled([...first.background, ...second.background]);
      // (a hung edge is given up on after the middleware's 5 s fetch bound)
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) expect(e).toMatch(/^edgeflags: .+; no snapshot yet: serving defaults$/);
      expect(unhandled.stop()).toEqual([]);
    },
  );

  it('keeps the last known good snapshot through a failing revalidation, and names its version', async () => {
    const errors: string[] = [];
    const middleware = createEdgeflagsMiddleware({
      url: `${edge.url}/once`,
      serverKey: 'efs_x',
      revalidateMs: 1,
      exposures: false,
      cookie: false,
      onError: (e) => errors.push(e instanceof Error ? e.message : String(e)),
    });
    const first = await runMiddleware(middleware);
    expect(first.flags.isEnabled('ai-chatbot')).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    const second = await runMiddleware(middleware);
    await Promise.allSettled(second.background);
    const third = await runMiddleware(middleware);
    expect(third.flags.isEnabled('ai-chatbot')).toBe(true);
    expect(errors[0]).toBe('edgeflags: GET /sdk/v1/snapshot answered 502; keeping snapshot v7');
  });
});
