/**
 * The `slack` format: a Slack incoming-webhook message, `text` (the notification fallback) plus
 * Block Kit `blocks` (a mrkdwn section and a context line). Point the webhook at a Slack incoming
 * webhook URL and the channel gets readable lines instead of JSON.
 */
import type { WebhookEvent } from './webhook-event.ts';

/** Slack's limit for a section's text is 3,000 characters; keep a margin for the escapes. */
const SECTION_LIMIT = 2_900;

/** What happened, in words, for the types people watch most; anything else shows its type. */
const WORDS: Record<string, string> = {
  'flag.create': 'created',
  'flag.update': 'edited',
  'flag.archive': 'archived',
  'flag.restore': 'restored',
  'flag.enable': 'turned on',
  'flag.disable': 'turned off',
  'flag.rollout': 'rollout changed',
  'flag.config.update': 'targeting changed',
  'flag.rollback': 'rolled back to the baseline',
  'release.created': 'release planned',
  'release.started': 'release started',
  'release.advanced': 'release advanced',
  'release.held': 'release held',
  'release.waiting_approval': 'release waiting for approval',
  'release.approved': 'release stage approved',
  'release.rejected': 'release stage rejected',
  'release.rolled_back': 'release rolled back',
  'release.paused': 'release paused',
  'release.resumed': 'release resumed',
  'release.aborted': 'release aborted',
  'release.completed': 'release completed',
  'webhook.test': 'test event',
};

const ALERTS: ReadonlySet<string> = new Set([
  'release.rolled_back',
  'release.held',
  'release.waiting_approval',
  'flag.disable',
  'flag.rollback',
]);

/** Slack reads `&`, `<` and `>` as markup (`<!channel>` would ping everyone): escape what we quote. */
export function escapeSlack(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export interface SlackMessage {
  text: string;
  blocks: Array<
    { type: 'section'; text: { type: 'mrkdwn'; text: string } } | { type: 'context'; elements: Array<{ type: 'mrkdwn'; text: string }> }
  >;
}

export function slackMessage(event: WebhookEvent): SlackMessage {
  const what = WORDS[event.type] ?? event.type;
  const subject = event.flag ?? event.data.resourceKey;
  const where = event.environment ? ` in ${event.environment}` : '';
  const icon = ALERTS.has(event.type) ? ':rotating_light: ' : '';
  const text = `${icon}${subject}: ${what}${where}`;
  let line = `${icon}*${escapeSlack(subject)}*: ${escapeSlack(what)}${event.environment ? ` in *${escapeSlack(event.environment)}*` : ''}`;
  if (event.data.reason) line += `\n> ${escapeSlack(event.data.reason)}`;
  const context = [
    `${escapeSlack(event.type)}`,
    `by ${escapeSlack(event.actor)}`,
    `<!date^${Math.floor(Date.parse(event.at) / 1000)}^{date_short_pretty} {time}|${event.at}>`,
  ];
  return {
    text: clip(escapeSlack(text), SECTION_LIMIT),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(line, SECTION_LIMIT) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: clip(context.join(' · '), SECTION_LIMIT) }] },
    ],
  };
}
