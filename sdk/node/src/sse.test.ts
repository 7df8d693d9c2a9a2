import { describe, expect, it } from 'vitest';
import { readSse, type SseEvent } from './sse.ts';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
}

describe('readSse', () => {
  it('parses the hub’s events across arbitrary chunk boundaries, skipping comments and retry', async () => {
    const events: SseEvent[] = [];
    let activity = 0;
    await readSse(
      streamOf('retry: 2000\n\nid: 7\nevent: snap', 'shot\ndata: {"type":"snapshot",', '"id":7}\n\n: ping\n\r\ndata: a\r\ndata: b\r\n\r\n'),
      (e) => events.push(e),
      () => activity++,
    );
    expect(events).toEqual([
      { event: 'snapshot', id: '7', data: '{"type":"snapshot","id":7}' },
      { event: 'message', data: 'a\nb' },
    ]);
    expect(activity).toBe(3);
  });
});
