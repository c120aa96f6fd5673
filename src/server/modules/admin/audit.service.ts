import type { AuditPage, AuditQuery } from '../../../contracts/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { auditRepository, type AuditFilter, type StoredAuditEntry } from '../audit/index.js';
import { alertConfigRepository } from '../alerts/index.js';
import { apiKeysRepository } from '../auth/index.js';
import { usersRepository } from '../auth/index.js';
import { projectsRepository } from '../projects/index.js';
import { storiesRepository } from '../stories/index.js';
import { actorNamer, personName } from './actor-names.js';

/** Settings → Audit: the audit log, newest first, filtered and paged by keyset, with names for actors and targets. */
export class AuditService {
  constructor(private readonly db: DatabaseHandle) {}

  async page(q: AuditQuery): Promise<AuditPage> {
    const filter: AuditFilter = {
      ...(q.action === undefined ? {} : q.action.endsWith('.*') ? { action: { prefix: q.action.slice(0, -1) } } : { action: { exact: q.action } }),
      ...(q.actorId === undefined ? {} : { actorId: q.actorId }),
      ...(q.targetId === undefined ? {} : { targetId: q.targetId }),
      ...(q.outcome === undefined ? {} : { outcome: q.outcome }),
      ...(q.from === undefined ? {} : { from: q.from }),
      ...(q.to === undefined ? {} : { to: q.to }),
      ...(q.cursor === undefined ? {} : { before: q.cursor }),
    };
    // One row more than asked says whether an older page exists, without counting the whole log.
    const rows = await auditRepository.page(this.db.read, filter, q.pageSize + 1);
    const items = rows.slice(0, q.pageSize);
    const [actor, target] = await Promise.all([actorNamer(this.db, items), this.targetNamer(items)]);
    return {
      items: items.map((e) => ({
        id: e.id,
        occurredAt: e.occurredAt,
        actor: actor(e),
        action: e.action,
        targetType: e.targetType ?? null,
        targetId: e.targetId ?? null,
        targetName: target(e),
        outcome: e.outcome,
        ip: e.ip ?? null,
        details: e.details ?? {},
      })),
      pageSize: q.pageSize,
      nextCursor: rows.length > q.pageSize ? String(items[items.length - 1]!.id) : null,
    };
  }

  /** Targets by kind: people, keys, projects, stories, alert rules and channels have names; anything else is shown by its id. */
  private async targetNamer(items: readonly StoredAuditEntry[]): Promise<(e: StoredAuditEntry) => string | null> {
    const of = (type: string) => [...new Set(items.filter((e) => e.targetType === type && e.targetId).map((e) => e.targetId!))];
    const [people, keys, projects, stories, rules, channels] = await Promise.all([
      usersRepository.rowsByIds(this.db.read, of('user')),
      apiKeysRepository.namesByIds(this.db.read, of('api_key')),
      projectsRepository.namesByIds(this.db.read, of('project')),
      storiesRepository.byIds(this.db.read, of('story')),
      alertConfigRepository.namesByIds(this.db.read, 'alert_rules', of('alert_rule')),
      alertConfigRepository.namesByIds(this.db.read, 'alert_channels', of('alert_channel')),
    ]);
    const storyTitles = new Map(stories.map((s) => [s.id, s.title]));
    return (e) => {
      const id = e.targetId;
      if (!id) return null;
      switch (e.targetType) {
        case 'user':
          return personName(people.get(id));
        case 'api_key':
          return keys.get(id) ?? null;
        case 'project':
          return projects.get(id) ?? null;
        case 'story':
          return storyTitles.get(id) ?? null;
        case 'alert_rule':
          return rules.get(id) ?? null;
        case 'alert_channel':
          return channels.get(id) ?? null;
        default:
          return null;
      }
    };
  }
}
