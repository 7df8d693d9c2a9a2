// A publish reaching 1,000 WebSocket subscribers of one hub. The elapsed time is printed,
// not asserted: this machine is shared and noisy, and targets live in benchmarks.
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';

type Message = Record<string, unknown>;

const open: WebSocket[] = [];

afterEach(() => {
  for (const ws of open.splice(0)) ws.close(1000, 'test done');
});

describe('EnvironmentHub fan-out', () => {
  it('delivers one publish to 1,000 WebSocket subscribers exactly once each', async () => {
    const stub = env.HUB.getByName(`test-fanout-${crypto.randomUUID()}`);
    const SOCKETS = 1000;
    const snapshot = JSON.stringify({
      flags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`flag-${i}`, { kind: 'boolean', on: i % 2 === 0, rules: [] }])),
    });
    const counts = new Array<number>(SOCKETS).fill(0);
    let lastArrival = 0;
    let arrived = 0;
    let allArrived: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      allArrived = resolve;
    });

    for (let batch = 0; batch < SOCKETS; batch += 100) {
      const responses = await Promise.all(
        Array.from({ length: 100 }, () =>
          stub.fetch('http://hub/connect?lastEventId=0', { headers: { Upgrade: 'websocket', 'X-Edgeflags-Kind': 'server' } }),
        ),
      );
      responses.forEach((response, i) => {
        const index = batch + i;
        const ws = response.webSocket!;
        open.push(ws);
        ws.addEventListener('message', (message) => {
          const data = JSON.parse(message.data as string) as Message;
          if (data.type !== 'snapshot' || data.id !== 1) return;
          counts[index]! += 1;
          lastArrival = Date.now();
          if (++arrived === SOCKETS) allArrived();
        });
        ws.accept();
      });
    }
    expect((await stub.stats()).connections.server).toBe(SOCKETS);

    const started = Date.now();
    const result = await stub.publish({ version: 1, snapshot, etag: '"v1"', changed: ['flag-0'] });
    await done;
    console.log(`fan-out: ${SOCKETS} sockets received version 1 in ${lastArrival - started} ms after publish()`);

    expect(result).toMatchObject({ version: 1, sent: SOCKETS });
    expect(counts.every((count) => count === 1)).toBe(true);
  }, 60_000);
});
