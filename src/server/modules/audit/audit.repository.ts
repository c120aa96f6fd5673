import type { Executor } from '../../db/handle.js';

export interface AuditEntry {
  occurredAt: string;
  actorType: 'user' | 'key' | 'cli' | 'system' | 'anonymous';
  actorId: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  outcome: 'success' | 'failure';
  ip?: string | null;
  details?: Record<string, unknown>;
}

export const auditRepository = {
  async insert(db: Executor, e: AuditEntry): Promise<void> {
    await db
      .insertInto('audit_log')
      .values({
        occurred_at_utc: e.occurredAt,
        actor_type: e.actorType,
        actor_id: e.actorId,
        action: e.action,
        target_type: e.targetType ?? null,
        target_id: e.targetId ?? null,
        outcome: e.outcome,
        ip: e.ip ?? null,
        details_json: JSON.stringify(e.details ?? {}),
      })
      .execute();
  },

  async recent(db: Executor, limit: number): Promise<(AuditEntry & { id: number })[]> {
    const rows = await db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id,
      occurredAt: r.occurred_at_utc,
      actorType: r.actor_type as AuditEntry['actorType'],
      actorId: r.actor_id,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      outcome: r.outcome as AuditEntry['outcome'],
      ip: r.ip,
      details: JSON.parse(r.details_json) as Record<string, unknown>,
    }));
  },
};
