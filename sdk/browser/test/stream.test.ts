// Transport faults (a dead edge, hidden tabs) are driven through a stand-in EventSource and
// WebSocket; the real stream against the real Worker is exercised in headless Chromium by
// @edgeflags/react's tests.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Change, openStream } from '../src/stream.ts';

class FakeEventSource extends EventTarget {
  static all: FakeEventSource[] = [];
  onopen: (() => void) | null = null;
  /** The stream listens for `error` events; a test calls this to fail it. */
  onerror = () => this.dispatchEvent(new Event('error'));
  closed = false;
  constructor(readonly url: string) {
    super();
    FakeEventSource.all.push(this);
  }
  close() {
    this.closed = true;
  }
  push(event: string, data: unknown) {
    this.dispatchEvent(Object.assign(new Event(event), { data: JSON.stringify(data) }));
  }
}

class FakeWebSocket extends EventTarget {
  static all: FakeWebSocket[] = [];
  onopen: (() => void) | null = null;
  sent: string[] = [];
  closed = false;
  constructor(readonly url: string) {
    super();
    FakeWebSocket.all.push(this);
  }
  send(message: string) {
    this.sent.push(message);
  }
  /** A real socket reports its close later, when the stream has already let go of it. */
  close() {
    this.closed = true;
  }
  push(data: unknown) {
    this.dispatchEvent(Object.assign(new Event('message'), { data: JSON.stringify(data) }));
  }
  /** The network drops it (or it never opened). */
  drop() {
    this.dispatchEvent(new Event('close'));
  }
}

const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
const setVisibility = (state: DocumentVisibilityState) => {
  doc.visibilityState = state;
  doc.dispatchEvent(new Event('visibilitychange'));
};
const open = () => FakeEventSource.all.filter((s) => !s.closed);
const closers: (() => void)[] = [];
const start = (version: () => number | undefined, onChange: (change: Change) => void = () => {}) => {
  closers.push(openStream('https://edge/s?key=k', version, onChange));
};

beforeEach(() => {
  vi.useFakeTimers();
  FakeEventSource.all = [];
  doc.visibilityState = 'visible';
  FakeWebSocket.all = [];
  vi.stubGlobal('EventSource', FakeEventSource);
  // The SSE cases: a browser (or network) without WebSockets.
  vi.stubGlobal('WebSocket', undefined);
  vi.stubGlobal('document', doc);
});
afterEach(() => {
  for (const close of closers.splice(0)) close();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('openStream', () => {
  it('resumes from the version the client holds and reports refetch events', () => {
    const seen: number[] = [];
    const close = openStream(
      'https://edge/sdk/v1/stream?key=efc_x',
      () => 7,
      ({ id }) => seen.push(id),
    );
    expect(FakeEventSource.all[0]!.url).toBe('https://edge/sdk/v1/stream?key=efc_x&lastEventId=7');
    FakeEventSource.all[0]!.push('refetch', { type: 'refetch', id: 8, etag: 'e', flags: ['ai-chatbot'] });
    FakeEventSource.all[0]!.dispatchEvent(Object.assign(new Event('refetch'), { data: 'not json' }));
    expect(seen).toEqual([8]);
    close();
    expect(open()).toHaveLength(0);
  });

  it('backs off exponentially while the edge keeps failing, and resets once connected', () => {
    start(() => undefined);
    const gaps: number[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      FakeEventSource.all.at(-1)!.onerror?.();
      expect(open()).toHaveLength(0);
      const before = Date.now();
      vi.advanceTimersToNextTimer();
      gaps.push(Date.now() - before);
      expect(open()).toHaveLength(1);
    }
    // Jittered between half and all of 1 s, 2 s, 4 s … capped at 60 s.
    gaps.forEach((gap, i) => {
      const full = Math.min(60_000, 1000 * 2 ** i);
      expect(gap).toBeGreaterThanOrEqual(full / 2);
      expect(gap).toBeLessThanOrEqual(full);
    });
    FakeEventSource.all.at(-1)!.onopen?.();
    FakeEventSource.all.at(-1)!.onerror?.();
    const before = Date.now();
    vi.advanceTimersToNextTimer();
    expect(Date.now() - before).toBeLessThanOrEqual(1000);
  });

  it('holds no connection while the tab is hidden and resumes from the current version on return', () => {
    let version = 3;
    start(() => version);
    setVisibility('hidden');
    expect(open()).toHaveLength(0);
    // A pending reconnect is cancelled too: a background tab makes no requests at all.
    vi.advanceTimersByTime(120_000);
    expect(FakeEventSource.all).toHaveLength(1);
    version = 5;
    setVisibility('visible');
    expect(open().map((s) => s.url)).toEqual(['https://edge/s?key=k&lastEventId=5']);
  });

  it('prefers a WebSocket: resumes from the held version, reports refetch pushes with their values, pings every 50 s', () => {
    vi.stubGlobal('WebSocket', FakeWebSocket);
    const seen: Change[] = [];
    start(
      () => 7,
      (change) => seen.push(change),
    );
    expect(FakeEventSource.all).toHaveLength(0);
    const ws = FakeWebSocket.all[0]!;
    expect(ws.url).toBe('wss://edge/s?key=k&lastEventId=7');
    ws.onopen?.();
    const values = { 'maintenance-mode': { value: true, variant: 'on', reason: 'DEFAULT' } };
    ws.push({ type: 'hello', id: 7 });
    ws.push({ type: 'refetch', id: 8, etag: 'e', flags: ['maintenance-mode'], values });
    expect(seen).toEqual([{ type: 'refetch', id: 8, etag: 'e', flags: ['maintenance-mode'], values }]);
    vi.advanceTimersByTime(100_000);
    expect(ws.sent).toEqual(['ping', 'ping']);
    // Dropped after it opened: a WebSocket again, soon.
    ws.drop();
    vi.advanceTimersToNextTimer();
    expect(FakeWebSocket.all).toHaveLength(2);
    expect(FakeEventSource.all).toHaveLength(0);
  });

  it('falls back to EventSource for good after two failed socket opens in a row', () => {
    vi.stubGlobal('WebSocket', FakeWebSocket);
    start(() => 3);
    FakeWebSocket.all[0]!.drop();
    vi.advanceTimersToNextTimer();
    FakeWebSocket.all[1]!.drop();
    vi.advanceTimersToNextTimer();
    expect(FakeWebSocket.all).toHaveLength(2);
    expect(open().map((s) => s.url)).toEqual(['https://edge/s?key=k&lastEventId=3']);
    open()[0]!.onopen?.();
    open()[0]!.onerror();
    vi.advanceTimersToNextTimer();
    expect(FakeWebSocket.all).toHaveLength(2);
  });

  it('does not connect in a tab that starts hidden until it is shown', () => {
    doc.visibilityState = 'hidden';
    start(() => undefined);
    expect(FakeEventSource.all).toHaveLength(0);
    setVisibility('visible');
    expect(open()).toHaveLength(1);
  });
});
