// When a key's streams must end: at once for a revoked key, at `expires_at` for an expiring or
// rotated one. Kept in the hub's storage because hibernated WebSockets outlive its memory, and
// a deadline that has passed also refuses new streams of that key in this environment, closing
// the race between the Worker's key check and the revocation reaching the hub.

const PREFIX = 'key-deadline:';

/** Past deadlines are kept this long; after that the Worker's own D1 check refuses the key alone. */
const RETAIN_MS = 24 * 60 * 60 * 1000;

export class KeyDeadlines {
  readonly #kv: SyncKvStorage;
  #byKey: Map<string, number> | undefined;
  /** Keys whose streams were already ended since the object woke; new ones are refused, so once is enough. */
  readonly #swept = new Set<string>();

  constructor(kv: SyncKvStorage) {
    this.#kv = kv;
  }

  /** Records a deadline; an earlier one already recorded wins. */
  set(keyId: string, at: number): void {
    const byKey = this.#load();
    const known = byKey.get(keyId);
    if (known !== undefined && known <= at) return;
    byKey.set(keyId, at);
    this.#kv.put(PREFIX + keyId, at);
  }

  passed(keyId: string, now: number): boolean {
    const at = this.#load().get(keyId);
    return at !== undefined && at <= now;
  }

  /** Keys past their deadline whose streams have not been ended yet; marks them ended. */
  takeDue(now: number): string[] {
    const due: string[] = [];
    for (const [keyId, at] of this.#load()) {
      if (at > now) continue;
      if (at < now - RETAIN_MS) {
        this.#byKey?.delete(keyId);
        this.#kv.delete(PREFIX + keyId);
      } else if (!this.#swept.has(keyId)) {
        this.#swept.add(keyId);
        due.push(keyId);
      }
    }
    return due;
  }

  /** The earliest deadline still ahead, for the alarm. */
  next(now: number): number | undefined {
    let next: number | undefined;
    for (const at of this.#load().values()) if (at > now && (next === undefined || at < next)) next = at;
    return next;
  }

  #load(): Map<string, number> {
    this.#byKey ??= new Map([...this.#kv.list<number>({ prefix: PREFIX })].map(([k, at]) => [k.slice(PREFIX.length), at]));
    return this.#byKey;
  }
}

/** Moves the object's single alarm earlier when `at` comes first; never later, so every user of it is served. */
export async function alarmNoLaterThan(storage: DurableObjectStorage, at: number): Promise<void> {
  const current = await storage.getAlarm();
  if (current === null || current > at) await storage.setAlarm(at);
}
