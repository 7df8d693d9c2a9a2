import type { Actor } from '../app-env.ts';

/**
 * Who did it, as the audit log and release decisions record it: the person first, e.g.
 * `Ada Lovelace <ada@example.com>` (signed in through Access) or `ada@example.com via token
 * ci-deploy` (a token she owns). Without a person (an unowned token, the bootstrap secret, the
 * release conductor) it stays `name (id)`, so older entries and newer ones read alike.
 */
export function actorLabel(actor: Actor): string {
  const person = actor.person;
  if (!person) return `${actor.name} (${actor.id})`;
  const who = person.name && person.name !== person.email ? `${person.name} <${person.email}>` : person.email;
  return actor.token ? `${who} via token ${actor.token.name}` : who;
}
