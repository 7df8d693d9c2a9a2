import { settleSwitches } from '../changes/scheduled-changes.ts';
import type { Env } from '../env.ts';
import { alarmNoLaterThan } from './key-deadlines.ts';

/**
 * A switch's instant as the snapshot builder writes it (`{"at":…,"config":…}` from the stored
 * column, key order kept by JSON): scanned in the string, since the hub never parses snapshots.
 */
const SWITCH_AT = /"scheduledSwitch":\{"at":(\d+)/g;
const KEY = 'switch.at';

/** The earliest switch instant in a snapshot's JSON after `after` (undefined: none). */
export function nextSwitchIn(snapshot: string, after: number): number | undefined {
  let next: number | undefined;
  for (const m of snapshot.matchAll(SWITCH_AT)) {
    const at = Number(m[1]);
    if (at > after && (next === undefined || at < next)) next = at;
  }
  return next;
}

/**
 * The hub's alarm at the next scheduled switch of the snapshot it holds. Edges and SDKs switch by
 * themselves at the instant (the switch is in their snapshot); browsers hold answers evaluated
 * before it, so at the instant the hub has the switch settled into D1 (a new snapshot version,
 * published like any write), and every browser is told to refetch. Remembered in storage, so an
 * evicted hub still wakes for it.
 */
export class SwitchAlarm {
  readonly #storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  /** After a new snapshot is stored: wake at its next switch. */
  async arm(snapshot: string, now: number): Promise<void> {
    // Most snapshots carry no switch: one substring test, and no storage write unless one was armed.
    const at = snapshot.includes('"scheduledSwitch"') ? nextSwitchIn(snapshot, now) : undefined;
    const armed = this.#storage.kv.get<number>(KEY);
    if (at === armed) return;
    if (at === undefined) this.#storage.kv.delete(KEY);
    else {
      this.#storage.kv.put(KEY, at);
      await alarmNoLaterThan(this.#storage, at);
    }
  }

  /**
   * From the alarm: when a switch is due, settle the environment's due switches (their publish
   * comes back to this hub as a new version and is pushed to every stream). A failure (D1 down)
   * retries in a minute; meanwhile edges and SDKs already serve the switched configuration.
   */
  async fire(env: Env, environment: string, now: number, held: () => string): Promise<void> {
    const at = this.#storage.kv.get<number>(KEY);
    if (at === undefined || at > now) {
      if (at !== undefined) await alarmNoLaterThan(this.#storage, at);
      return;
    }
    this.#storage.kv.delete(KEY);
    try {
      await settleSwitches(env, now, undefined, environment);
      // Settled by the cron already, or more switches to come: wake at the next one held.
      await this.arm(held(), now);
    } catch (e) {
      console.warn(`scheduled switch in "${environment}" not settled; retried in a minute`, e);
      this.#storage.kv.put(KEY, at);
      await alarmNoLaterThan(this.#storage, now + 60_000);
    }
  }
}
