import { useEffect, useState } from 'preact/hooks';
import type { HubStats, WriteResult } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { PENDING_NOTE } from '../lib/delivery.ts';

/** Acks arrive after the API answered: the hub is asked every second, for this long at most. */
const WATCH_MS = 10_000;
/** A pending delivery is retried by the Worker for up to its bound; the report keeps looking. */
const PENDING_WATCH_MS = 120_000;

/** Streams that receive changes: SDKs and OFREP providers (admin pages are not counted). */
export const connectedClients = (s: HubStats) => s.connections.server + s.connections.client + s.connections.ofrep;

/** What the flag in this environment is now, as the page knows it (refreshed by the change stream). */
export interface LiveConfig {
  enabled: boolean;
  version: number;
}

/**
 * After a switch: how many connected clients the hub pushed it to, how many confirmed it and how
 * fast (the hub's ack timing: milliseconds from publish to the latest ack). The banner follows
 * live state: a pending delivery turns into "delivered" when the environment's delivered version
 * reaches it, and a later change to the flag replaces the success line rather than leaving it
 * standing over a state that no longer holds.
 */
export function DeliveryReport({ result, live }: { result: WriteResult; live: LiveConfig | undefined }) {
  const { api } = useSession();
  const [stats, setStats] = useState<HubStats>();
  const [pending, setPending] = useState(result.delivery === 'pending');
  const env = result.environment;
  const version = result.snapshotVersion;
  const event = stats?.recent.find((r) => r.version === version);
  const allAcked = event !== undefined && event.sent > 0 && event.acked >= event.sent;

  useEffect(() => {
    setPending(result.delivery === 'pending');
    const started = Date.now();
    let stopped = false;
    let stillPending = result.delivery === 'pending';
    const poll = async () => {
      const s = await api.hubStats(env).catch(() => undefined);
      if (stopped) return;
      if (s) setStats(s);
      if (stillPending && version !== null) {
        const envs = await api.listEnvironments().catch(() => undefined);
        const e = envs?.environments.find((x) => x.key === env);
        if (!stopped && e && e.deliveredVersion !== null && e.deliveredVersion >= version) {
          stillPending = false;
          setPending(false);
        }
      }
      const ev = s?.recent.find((r) => r.version === version);
      const settled = ev !== undefined && ev.acked >= ev.sent;
      const age = Date.now() - started;
      if ((settled || age > WATCH_MS) && (!stillPending || age > PENDING_WATCH_MS)) clearInterval(timer);
    };
    const timer = setInterval(() => void poll(), 1000);
    void poll();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api, result, env, version]);

  const connected = stats ? connectedClients(stats) : undefined;
  // Someone (or something) changed the flag here since: the switch's result is history now.
  if (live && live.version > result.config.version) {
    return (
      <div class="delivery delivery-warn" role="status">
        <strong>
          Changed again since your switch: {result.flag} is now {live.enabled ? 'on' : 'off'} in {env}
        </strong>{' '}
        (version {live.version}).
      </div>
    );
  }
  return (
    <div class={`delivery ${pending ? 'delivery-warn' : ''}`} role="status">
      <strong>
        {result.config.enabled ? 'Switched on' : 'Switched off'} in {env}
      </strong>
      : pushed to <strong data-testid="delivered">{result.delivered}</strong> connected client{result.delivered === 1 ? '' : 's'}
      {event && event.acked > 0 && (
        <span data-testid="acked">
          , {allAcked ? 'all' : `${event.acked} of ${event.sent}`} confirmed
          {event.lastAckMs !== null && <> within {event.lastAckMs} ms</>}
        </span>
      )}
      .{connected !== undefined && <span class="muted"> {connected} streams connected now.</span>}
      {pending ? (
        <p class="delivery-pending">
          <strong>Delivery pending.</strong> {PENDING_NOTE}
        </p>
      ) : (
        result.delivery === 'pending' && <p class="muted small">Delivered since: the edge serves it now.</p>
      )}
    </div>
  );
}
