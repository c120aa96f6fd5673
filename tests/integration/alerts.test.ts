import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  alertChannelCreatedSchema,
  alertChannelListSchema,
  alertConditionSchema,
  alertDeliveryListSchema,
  alertRuleSchema,
  alertChannelTestSchema,
  auditPageSchema,
  errorBodySchema,
  loginResponseSchema,
  notificationPageSchema,
  SLOS,
  unreadCountSchema,
} from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import type { AlertNotice } from '../../src/server/modules/alerts/delivery/alert-notice.js';
import { slackMessage } from '../../src/server/modules/alerts/delivery/slack-message.js';
import { freshnessSloKind, lockContentionKind, staleSessionsKind } from '../../src/server/modules/alerts/evaluator/kinds/server-kinds.js';
import type { EvalContext } from '../../src/server/modules/alerts/evaluator/rule-kind.js';
import { costRecorded, projectUpserted, syncReported, workflowTransitioned, workflowUpserted } from '../support/events.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { ingestAccepted } from '../support/ingest.js';
import { ADMIN, startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 14 §4: alert rules and channels, the evaluator on an injected clock, webhook and Slack deliveries to a real
 * local HTTP receiver (signatures checked, a 500 retried, resolve after unblock, repeats), the in-app list.
 */

const T0 = '2026-11-29T08:00:00.000Z';
const clock = fixedClock(new Date(T0));
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000);
const SECRET = 'a-shared-secret-of-enough-length';

// ---------- Slack's documented schema (docs.slack.dev/reference/block-kit) ----------

/** Text object: plain_text or mrkdwn, 1–3000 characters; `emoji` only on plain_text, `verbatim` only on mrkdwn. */
const slackText = (max = 3000) =>
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('plain_text'), text: z.string().min(1).max(max), emoji: z.boolean().optional() }),
    z.strictObject({ type: z.literal('mrkdwn'), text: z.string().min(1).max(max), verbatim: z.boolean().optional() }),
  ]);
const blockId = z.string().max(255).optional();
/** Section: text ≤ 3000, or fields (≤ 10 items of ≤ 2000); block_id ≤ 255. */
const sectionBlock = z
  .strictObject({
    type: z.literal('section'),
    text: slackText().optional(),
    fields: z.array(slackText(2000)).max(10).optional(),
    block_id: blockId,
    expand: z.boolean().optional(),
  })
  .refine((b) => b.text !== undefined || b.fields !== undefined, 'a section needs text or fields');
/** Context: 1–10 image or text elements. */
const contextBlock = z.strictObject({ type: z.literal('context'), elements: z.array(slackText()).min(1).max(10), block_id: blockId });
/** Header: a plain_text object of at most 150 characters. */
const headerBlock = z.strictObject({
  type: z.literal('header'),
  text: z.strictObject({ type: z.literal('plain_text'), text: z.string().min(1).max(150), emoji: z.boolean().optional() }),
  block_id: blockId,
});
const dividerBlock = z.strictObject({ type: z.literal('divider'), block_id: blockId });
/** A message: up to 50 blocks; `text` is the notification and fallback (Slack truncates messages past 40,000 characters). */
const slackMessageSchema = z.strictObject({
  text: z.string().min(1).max(40_000),
  blocks: z
    .array(z.union([sectionBlock, contextBlock, headerBlock, dividerBlock]))
    .min(1)
    .max(50),
});
/** &, < and > are control characters: sent escaped, so only &amp; &lt; &gt; may appear. */
const escapedOnly = (text: string) => !/[<>]/.test(text) && !/&(?!amp;|lt;|gt;)/.test(text);
function slackTexts(m: z.infer<typeof slackMessageSchema>): string[] {
  return [m.text, ...m.blocks.flatMap((b) => ('text' in b && b.text ? [b.text.text] : 'elements' in b ? b.elements.map((e) => e.text) : []))];
}

// ---------- helpers ----------

function verify(received: { headers: Record<string, string | string[] | undefined>; body: string }): boolean {
  const timestamp = String(received.headers['x-bmad-ops-timestamp']);
  const given = String(received.headers['x-bmad-ops-signature']);
  const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${received.body}`).digest('hex')}`;
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

async function tokenOf(t: TestServer, email: string, password: string): Promise<string> {
  const res = await t.post('/api/v1/auth/login', { email, password, issueToken: true }, null);
  return loginResponseSchema.parse(await res.json()).token!;
}

function call(t: TestServer, method: string, path: string, token: string, body?: unknown) {
  return fetch(`${t.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function json<T extends z.ZodType>(res: Response, schema: T, status = 200): Promise<z.output<T>> {
  const raw: unknown = await res.json();
  expect(res.status, JSON.stringify(raw).slice(0, 600)).toBe(status);
  return schema.parse(raw);
}

describe('alerts: rules, channels, the evaluator and its deliveries', () => {
  let t: TestServer;
  let receiver: HttpReceiver;
  let manager: string;
  let viewer: string;
  let webhookId: string;
  let slackId: string;
  let ruleId: string;

  const evaluator = () => t.server.alerts.evaluator;
  /** One pass at the clock's now (after any pass a rule change kicked off), then every delivery it queued. */
  async function evaluate() {
    await evaluator().settled();
    const report = await evaluator().evaluateOnce();
    await t.server.alerts.dispatcher.idle();
    return report;
  }

  beforeAll(async () => {
    receiver = await new HttpReceiver().start();
    t = await startTestServer({ clock, config: { alerts: { evaluateIntervalMs: 3600_000, retryBaseMs: 20, retryMaxMs: 100, timeoutMs: 3000 } } });
    await t.server.core.auth.createUser(
      { email: 'vera@example.test', role: 'viewer', password: 'viewer password long' },
      { actorType: 'system', actorId: null },
    );
    manager = await tokenOf(t, ADMIN.email, ADMIN.password);
    viewer = await tokenOf(t, 'vera@example.test', 'viewer password long');
    await ingestAccepted(t, [
      projectUpserted('p-1', { name: 'Streakly' }),
      projectUpserted('p-2', { name: 'Ledger' }),
      workflowUpserted('wf-1', { name: 'dev-story 1.2', projectId: 'p-1', status: 'in_progress' }, { occurredAt: at(-30).toISOString() }),
      workflowTransitioned('wf-1', 'in_progress', 'blocked', { occurredAt: T0 }, { reason: 'waiting for the API key' }),
    ]);
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('the server-wide kinds default to the status page objectives', () => {
    const d = (kind: 'freshness_slo' | 'stale_sessions' | 'lock_contention') => alertConditionSchema.parse({ kind });
    expect(d('freshness_slo')).toEqual({ kind: 'freshness_slo', p95Ms: SLOS.event_to_ui.target });
    expect(d('lock_contention')).toEqual({ kind: 'lock_contention', p95Ms: SLOS.write_lock_wait.target });
    expect(d('stale_sessions')).toMatchObject({ ratio: SLOS.stale_sessions.target });
  });

  it('refuses bad input with field errors (422), and everyone but managers (403)', async () => {
    const bad = async (path: string, body: unknown) => {
      const res = await call(t, 'POST', path, manager, body);
      const err = await json(res, errorBodySchema, 422);
      return err.error.fields?.map((f) => f.path) ?? [];
    };
    expect(await bad('/alerts/channels', { type: 'webhook', name: 'x', url: 'ftp://example.test/hook' })).toEqual(['body.url']);
    expect(await bad('/alerts/channels', { type: 'webhook', name: 'x', url: 'http://127.0.0.1/h', secret: 'short' })).toEqual(['body.secret']);
    expect(await bad('/alerts/channels', { type: 'pager', name: 'x', url: 'https://x.test' })).toEqual(['body.type']);
    expect(await bad('/alerts/rules', { name: 'r', condition: { kind: 'workflow_stuck', statuses: ['done'] } })).toEqual(['body.condition.statuses[0]']);
    expect(await bad('/alerts/rules', { name: 'r', projectId: 'p-1', condition: { kind: 'freshness_slo' } })).toEqual(['body.projectId']);
    expect(await bad('/alerts/rules', { name: 'r', projectId: 'p-nope', channelIds: ['channel-nope'], condition: { kind: 'budget' } })).toEqual([
      'body.projectId',
      'body.channelIds[0]',
    ]);
    expect(await bad('/alerts/rules', { name: 'r', inApp: false, condition: { kind: 'budget' } })).toEqual(['body.channelIds']);
    expect((await call(t, 'GET', '/alerts/rules', viewer)).status).toBe(403);
    expect((await call(t, 'POST', '/alerts/channels', viewer, { type: 'slack', name: 's', url: 'https://hooks.slack.test/x' })).status).toBe(403);
    expect((await fetch(`${t.url}/api/v1/alerts/notifications`, { headers: { authorization: `Bearer ${t.keys.read}` } })).status).toBe(403);
  });

  it('a manager adds a webhook and a Slack channel; their URL and secret never come back', async () => {
    const webhook = await json(
      await call(t, 'POST', '/alerts/channels', manager, {
        type: 'webhook',
        name: 'Ops webhook',
        url: `${receiver.url}/hook?token=hidden-token`,
        secret: SECRET,
      }),
      alertChannelCreatedSchema,
      201,
    );
    expect(webhook.secret).toBeNull();
    expect(webhook.channel).toMatchObject({
      name: 'Ops webhook',
      type: 'webhook',
      target: receiver.url.replace('http://', ''),
      urlSet: true,
      secretSet: true,
      enabled: true,
    });
    webhookId = webhook.channel.id;
    const slack = await json(
      await call(t, 'POST', '/alerts/channels', manager, { type: 'slack', name: '#ops', url: `${receiver.url}/slack/T000/B000/XXXX` }),
      alertChannelCreatedSchema,
      201,
    );
    slackId = slack.channel.id;
    expect(slack.channel).toMatchObject({ type: 'slack', urlSet: true, secretSet: false });
    // A webhook without a secret gets a generated one, shown this once.
    const generated = await json(
      await call(t, 'POST', '/alerts/channels', manager, { type: 'webhook', name: 'Spare', url: `${receiver.url}/spare` }),
      alertChannelCreatedSchema,
      201,
    );
    expect(generated.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const listed = await (await call(t, 'GET', '/alerts/channels', manager)).text();
    alertChannelListSchema.parse(JSON.parse(listed));
    for (const secret of [SECRET, 'hidden-token', '/slack/T000', generated.secret!]) expect(listed).not.toContain(secret);
    // Nor in the log, which every reader can see, nor in the audit log.
    const db = t.server.core.db.read;
    const payloads = (await db.selectFrom('domain_events').select('payload_json').where('event_type', 'like', 'alert.%').execute())
      .map((r) => r.payload_json)
      .join('\n');
    const audits = (await db.selectFrom('audit_log').select('details_json').where('action', 'like', 'alert.%').execute()).map((r) => r.details_json).join('\n');
    expect(payloads).toContain('Ops webhook');
    expect(audits).toContain('Ops webhook');
    for (const secret of [SECRET, 'hidden-token', '/slack/T000', generated.secret!]) {
      expect(payloads).not.toContain(secret);
      expect(audits).not.toContain(secret);
    }
  });

  it('a workflow blocked longer than the rule’s delay fires a signed webhook; a 500 is retried and the retry delivers', async () => {
    const body = {
      name: 'Blocked runs',
      projectId: 'p-1',
      condition: { kind: 'workflow_stuck' },
      forMinutes: 10,
      repeatMinutes: 30,
      channelIds: [webhookId, slackId],
    };
    const rule = await json(await call(t, 'POST', '/alerts/rules', manager, body), alertRuleSchema, 201);
    ruleId = rule.id;
    expect(rule).toMatchObject({
      name: 'Blocked runs',
      projectName: 'Streakly',
      enabled: true,
      inApp: true,
      condition: { kind: 'workflow_stuck', statuses: ['blocked', 'failed'] },
      firing: 0,
    });
    expect(rule.channels.map((c) => c.name)).toEqual(['Ops webhook', '#ops']);

    clock.set(at(9));
    expect(await evaluate()).toEqual({ fired: 0, resolved: 0, repeated: 0 });
    expect(receiver.received).toEqual([]);

    receiver.script('/hook?token=hidden-token', { status: 500, body: 'receiver down for a moment' });
    clock.set(at(11));
    expect(await evaluate()).toEqual({ fired: 1, resolved: 0, repeated: 0 });
    const hooks = receiver.on('/hook?token=hidden-token');
    expect(hooks).toHaveLength(2);
    for (const h of hooks) expect(verify(h), 'the HMAC of each attempt checks out').toBe(true);
    expect(hooks[0]!.headers['x-bmad-ops-delivery']).toBe(hooks[1]!.headers['x-bmad-ops-delivery']);
    expect(hooks[0]!.headers['x-bmad-ops-event']).toBe('alert.fired');
    expect(hooks[0]!.headers['x-bmad-ops-timestamp']).toBe(String(Date.parse(at(11).toISOString()) / 1000));
    const fired = JSON.parse(hooks[1]!.body) as {
      type: string;
      alert: { state: string; message: string; subject: unknown; project: unknown; rule: { name: string }; firedAt: string };
    };
    expect(fired.type).toBe('alert.fired');
    expect(fired.alert).toMatchObject({
      state: 'firing',
      subject: { type: 'workflow', id: 'wf-1', name: 'dev-story 1.2' },
      project: { id: 'p-1', name: 'Streakly' },
      rule: { name: 'Blocked runs' },
      firedAt: at(11).toISOString(),
    });
    expect(fired.alert.message).toBe('“dev-story 1.2” in Streakly has been blocked for 11 min (waiting for the API key).');
    // A tampered body does not verify.
    expect(verify({ ...hooks[1]!, body: hooks[1]!.body.replace('blocked', 'fine') })).toBe(false);

    const log = await json(await call(t, 'GET', `/alerts/channels/${webhookId}/deliveries`, manager), alertDeliveryListSchema);
    expect(log.items.map((d) => [d.attempt, d.outcome, d.statusCode, d.kind])).toEqual([
      [2, 'delivered', 200, 'fired'],
      [1, 'retrying', 500, 'fired'],
    ]);
    expect(log.items[1]).toMatchObject({ error: 'the receiver answered 500', responseExcerpt: 'receiver down for a moment' });
    const channels = await json(await call(t, 'GET', '/alerts/channels', manager), alertChannelListSchema);
    expect(channels.items.find((c) => c.id === webhookId)).toMatchObject({
      lastDelivery: { outcome: 'delivered' },
      lastError: { statusCode: 500 },
      usedBy: [{ name: 'Blocked runs' }],
    });

    // The firing is an event of the server's own source, in the log with its text.
    const events = await t.server.core.db.read
      .selectFrom('domain_events')
      .select(['source_system', 'event_type', 'payload_json'])
      .where('event_type', '=', 'alert.fired')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.source_system).toBe('bmad-ops-alerts');
    // Fired once: the next pass finds it open.
    clock.set(at(12));
    expect(await evaluate()).toEqual({ fired: 0, resolved: 0, repeated: 0 });
  });

  it('the Slack message follows Slack’s documented Block Kit schema, escaped', async () => {
    const posts = receiver.on('/slack/T000/B000/XXXX');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.headers['content-type']).toBe('application/json');
    expect(posts[0]!.headers['x-bmad-ops-signature']).toBeUndefined();
    const message = slackMessageSchema.parse(JSON.parse(posts[0]!.body));
    expect(message.text).toContain('Firing: Blocked runs');
    expect(slackTexts(message).every(escapedOnly)).toBe(true);

    // Names that would ping a channel or break the markup, and a message past Slack's limits, are escaped and cut.
    const nasty: AlertNotice = {
      kind: 'fired',
      alertId: 'a',
      rule: { id: 'r', name: '<!channel> & <b>ops</b>', kind: 'consistency' },
      subject: { type: 'project', id: 'p', name: 'P & <Q>' },
      project: { id: 'p', name: 'P & <Q>' },
      state: 'firing',
      firedAt: T0,
      resolvedAt: null,
      message: `${'&<>'.repeat(2000)} end`,
    };
    const m = slackMessageSchema.parse(slackMessage(nasty));
    expect(slackTexts(m).every(escapedOnly)).toBe(true);
    expect(m.text).toContain('&lt;!channel&gt; &amp; &lt;b&gt;');
  });

  it('the in-app list: one unread notification per person, read state of their own', async () => {
    const count = async (token: string) => (await json(await call(t, 'GET', '/alerts/notifications/unread-count', token), unreadCountSchema)).unread;
    expect(await count(viewer)).toBe(1);
    expect(await count(manager)).toBe(1);
    const page = await json(await call(t, 'GET', '/alerts/notifications', viewer), notificationPageSchema);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      kind: 'fired',
      ruleName: 'Blocked runs',
      subjectName: 'dev-story 1.2',
      projectName: 'Streakly',
      stillFiring: true,
      read: false,
    });
    const marked = await json(await call(t, 'POST', '/alerts/notifications/read', viewer, { ids: [page.items[0]!.id] }), unreadCountSchema);
    expect(marked.unread).toBe(0);
    expect(await count(manager)).toBe(1);
    expect((await call(t, 'POST', '/alerts/notifications/read', viewer, {})).status).toBe(422);
  });

  it('repeats at the rule’s interval while the alert lasts, and not in between', async () => {
    const hook = '/hook?token=hidden-token';
    const before = receiver.on(hook).length;
    clock.set(at(11 + 29));
    expect(await evaluate()).toMatchObject({ repeated: 0 });
    clock.set(at(11 + 30));
    expect(await evaluate()).toMatchObject({ repeated: 1 });
    clock.set(at(11 + 31));
    expect(await evaluate()).toMatchObject({ repeated: 0 });
    clock.set(at(11 + 59));
    expect(await evaluate()).toMatchObject({ repeated: 0 });
    clock.set(at(11 + 60));
    expect(await evaluate()).toMatchObject({ repeated: 1 });
    const repeats = receiver.on(hook).slice(before);
    expect(repeats.map((r) => r.headers['x-bmad-ops-event'])).toEqual(['alert.repeated', 'alert.repeated']);
    expect(repeats.every(verify)).toBe(true);
    expect((JSON.parse(repeats[1]!.body) as { alert: { message: string } }).alert.message).toContain('blocked for 1 h 11 min');
    // Repeats go to the channels; the in-app list keeps its one notice.
    expect((await json(await call(t, 'GET', '/alerts/notifications/unread-count', manager), unreadCountSchema)).unread).toBe(1);
  });

  it('the unblock resolves the alert with a message, after the fire, on every channel', async () => {
    const hook = '/hook?token=hidden-token';
    await ingestAccepted(t, [workflowTransitioned('wf-1', 'blocked', 'in_progress', { occurredAt: at(75).toISOString() })]);
    clock.set(at(76));
    expect(await evaluate()).toEqual({ fired: 0, resolved: 1, repeated: 0 });
    const last = receiver.on(hook).at(-1)!;
    expect(verify(last)).toBe(true);
    const resolved = JSON.parse(last.body) as { type: string; alert: { state: string; message: string; resolvedAt: string } };
    expect(resolved.type).toBe('alert.resolved');
    expect(resolved.alert.state).toBe('resolved');
    expect(resolved.alert.resolvedAt).toBe(at(76).toISOString());
    expect(resolved.alert.message).toBe('“dev-story 1.2” in Streakly is moving again: it is in progress now (the alert was open 1 h 5 min).');
    const slack = slackMessageSchema.parse(JSON.parse(receiver.on('/slack/T000/B000/XXXX').at(-1)!.body));
    expect(slack.text).toContain('Resolved: Blocked runs');
    const page = await json(await call(t, 'GET', '/alerts/notifications', manager), notificationPageSchema);
    expect(page.items.map((n) => [n.kind, n.stillFiring])).toEqual([
      ['resolved', false],
      ['fired', false],
    ]);
    expect(page.unread).toBe(2);
    expect((await json(await call(t, 'POST', '/alerts/notifications/read', manager, { all: true }), unreadCountSchema)).unread).toBe(0);
    const rules = await json(await call(t, 'GET', '/alerts/rules', manager), z.object({ items: z.array(alertRuleSchema) }));
    expect(rules.items.find((r) => r.id === ruleId)).toMatchObject({ firing: 0, lastFiredAt: at(11).toISOString() });
  });

  it('switching a rule off closes its open alerts with a message that says so', async () => {
    await ingestAccepted(t, [workflowTransitioned('wf-1', 'in_progress', 'blocked', { occurredAt: at(80).toISOString() })]);
    clock.set(at(95));
    expect(await evaluate()).toMatchObject({ fired: 1 });
    const rule = await json(
      await call(t, 'PUT', `/alerts/rules/${ruleId}`, manager, {
        name: 'Blocked runs',
        projectId: 'p-1',
        condition: { kind: 'workflow_stuck' },
        forMinutes: 10,
        repeatMinutes: 30,
        channelIds: [webhookId],
        enabled: false,
      }),
      alertRuleSchema,
    );
    expect(rule.enabled).toBe(false);
    // The change itself sets off a pass (no waiting for the interval): whichever pass closes it, it is closed once.
    await evaluate();
    expect(await t.server.core.db.read.selectFrom('alerts').select('id').where('state', '=', 'firing').execute()).toEqual([]);
    const last = JSON.parse(receiver.on('/hook?token=hidden-token').at(-1)!.body) as { type: string; alert: { message: string } };
    expect(last.type).toBe('alert.resolved');
    expect(last.alert.message).toContain('was switched off');
  });

  it('other kinds: a session ended on errors, a budget exceeded, a stale source, consistency findings', async () => {
    const session = 'p-2:wf:session:abc';
    const finding = {
      id: 'finding-1',
      source: 'test',
      type: 'consistency.reported',
      occurredAt: at(90).toISOString(),
      entity: { type: 'project', id: 'p-2' },
      payload: { findings: [{ kind: 'status_drift', message: 'story 2.1 is done in sprint-status.yaml but review in its file', storyId: null }] },
    };
    await ingestAccepted(t, [
      costRecorded('c-1', { projectId: 'p-2', amount: 25 }, { occurredAt: at(50).toISOString() }),
      workflowUpserted(
        session,
        { name: 'dev-story 2.1', projectId: 'p-2', status: 'in_progress' },
        { occurredAt: at(90).toISOString(), source: 'claude-code-importer' },
      ),
      workflowTransitioned(
        session,
        'in_progress',
        'failed',
        { occurredAt: at(93).toISOString(), source: 'claude-code-importer' },
        { reason: 'the session ended on API errors' },
      ),
      syncReported('p-2:story', 'story', 'ok', { expectedIntervalMs: 60_000 }, { occurredAt: at(60).toISOString() }),
      finding,
    ]);
    expect((await call(t, 'PUT', '/projects/p-2/budget', manager, { amount: 10, currency: 'USD' })).status).toBe(200);
    const rules = [
      { name: 'Needs a person', projectId: 'p-2', condition: { kind: 'needs_human', lookbackHours: 24 } },
      { name: 'Stale sources', condition: { kind: 'source_stale' }, forMinutes: 5 },
      { name: 'Drift', condition: { kind: 'consistency', scope: 'drift', minFindings: 1 } },
      { name: 'Over budget', condition: { kind: 'budget', level: 'exceeded' } },
    ];
    clock.set(at(100));
    // Each new rule sets off a pass: they fire as soon as they are made (none has a delay still to run).
    for (const r of rules) await json(await call(t, 'POST', '/alerts/rules', manager, r), alertRuleSchema, 201);
    await evaluate();
    expect(await t.server.core.db.read.selectFrom('alerts').select('rule_name').where('state', '=', 'firing').orderBy('rule_name').execute()).toEqual([
      { rule_name: 'Drift' },
      { rule_name: 'Needs a person' },
      { rule_name: 'Over budget' },
      { rule_name: 'Stale sources' },
    ]);
    const page = await json(await call(t, 'GET', '/alerts/notifications?unread=true', manager), notificationPageSchema);
    const byRule = new Map(page.items.map((n) => [n.ruleName, n]));
    expect(byRule.get('Needs a person')?.message).toBe(
      'The Claude Code session of “dev-story 2.1” in Ledger ended on API errors at 2026-11-29 09:33 UTC; nothing has picked the work up since.',
    );
    expect(byRule.get('Stale sources')?.message).toBe(
      'Source “Ledger · story” has been stale for 38 min: no successful report since 2026-11-29 09:00 UTC (expected every 1 min).',
    );
    expect(byRule.get('Drift')?.message).toBe(
      'Ledger has 1 drift finding (1 status drift), e.g. story 2.1 is done in sprint-status.yaml but review in its file.',
    );
    expect(byRule.get('Over budget')?.message).toBe('Ledger exceeded its 10 USD budget for 2026-11 on 2026-11-29: 25 USD spent (250 %).');
    // The source reports again: its alert resolves.
    await ingestAccepted(t, [syncReported('p-2:story', 'story', 'ok', { expectedIntervalMs: 60_000 }, { occurredAt: at(101).toISOString() })]);
    clock.set(at(101.5));
    expect(await evaluate()).toMatchObject({ resolved: 1 });
  });

  it('alert events are the server’s own: no key may send them', async () => {
    const res = await t.ingest([
      { id: 'forged', source: 'bmad-ops-alerts', type: 'alert.fired', occurredAt: T0, entity: { type: 'alert', id: 'a-1' }, payload: {} },
    ]);
    const body = (await res.json()) as { results: { status: string; code?: string }[] };
    expect(body.results[0]).toMatchObject({ status: 'rejected' });
  });

  it('the test button posts once and reports what the receiver said; a redirect is not followed', async () => {
    const ok = await json(await call(t, 'POST', `/alerts/channels/${webhookId}/test`, manager), alertChannelTestSchema);
    expect(ok.delivery).toMatchObject({ kind: 'test', outcome: 'delivered', statusCode: 200 });
    expect(verify(receiver.on('/hook?token=hidden-token').at(-1)!)).toBe(true);
    receiver.script('/hook?token=hidden-token', { status: 302, headers: { location: 'http://elsewhere.example/steal' } });
    const moved = await json(await call(t, 'POST', `/alerts/channels/${webhookId}/test`, manager), alertChannelTestSchema);
    expect(moved.delivery).toMatchObject({ outcome: 'failed', statusCode: 302 });
    expect(moved.delivery.error).toContain('redirected to elsewhere.example');
  });

  it('every change is audited with who made it', async () => {
    const actions = (await t.server.core.db.read.selectFrom('audit_log').select('action').where('action', 'like', 'alert.%').execute()).map((r) => r.action);
    expect(new Set(actions)).toEqual(new Set(['alert.channel_create', 'alert.rule_create', 'alert.rule_update', 'alert.channel_test']));
    // Settings → Audit names what changed, not its id.
    const audit = await json(await call(t, 'GET', '/admin/audit?action=alert.*', manager), auditPageSchema);
    expect(audit.items.find((e) => e.action === 'alert.rule_create' && e.targetId === ruleId)).toMatchObject({
      targetName: 'Blocked runs',
      actor: { name: 'Administrator' },
    });
    expect(audit.items.find((e) => e.action === 'alert.channel_create' && e.targetId === webhookId)?.targetName).toBe('Ops webhook');
    const res = await call(t, 'DELETE', `/alerts/channels/${slackId}`, manager);
    expect(res.status).toBe(204);
    const rules = await json(await call(t, 'GET', '/alerts/rules', manager), z.object({ items: z.array(alertRuleSchema) }));
    expect(rules.items.find((r) => r.id === ruleId)?.channels.map((c) => c.name)).toEqual(['Ops webhook']);
    expect(
      await t.server.core.db.read.selectFrom('alert_channel_secrets').select('channel_id').where('channel_id', '=', slackId).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('leaves a log the consistency monitor rebuilds exactly: rules, channels, alerts and notifications included', async () => {
    const run = await t.server.consistency.verify('cli');
    expect(run.sample).toEqual([]);
    expect(run.result).toBe('ok');
  });
});

describe('server-wide kinds: the status page SLIs against the rule threshold', () => {
  const ctx = (slis: Record<string, number | null> | null) => ({ now: new Date(T0), serverSlis: async () => slis }) as unknown as EvalContext;
  const rule = (condition: unknown) => ({ id: 'r', name: 'r', condition }) as never;
  const none = new Set<string>();

  it('freshness and write-lock p95 fire above the threshold, not at or below it', async () => {
    const f = await freshnessSloKind.evaluate(ctx({ event_to_ui_p95_ms: 4200 }), rule({ kind: 'freshness_slo', p95Ms: 3000 }), none);
    expect(f.map((x) => x.message(T0))).toEqual(['Freshness objective breached: event-to-UI latency p95 is 4.2 s over the last 5 minutes, above 3.0 s.']);
    expect(await freshnessSloKind.evaluate(ctx({ event_to_ui_p95_ms: 3000 }), rule({ kind: 'freshness_slo', p95Ms: 3000 }), none)).toEqual([]);
    const l = await lockContentionKind.evaluate(ctx({ write_lock_wait_p95_ms: 80 }), rule({ kind: 'lock_contention', p95Ms: 50 }), none);
    expect(l.map((x) => x.subject)).toEqual([{ type: 'server', id: 'server', name: 'This server' }]);
  });

  it('no measurement starts nothing and closes nothing', async () => {
    expect(await freshnessSloKind.evaluate(ctx(null), rule({ kind: 'freshness_slo', p95Ms: 3000 }), none)).toEqual([]);
    expect(await freshnessSloKind.evaluate(ctx({ event_to_ui_p95_ms: null }), rule({ kind: 'freshness_slo', p95Ms: 3000 }), new Set(['server']))).toHaveLength(
      1,
    );
  });

  it('stale sessions need enough open sessions', async () => {
    const c = { kind: 'stale_sessions', ratio: 0.05, minSessions: 3 };
    expect(await staleSessionsKind.evaluate(ctx({ stale_session_ratio: 0.5, ws_sessions: 2 }), rule(c), none)).toEqual([]);
    const s = await staleSessionsKind.evaluate(ctx({ stale_session_ratio: 0.5, ws_sessions: 4 }), rule(c), none);
    expect(s.map((x) => x.message(T0))).toEqual(['50 % of the 4 open sessions show stale data (threshold 5 %).']);
  });
});
