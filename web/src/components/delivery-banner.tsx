import { useState } from 'preact/hooks';
import type { Environment } from '../api/types.ts';
import { useSession } from '../app-context.ts';
import { usePoll } from '../hooks/use-poll.ts';

/**
 * How long a committed change may stay undelivered while the Worker's own retries and the
 * once-a-minute reconciler run (docs/delivery.md, "The bound"). Longer means the cause has not
 * cleared, and people changing flags must know their change is not being served.
 */
export const DELIVERY_BOUND_MS = 120_000;
/** Delivery state is not pushed by the hubs (a failing hub is the case in point), so it is polled. */
const CHECK_MS = 15_000;

type DeliveryState = Pick<Environment, 'key' | 'name' | 'deliveryPendingSince' | 'deliveryError'>;

/** Environments whose delivery has been pending for longer than the bound. */
export function overdue<E extends DeliveryState>(environments: readonly E[], now: number): E[] {
  return environments.filter((e) => e.deliveryPendingSince !== null && now - e.deliveryPendingSince > DELIVERY_BOUND_MS);
}

export function DeliveryBanner({ environments, now = Date.now() }: { environments: readonly DeliveryState[]; now?: number }) {
  const late = overdue(environments, now);
  if (late.length === 0) return null;
  return (
    <div class="banner banner-warn" role="alert">
      {late.map((e) => {
        const since = new Date(e.deliveryPendingSince ?? 0);
        return (
          <p key={e.key}>
            Delivery pending since <time dateTime={since.toISOString()}>{since.toLocaleString()}</time> for <strong>{e.name}</strong>:{' '}
            {e.deliveryError ?? 'no error recorded'}. Saved changes are not served there yet; the Worker keeps retrying.
          </p>
        );
      })}
    </div>
  );
}

/** Mounted once in the shell, so the warning shows on every page. */
export function DeliveryWatch() {
  const { api, environments } = useSession();
  const [latest, setLatest] = useState<readonly DeliveryState[]>(environments);
  usePoll(
    () =>
      api.listEnvironments().then(
        (r) => setLatest(r.environments),
        () => undefined,
      ),
    CHECK_MS,
  );
  return <DeliveryBanner environments={latest} />;
}
