import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.ts';
import { SnapshotSync } from './snapshot-sync.ts';

// Issue 9 §3: a 429 from the edge is honoured — no snapshot request before its Retry-After.
describe('SnapshotSync and 429 Retry-After', () => {
  it('sends nothing before Retry-After, whatever asks (a nudge, a poll), then polls again', async () => {
    const sent: number[] = [];
    const fetch = async () => {
      sent.push(Date.now());
      return sent.length === 1
        ? new Response('{"error":{"code":"rate_limited"}}', { status: 429, headers: { 'Retry-After': '1' } })
        : new Response(null, { status: 304 });
    };
    const options = resolveOptions({ url: 'http://edge.test', serverKey: 'efs_x', stream: false, logger: false, fetch });
    const sync = new SnapshotSync(options, { current: () => ({ version: 1, etag: '"e"' }), apply: () => true });
    expect(await sync.poll()).toBe(false);
    expect(sent).toHaveLength(1);
    // A stream nudge or the caller's own poll inside the quiet period does not reach the edge.
    expect(await sync.poll()).toBe(false);
    expect(sent).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1050));
    expect(await sync.poll()).toBe(true);
    expect(sent).toHaveLength(2);
    expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(1000);
    sync.close();
  });
});
