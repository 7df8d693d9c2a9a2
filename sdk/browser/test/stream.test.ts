// Transport faults (a dead edge, hidden tabs) are driven through a stand-in EventSource; the real
// stream against the real Worker is exercised in headless Chromium by @edgeflags/react's tests.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStream } from '../src/stream.ts';

class FakeEventSource extends EventTarget {
  static all: FakeEventSource[] = [];
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
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

const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
const setVisibility = (state: DocumentVisibilityState) => {
  doc.visibilityState = state;
  doc.dispatchEvent(new Event('visibilitychange'));
};
const open = () => FakeEventSource.all.filter((s) => !s.closed);
const closers: (() => void)[] = [];
const start = (version: () => number | undefined, onChange: (id: number) => void = () => {}) => {
  closers.push(openStream('https://edge/s?key=k', version, onChange));
};

beforeEach(() => {
  vi.useFakeTimers();
  FakeEventSource.all = [];
  doc.visibilityState = 'visible';
  vi.stubGlobal('EventSource', FakeEventSource);
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
      (id) => seen.push(id),
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

  it('does not connect in a tab that starts hidden until it is shown', () => {
    doc.visibilityState = 'hidden';
    start(() => undefined);
    expect(FakeEventSource.all).toHaveLength(0);
    setVisibility('visible');
    expect(open()).toHaveLength(1);
  });
});
