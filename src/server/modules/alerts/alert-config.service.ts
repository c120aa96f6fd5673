import type { AlertChannel, AlertDelivery, AlertRule } from '../../../contracts/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { notFound } from '../../http/errors.js';
import { projectsRepository } from '../projects/index.js';
import { alertConfigRepository } from './alert-config.repository.js';
import { alertsRepository } from './alerts.repository.js';
import { deliveriesRepository } from './deliveries.repository.js';

/** Settings → Alerts: the rules and channels as a manager reads them, with names instead of ids, secrets as "set". */
export class AlertConfigService {
  constructor(private readonly db: DatabaseHandle) {}

  async rules(): Promise<AlertRule[]> {
    const db = this.db.read;
    const [rules, channels, stats] = await Promise.all([alertConfigRepository.rules(db), alertConfigRepository.channels(db), alertsRepository.statsByRule(db)]);
    const projects = await projectsRepository.namesByIds(db, [...new Set(rules.flatMap((r) => (r.projectId ? [r.projectId] : [])))]);
    const byId = new Map(channels.map((c) => [c.id, c]));
    return rules.map((r) => ({
      id: r.id,
      name: r.name,
      enabled: r.enabled,
      projectId: r.projectId,
      projectName: r.projectId ? (projects.get(r.projectId) ?? null) : null,
      condition: r.condition,
      forMinutes: r.forMinutes,
      repeatMinutes: r.repeatMinutes,
      inApp: r.inApp,
      channels: r.channelIds.flatMap((id) => {
        const c = byId.get(id);
        return c ? [{ id: c.id, name: c.name, type: c.type, enabled: c.enabled }] : [];
      }),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      firing: stats.get(r.id)?.firing ?? 0,
      lastFiredAt: stats.get(r.id)?.lastFiredAt ?? null,
    }));
  }

  async rule(id: string): Promise<AlertRule> {
    const rule = (await this.rules()).find((r) => r.id === id);
    if (!rule) throw notFound('alert rule', id);
    return rule;
  }

  async channels(): Promise<AlertChannel[]> {
    const db = this.db.read;
    const [channels, rules, secrets, latest] = await Promise.all([
      alertConfigRepository.channels(db),
      alertConfigRepository.rules(db),
      alertConfigRepository.secretsSet(db),
      deliveriesRepository.latestByChannel(db),
    ]);
    return channels.map((c) => ({
      id: c.id,
      name: c.name,
      type: c.type,
      enabled: c.enabled,
      target: c.target,
      urlSet: secrets.get(c.id)?.url ?? false,
      secretSet: secrets.get(c.id)?.secret ?? false,
      secretSetAt: c.secretSetAt,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      usedBy: rules.filter((r) => r.channelIds.includes(c.id)).map((r) => ({ id: r.id, name: r.name })),
      lastDelivery: latest.get(c.id)?.last ?? null,
      lastError: latest.get(c.id)?.lastError ?? null,
    }));
  }

  async channel(id: string): Promise<AlertChannel> {
    const channel = (await this.channels()).find((c) => c.id === id);
    if (!channel) throw notFound('alert channel', id);
    return channel;
  }

  async deliveries(channelId: string, limit: number): Promise<AlertDelivery[]> {
    if (!(await alertConfigRepository.channel(this.db.read, channelId))) throw notFound('alert channel', channelId);
    return deliveriesRepository.recent(this.db.read, channelId, limit);
  }
}
