/**
 * The weekly stale-flag digest: one `flags.stale_digest` event per owner, listing the flags to
 * take out of the code, since when, and the command that does it, sent to every webhook whose
 * filter takes the type (`flags.*`, `*` or the exact name). A `slack` hook gets a Slack
 * incoming-webhook message: `text` (the notification) and Block Kit `blocks` (at most 50, each
 * section under Slack's 3,000 characters).
 */
import type { Env } from '../env.ts';
import type { WebhookMessage } from '../webhooks/deliver.ts';
import { escapeSlack, type SlackMessage } from '../webhooks/slack.ts';
import { matchesFilter } from '../webhooks/webhook-event.ts';
import { type ReportEntry, staleReport } from './stale-report.ts';

export const STALE_DIGEST_EVENT = 'flags.stale_digest';
/** Flags named in one Slack message (one section each, under Slack's 50 blocks); the JSON event lists all. */
const SLACK_FLAGS = 40;
const SECTION_LIMIT = 2_900;

export interface StaleDigestFlag {
  key: string;
  name: string;
  environment: string;
  state: string;
  /** ISO 8601: when the flag entered its state. */
  since: string | null;
  reason: string;
  command: string;
}

export interface StaleDigestEvent {
  /** `dig_<day>_<owner>`: stable across retries of one week's digest, so receivers can drop repeats. */
  id: string;
  type: typeof STALE_DIGEST_EVENT;
  at: string;
  environment: null;
  actor: 'edgeflags';
  data: { owner: string; flags: StaleDigestFlag[] };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One digest per owner ("" for flags without one), from the stale report's removal list. */
export function digestsFor(flags: readonly ReportEntry[], now: number): StaleDigestEvent[] {
  const byOwner = Map.groupBy(flags, (f) => f.owner);
  const day = new Date(now).toISOString().slice(0, 10);
  return [...byOwner].map(([owner, entries]) => ({
    id: `dig_${day}_${encodeURIComponent(owner || 'unowned')}`,
    type: STALE_DIGEST_EVENT,
    at: new Date(now).toISOString(),
    environment: null,
    actor: 'edgeflags',
    data: {
      owner,
      flags: entries.map((f) => ({
        key: f.key,
        name: f.name,
        environment: f.environment,
        state: f.state,
        since: iso(f.since),
        reason: f.reason,
        command: f.command,
      })),
    },
  }));
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The digest as a Slack incoming-webhook message. */
export function slackDigest(event: StaleDigestEvent): SlackMessage {
  const { owner, flags } = event.data;
  const who = owner || 'flags without an owner';
  const text = `${flags.length} flag${flags.length === 1 ? '' : 's'} to remove from code for ${who}`;
  const blocks: SlackMessage['blocks'] = [{ type: 'section', text: { type: 'mrkdwn', text: `:broom: *${escapeSlack(text)}*` } }];
  for (const f of flags.slice(0, SLACK_FLAGS)) {
    const since = f.since ? ` since ${f.since.slice(0, 10)}` : '';
    const line = `*${escapeSlack(f.key)}* in *${escapeSlack(f.environment)}*: ${f.state.replace(/_/g, ' ')}${since} (${escapeSlack(f.reason)})\n\`${escapeSlack(f.command)}\``;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(line, SECTION_LIMIT) } });
  }
  const more = flags.length > SLACK_FLAGS ? ` · ${flags.length - SLACK_FLAGS} more in the stale report` : '';
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${STALE_DIGEST_EVENT} · weekly${more}` }] });
  return { text: escapeSlack(text), blocks };
}

/** The weekly cron: one event per owner with flags to remove, to each hook that takes the type. */
export async function sendStaleDigests(env: Pick<Env, 'DB' | 'WEBHOOKS'>, now = Date.now()): Promise<{ owners: number; enqueued: number }> {
  const { results: hooks } = await env.DB.prepare('SELECT id, events FROM webhooks WHERE enabled = 1').all<{
    id: string;
    events: string;
  }>();
  const takers = hooks.filter((h) => matchesFilter(JSON.parse(h.events) as string[], STALE_DIGEST_EVENT));
  if (takers.length === 0) return { owners: 0, enqueued: 0 };
  const report = await staleReport(env, undefined, now);
  const digests = digestsFor(report.flags, now);
  const messages: MessageSendRequest<WebhookMessage>[] = digests.flatMap((digest) =>
    takers.map((h) => ({ body: { webhookId: h.id, digest } })),
  );
  for (let i = 0; i < messages.length; i += 100) await env.WEBHOOKS.sendBatch(messages.slice(i, i + 100));
  return { owners: digests.length, enqueued: messages.length };
}
