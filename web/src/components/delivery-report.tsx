import { useEffect, useState } from 'preact/hooks';
import type { HubStats, WriteResult } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { PENDING_NOTE } from '../lib/delivery.ts';

/**
 * After a switch: how many connected clients the hub pushed it to, how many acknowledged it
 * and how fast. Acks arrive after the API answered, so the hub is asked a few times.
 */
export function DeliveryReport({ result }: { result: WriteResult }) {
  const { api } = useSession();
  const [stats, setStats] = useState<HubStats>();
  useEffect(() => {
    let n = 0;
    const poll = () => api.hubStats(result.environment).then(setStats, () => undefined);
    void poll();
    const t = setInterval(() => (++n > 5 ? clearInterval(t) : void poll()), 1000);
    return () => clearInterval(t);
  }, [api, result]);
  const event = stats?.recent.find((r) => r.version === result.snapshotVersion);
  const connected = stats ? stats.connections.server + stats.connections.client + stats.connections.ofrep : undefined;
  return (
    <div class={`delivery ${result.delivery === 'pending' ? 'delivery-warn' : ''}`} role="status">
      <strong>
        {result.config.enabled ? 'Switched on' : 'Switched off'} in {result.environment}
      </strong>
      : pushed to <strong data-testid="delivered">{result.delivered}</strong> connected client{result.delivered === 1 ? '' : 's'}
      {event && event.acked > 0 && (
        <>
          , {event.acked} confirmed{event.lastAckMs !== null && <> within {event.lastAckMs} ms</>}
        </>
      )}
      .{connected !== undefined && <span class="muted"> {connected} streams connected now.</span>}
      {result.delivery === 'pending' && (
        <p class="delivery-pending">
          <strong>Delivery pending.</strong> {PENDING_NOTE}
        </p>
      )}
    </div>
  );
}
