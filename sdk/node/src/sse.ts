export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * A minimal `text/event-stream` reader (the subset the hub writes: `id`, `event`, `data`,
 * `retry` and comment lines). `onActivity` fires on every chunk, comments included, so an
 * idle watchdog sees the hub's heartbeats.
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => void,
  onActivity: () => void = () => {},
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event: SseEvent = { event: 'message', data: '' };
  let hasData = false;
  for await (const chunk of body) {
    onActivity();
    buffer += decoder.decode(chunk, { stream: true });
    let nl = buffer.search(/\r?\n/);
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(buffer[nl] === '\r' ? nl + 2 : nl + 1);
      if (line === '') {
        if (hasData) onEvent(event);
        event = { event: 'message', data: '' };
        hasData = false;
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') {
          event.data = hasData ? `${event.data}\n${value}` : value;
          hasData = true;
        } else if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
      }
      nl = buffer.search(/\r?\n/);
    }
  }
}
