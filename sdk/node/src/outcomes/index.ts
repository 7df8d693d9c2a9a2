/**
 * @edgeflags/node/outcomes — the outcome recorder on its own, for runtimes that attribute
 * outcomes themselves (the Next.js route-handler wrapper). Runtime-neutral: fetch and timers.
 * Most apps use the client's `wrap`, `run`, `measure` and `track` instead.
 *
 * @example
 * import { OutcomeRecorder } from '@edgeflags/node/outcomes';
 * const send = (body: string, signal: AbortSignal) =>
 *   fetch('http://127.0.0.1:8787/sdk/v1/metrics', { method: 'POST', body, signal,
 *     headers: { Authorization: `Bearer ${process.env.EDGEFLAGS_SERVER_KEY}`, 'Content-Type': 'application/json' } });
 * const recorder = new OutcomeRecorder({ flushIntervalMs: 10_000 }, send, console, 10_000);
 * recorder.record('new-pdf-engine', 'on', 42, false); // one request: 42 ms, no error
 * await recorder.close();
 */
export { type OutcomeOptions, OutcomeRecorder, type OutcomeStats, type SendMetrics } from './outcome-recorder.ts';
export { addEvent, type EventTotals, validEventName } from './outcome-table.ts';
