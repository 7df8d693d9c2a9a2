// @edgeflags/browser against an edge that is unreachable, slow, failing or lying: a page keeps
// running on its bootstrap, cached or fallback values, `ready()` resolves (false when nothing is
// held) within `timeoutMs`, nothing rejects unhandled, and the console says what is served.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { refusedUrl, startFaultServer } from '../../../scripts/test-support.mjs';
import { createClient } from '../src/index.ts';
import type { Payload } from '../src/types.ts';
import { memoryStorage } from './worker.ts';

let edge: Awaited<ReturnType<typeof startFaultServer>>;
beforeAll(async () => {
  edge = await startFaultServer();
});
afterAll(() => edge?.close());

const HELD: Payload = {
  environment: 'development',
  version: 4,
  flags: { 'ai-chatbot': { value: true, variant: 'on', reason: 'DEFAULT' } },
};
const base = { clientKey: 'efc_x', stream: false, exposures: false, storage: null, timeoutMs: 400 } as const;

/** Runs `body` while collecting console warnings and unhandled rejections. */
async function watched(body: () => Promise<void>): Promise<{ warnings: string[]; unhandled: unknown[] }> {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  const warnings: string[] = [];
  const warn = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args.join(' ')));
  try {
    await body();
    // A turn for any stray rejection to surface.
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    process.off('unhandledRejection', onUnhandled);
    warn.mockRestore();
  }
  return { warnings, unhandled };
}

describe('the browser client when the edge misbehaves', () => {
  it.each(['refused', '503', 'garbage', 'not-a-snapshot', 'slow', 'drop'])(
    '%s: ready() resolves false within timeoutMs and every read answers its fallback',
    async (fault) => {
      const url = fault === 'refused' ? await refusedUrl() : `${edge.url}/${fault}`;
      const { warnings, unhandled } = await watched(async () => {
        const flags = createClient({ ...base, url, context: { targetingKey: 'u-1' } });
        const started = Date.now();
        expect(await flags.ready()).toBe(false);
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(flags.loading).toBe(false);
        expect(flags.isEnabled('ai-chatbot')).toBe(false);
        expect(flags.value('redesigned-dashboard', 'control')).toBe('control');
        expect(flags.variant('redesigned-dashboard')).toBeUndefined();
        expect(flags.snapshot()).toBeUndefined();
        flags.close();
      });
      expect(unhandled).toEqual([]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^edgeflags: evaluate failed \(.+\); serving fallbacks$/);
    },
  );

  it('keeps the bootstrap (last known good) when a re-evaluation fails, and says so once', async () => {
    const { warnings, unhandled } = await watched(async () => {
      const flags = createClient({ ...base, url: `${edge.url}/503`, bootstrap: HELD, context: { targetingKey: 'u-1' } });
      expect(await flags.ready()).toBe(true);
      await flags.setContext({ targetingKey: 'u-2' });
      await flags.setContext({ targetingKey: 'u-3' });
      expect(flags.isEnabled('ai-chatbot')).toBe(true);
      expect(flags.snapshot()).toEqual(HELD);
      flags.close();
    });
    expect(unhandled).toEqual([]);
    expect(warnings).toEqual(['edgeflags: evaluate failed (503); keeping the flags held']);
  });

  it('starts from the cached payload when the edge is down: ready() is true, values are the cached ones', async () => {
    const storage = memoryStorage();
    const context = { targetingKey: 'u-1' };
    storage.setItem('edgeflags:efc_x', JSON.stringify({ c: JSON.stringify(context), p: HELD }));
    const { unhandled } = await watched(async () => {
      const flags = createClient({ ...base, url: `${edge.url}/garbage`, storage, context });
      expect(flags.loading).toBe(false);
      expect(await flags.ready()).toBe(true);
      expect(flags.isEnabled('ai-chatbot')).toBe(true);
      flags.close();
    });
    expect(unhandled).toEqual([]);
  });
});
