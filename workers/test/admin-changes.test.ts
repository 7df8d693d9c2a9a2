import { beforeAll, describe, expect, it } from 'vitest';
import { SseReader } from './ofrep-helpers.ts';
import { call, LOCAL_KEYS, seed } from './seed.ts';

const A = LOCAL_KEYS.admin;
const sse = { Accept: 'text/event-stream' };

beforeAll(seed);

describe('admin change stream (GET /api/v1/environments/{env}/changes)', () => {
  it('pushes which flags changed to an admin console, without counting it as a client reached', async () => {
    const res = await call('/api/v1/environments/development/changes', { key: A, headers: sse });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = new SseReader(res.body!);
    try {
      const stats = (await (await call('/api/v1/environments/development/hub', { key: A })).json()) as {
        connections: Record<string, number>;
      };
      expect(stats.connections.admin).toBe(1);

      const toggle = await call('/api/v1/flags/ai-chatbot/environments/development/toggle', {
        method: 'POST',
        key: A,
        json: { enabled: false, reason: 'admin stream test' },
      });
      const { snapshotVersion, delivered } = (await toggle.json()) as { snapshotVersion: number; delivered: number };
      expect(delivered).toBe(0);
      let event = await reader.next();
      while (event.event !== 'refetch') event = await reader.next();
      expect(event.id).toBe(String(snapshotVersion));
      expect(JSON.parse(event.data!)).toMatchObject({ type: 'refetch', id: snapshotVersion, flags: ['ai-chatbot'] });
    } finally {
      await reader.cancel();
    }
  });

  it('needs an admin token and a stream request, and names unknown environments', async () => {
    expect((await call('/api/v1/environments/development/changes', { headers: sse })).status).toBe(401);
    expect((await call('/api/v1/environments/development/changes', { key: LOCAL_KEYS.server, headers: sse })).status).toBe(401);
    expect((await call('/api/v1/environments/development/changes', { key: A })).status).toBe(400);
    expect((await call('/api/v1/environments/nowhere/changes', { key: A, headers: sse })).status).toBe(404);
  });
});
