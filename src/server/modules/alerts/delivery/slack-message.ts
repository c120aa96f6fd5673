import { kindLabel, type AlertNotice } from './alert-notice.js';

/**
 * A Slack incoming-webhook message (Block Kit): `text` is the notification and fallback, `blocks` the message as shown.
 * Limits from Slack's reference (docs.slack.dev/reference/block-kit): at most 50 blocks; a section's text object 1–3000
 * characters; a context block at most 10 elements; text objects are plain_text or mrkdwn, `verbatim` only on mrkdwn.
 * &, < and > are Slack's control characters and must be sent as &amp; &lt; &gt; (api.slack.com/docs/message-formatting),
 * which also keeps names like "<!channel>" from pinging anyone; verbatim stops Slack from turning text into links.
 */
export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, contextElements: 10, fallbackText: 3000 } as const;

export interface SlackMessage {
  text: string;
  blocks: (
    | { type: 'section'; text: { type: 'mrkdwn'; text: string; verbatim: true } }
    | { type: 'context'; elements: { type: 'mrkdwn'; text: string; verbatim: true }[] }
  )[];
}

export const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Cuts escaped text to a limit without splitting an entity (&amp; counts as five characters to Slack). */
function fit(escaped: string, max: number): string {
  if (escaped.length <= max) return escaped;
  let cutAt = max - 1;
  const amp = escaped.lastIndexOf('&', cutAt);
  if (amp !== -1 && escaped.indexOf(';', amp) >= cutAt) cutAt = amp;
  return `${escaped.slice(0, cutAt)}…`;
}

const HEAD: Record<AlertNotice['kind'], { emoji: string; word: string }> = {
  fired: { emoji: ':red_circle:', word: 'Firing' },
  repeated: { emoji: ':red_circle:', word: 'Still firing' },
  resolved: { emoji: ':large_green_circle:', word: 'Resolved' },
  test: { emoji: ':white_circle:', word: 'Test' },
};

const utc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export function slackMessage(n: AlertNotice): SlackMessage {
  const head = HEAD[n.kind];
  const title = `${head.word}: ${n.rule.name}`;
  const context = [
    kindLabel(n.rule.kind),
    n.project ? `project ${n.project.name}` : null,
    n.subject.type === 'server' || n.subject.type === 'project' ? null : `${n.subject.type} ${n.subject.name}`,
    n.kind === 'resolved' && n.resolvedAt ? `fired ${utc(n.firedAt)}, resolved ${utc(n.resolvedAt)}` : `fired ${utc(n.firedAt)}`,
  ].filter((x): x is string => x !== null);
  const section = `${head.emoji} *${slackEscape(title)}*\n${slackEscape(n.message)}`;
  return {
    text: fit(slackEscape(`${title} — ${n.message}`), SLACK_LIMITS.fallbackText),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: fit(section, SLACK_LIMITS.sectionText), verbatim: true } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: fit(slackEscape(context.join(' · ')), SLACK_LIMITS.sectionText), verbatim: true }] },
    ],
  };
}
