import type { AlertKind, AlertNotification, MarkReadBody, NotificationPage, NotificationsQuery } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { projectsRepository } from '../projects/index.js';
import { notificationsRepository } from './notifications.repository.js';

/**
 * The in-app notification list: the fired and resolved alerts of rules that notify in the app, for everyone signed in,
 * with each person's own read state. Reading is the person's own bookkeeping, not a fact about the work: it is written
 * directly, not as an event (like their theme preference).
 */
export class NotificationsService {
  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
  ) {}

  async page(userId: string, q: NotificationsQuery): Promise<NotificationPage> {
    const db = this.db.read;
    // One row more than asked says whether an older page exists.
    const rows = await notificationsRepository.page(db, userId, {
      ...(q.before === undefined ? {} : { before: q.before }),
      limit: q.limit + 1,
      unreadOnly: q.unread === 'true',
    });
    const items = rows.slice(0, q.limit);
    const [unread, projects] = await Promise.all([
      notificationsRepository.unreadCount(db, userId),
      projectsRepository.namesByIds(db, [...new Set(items.flatMap((n) => (n.projectId ? [n.projectId] : [])))]),
    ]);
    return {
      items: items.map((n): AlertNotification => ({
        id: n.id,
        alertId: n.alertId,
        kind: n.kind,
        ruleName: n.ruleName,
        alertKind: n.alertKind as AlertKind,
        subjectType: n.subjectType as AlertNotification['subjectType'],
        subjectId: n.subjectId,
        subjectName: n.subjectName,
        projectId: n.projectId,
        projectName: n.projectId ? (projects.get(n.projectId) ?? null) : null,
        message: n.message,
        at: n.at,
        stillFiring: n.state === 'firing',
        read: n.read,
      })),
      unread,
      nextCursor: rows.length > q.limit ? String(items.at(-1)!.seq) : null,
    };
  }

  unread(userId: string): Promise<number> {
    return notificationsRepository.unreadCount(this.db.read, userId);
  }

  async markRead(userId: string, body: MarkReadBody): Promise<number> {
    const at = this.clock.now().toISOString();
    if (body.all) await notificationsRepository.markAllRead(this.db.write, userId, at);
    else await notificationsRepository.markRead(this.db.write, userId, body.ids ?? [], at);
    return notificationsRepository.unreadCount(this.db.write, userId);
  }
}
