import type { Actor } from '../app-env.ts';

/**
 * Who did it, as the audit log and release decisions record it: the person first, e.g.
 * `Ada Lovelace <ada@example.com>` (signed in through Access) or `ada@example.com via token
 * ci-deploy` (a token she owns). Without a person (an unowned token, the bootstrap secret, the
 * release conductor) it stays `name (id)`, so older entries and newer ones read alike.
 */
export function actorLabel(actor: Actor): string {
  const person = actor.person;
  if (!person) return `${visible(actor.name)} (${actor.id})`;
  const [name, email] = [visible(person.name), visible(person.email)];
  const who = name && name !== email ? `${name} <${email}>` : email;
  return actor.token ? `${who} via token ${visible(actor.token.name)}` : who;
}

/**
 * Without control, format (bidi overrides such as U+202E) or line/paragraph separator characters:
 * a name from the identity provider or a token name must not break the audit log's lines or make
 * an entry read as someone else's when displayed.
 */
export function visible(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '');
}

/**
 * Whether `label` (an actorLabel kept in a table) names the person with `email`, in any of the
 * forms actorLabel writes for them: `Name <email>`, `email`, `email via token …`. For checks
 * such as "not the creator", where the same person signs in through Access or uses a token.
 */
export function labelNames(label: string, email: string): boolean {
  const e = visible(email);
  return label === e || label.startsWith(`${e} via token `) || label.endsWith(` <${e}>`);
}
