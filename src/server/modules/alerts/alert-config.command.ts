import { randomBytes, randomUUID } from 'node:crypto';
import type { AlertChannelCreate, AlertChannelPatch, AlertDelivery, AlertRuleBody, FieldError } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { HttpError, notFound, validationFailed } from '../../http/errors.js';
import type { AuthService } from '../auth/index.js';
import type { IngestionService } from '../events/index.js';
import { UiCommand, type UiActor } from '../events/index.js';
import { projectsRepository } from '../projects/index.js';
import { alertConfigRepository, type StoredChannel } from './alert-config.repository.js';
import type { AlertDispatcher } from './delivery/alert-dispatcher.js';

export type AlertActor = UiActor;

/** Where a channel posts, as may be shown: the host (the path and query of a Slack or webhook URL carry its token). */
const targetOf = (url: string) => new URL(url).host;

/**
 * A manager changes alert rules and channels. Each change enters as an event (alert.rule_set, alert.channel_set, …
 * under the dashboard's source) through ingestion, so it is in the log, projected in the same transaction and heard
 * live, and it is audited with who made it. A channel's URL and secret are stored apart, before the event, and never
 * leave the server again.
 */
export class AlertConfigCommand {
  private readonly ui: UiCommand;

  constructor(
    private readonly db: DatabaseHandle,
    ingestion: IngestionService,
    auth: AuthService,
    private readonly clock: Clock,
    private readonly dispatcher: AlertDispatcher,
    /** Evaluate soon: a new rule should not wait for the next interval. */
    private readonly changed: () => void,
  ) {
    this.ui = new UiCommand(ingestion, auth, clock);
  }

  async createRule(body: AlertRuleBody, actor: AlertActor): Promise<string> {
    await this.checkRule(body);
    const id = `rule-${randomUUID()}`;
    const eventId = await this.append('alert.rule_set', 'alert_rule', id, { rule: body, actorId: actor.userId || null });
    await this.audit('alert.rule_create', 'alert_rule', id, actor, { name: body.name, kind: body.condition.kind, projectId: body.projectId, eventId });
    this.changed();
    return id;
  }

  async updateRule(id: string, body: AlertRuleBody, actor: AlertActor): Promise<void> {
    if (!(await alertConfigRepository.rule(this.db.read, id))) throw notFound('alert rule', id);
    await this.checkRule(body);
    const eventId = await this.append('alert.rule_set', 'alert_rule', id, { rule: body, actorId: actor.userId || null });
    await this.audit('alert.rule_update', 'alert_rule', id, actor, {
      name: body.name,
      kind: body.condition.kind,
      enabled: body.enabled,
      projectId: body.projectId,
      eventId,
    });
    this.changed();
  }

  async removeRule(id: string, actor: AlertActor): Promise<void> {
    const rule = await alertConfigRepository.rule(this.db.read, id);
    if (!rule) throw notFound('alert rule', id);
    const eventId = await this.append('alert.rule_removed', 'alert_rule', id, { actorId: actor.userId || null });
    await this.audit('alert.rule_remove', 'alert_rule', id, actor, { name: rule.name, eventId });
    this.changed();
  }

  /** Returns the channel's id, and the signing secret when the server generated it (shown this once). */
  async createChannel(body: AlertChannelCreate, actor: AlertActor): Promise<{ id: string; generatedSecret: string | null }> {
    const id = `channel-${randomUUID()}`;
    const generated = body.type === 'webhook' && body.secret === undefined ? randomBytes(32).toString('base64url') : null;
    const secret = body.type === 'webhook' ? (body.secret ?? generated) : null;
    const at = this.clock.now().toISOString();
    await alertConfigRepository.putSecret(this.db.write, id, body.url, secret, at);
    const eventId = await this.append('alert.channel_set', 'alert_channel', id, {
      name: body.name,
      type: body.type,
      enabled: body.enabled,
      target: targetOf(body.url),
      secretSetAt: at,
      actorId: actor.userId || null,
    });
    await this.audit('alert.channel_create', 'alert_channel', id, actor, {
      name: body.name,
      type: body.type,
      target: targetOf(body.url),
      secretGenerated: generated !== null,
      eventId,
    });
    return { id, generatedSecret: generated };
  }

  async updateChannel(id: string, body: AlertChannelPatch, actor: AlertActor): Promise<void> {
    const channel = await this.requireChannel(id);
    if (body.secret !== undefined && channel.type !== 'webhook')
      throw validationFailed([{ path: 'body.secret', message: 'only a webhook has a signing secret (a Slack URL is its own secret)' }]);
    const stored = await alertConfigRepository.secretOf(this.db.write, id);
    const changesSecret = body.url !== undefined || body.secret !== undefined;
    const at = this.clock.now().toISOString();
    const url = body.url ?? stored?.url;
    if (!url) throw validationFailed([{ path: 'body.url', message: 'is required: this channel has no URL stored' }]);
    if (changesSecret) await alertConfigRepository.putSecret(this.db.write, id, url, body.secret ?? stored?.signingSecret ?? null, at);
    const eventId = await this.append('alert.channel_set', 'alert_channel', id, {
      name: body.name ?? channel.name,
      type: channel.type,
      enabled: body.enabled ?? channel.enabled,
      target: targetOf(url),
      secretSetAt: changesSecret ? at : channel.secretSetAt,
      actorId: actor.userId || null,
    });
    const details = {
      name: body.name ?? channel.name,
      ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
      urlChanged: body.url !== undefined,
      secretChanged: body.secret !== undefined,
      eventId,
    };
    await this.audit('alert.channel_update', 'alert_channel', id, actor, details);
  }

  async removeChannel(id: string, actor: AlertActor): Promise<void> {
    const channel = await this.requireChannel(id);
    const eventId = await this.append('alert.channel_removed', 'alert_channel', id, { actorId: actor.userId || null });
    // The secret goes with the channel: a removed channel can never post again.
    await alertConfigRepository.deleteSecret(this.db.write, id);
    await this.audit('alert.channel_remove', 'alert_channel', id, actor, { name: channel.name, eventId });
  }

  /** Posts a test message now (one attempt) and answers with the delivery log entry. */
  async testChannel(id: string, actor: AlertActor): Promise<AlertDelivery> {
    const channel = await this.requireChannel(id);
    const secret = await alertConfigRepository.secretOf(this.db.read, id);
    if (!secret) throw new HttpError(409, 'channel_incomplete', `the channel “${channel.name}” has no URL stored: set one first`);
    const at = this.clock.now().toISOString();
    const delivery = await this.dispatcher.test(
      {
        kind: 'test',
        alertId: null,
        rule: { id: 'test', name: 'Test message', kind: null },
        subject: { type: 'server', id: 'server', name: 'This server' },
        project: null,
        state: 'firing',
        firedAt: at,
        resolvedAt: null,
        message: `A test of the channel “${channel.name}” from BMAD Ops: alerts of the rules that name it arrive like this.`,
      },
      { id, name: channel.name, type: channel.type, url: secret.url, signingSecret: secret.signingSecret },
    );
    await this.audit('alert.channel_test', 'alert_channel', id, actor, { name: channel.name, outcome: delivery.outcome, statusCode: delivery.statusCode });
    return delivery;
  }

  private async requireChannel(id: string): Promise<StoredChannel> {
    const channel = await alertConfigRepository.channel(this.db.read, id);
    if (!channel) throw notFound('alert channel', id);
    return channel;
  }

  /** The project and channels a rule names must exist: a rule that can never notify is refused, not stored. */
  private async checkRule(body: AlertRuleBody): Promise<void> {
    const fields: FieldError[] = [];
    if (body.projectId !== null && (await projectsRepository.namesByIds(this.db.read, [body.projectId])).size === 0) {
      fields.push({ path: 'body.projectId', message: `no project ${body.projectId} is known` });
    }
    const channels = new Set((await alertConfigRepository.channels(this.db.read)).map((c) => c.id));
    body.channelIds.forEach((c, i) => {
      if (!channels.has(c)) fields.push({ path: `body.channelIds[${i}]`, message: `no channel ${c} exists` });
    });
    if (!body.inApp && body.channelIds.length === 0)
      fields.push({ path: 'body.channelIds', message: 'name a channel or keep in-app notifications on: the rule would tell nobody' });
    if (fields.length > 0) throw validationFailed(fields);
  }

  private append(
    type: 'alert.rule_set' | 'alert.rule_removed' | 'alert.channel_set' | 'alert.channel_removed',
    entityType: string,
    entityId: string,
    payload: Record<string, unknown>,
  ): Promise<number> {
    return this.ui.append({ type, entity: { type: entityType, id: entityId }, payload });
  }

  private audit(action: string, targetType: string, targetId: string, actor: AlertActor, details: Record<string, unknown>): Promise<void> {
    return this.ui.audit(actor, { action, targetType, targetId, details });
  }
}
