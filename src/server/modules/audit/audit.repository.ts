import { sql, type Selectable } from 'kysely';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { AuditLogTable } from '../../db/schema.js';

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

export type StoredAuditEntry = AuditEntry & { id: number };

export interface AuditFilter {
  /** One action, or every action starting with this prefix ("user."). */
  action?: { exact: string } | { prefix: string };
  actorId?: string;
  targetId?: string;
  outcome?: AuditEntry['outcome'];
  /** occurred_at bounds, inclusive, as UTC ISO strings. */
  from?: string;
  to?: string;
  /** Only entries older than this id (the keyset of the previous page). */
  before?: number;
}

function toEntry(r: Selectable<AuditLogTable>): StoredAuditEntry {
  return {
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
  };
}

/** LIKE with the prefix's own % and _ taken literally. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

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

  async recent(db: Executor, limit: number): Promise<StoredAuditEntry[]> {
    const rows = await db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toEntry);
  },

  /** Newest first. Ids are assigned in insertion order, which is time order, so they are the keyset. */
  async page(db: Executor, f: AuditFilter, limit: number): Promise<StoredAuditEntry[]> {
    let q = db.selectFrom('audit_log').selectAll();
    if (f.action && 'exact' in f.action) q = q.where('action', '=', f.action.exact);
    if (f.action && 'prefix' in f.action) q = q.where(sql<boolean>`action like ${likePrefix(f.action.prefix)} escape '\\'`);
    if (f.actorId !== undefined) q = q.where('actor_id', '=', f.actorId);
    if (f.targetId !== undefined) q = q.where('target_id', '=', f.targetId);
    if (f.outcome !== undefined) q = q.where('outcome', '=', f.outcome);
    if (f.from !== undefined) q = q.where('occurred_at_utc', '>=', f.from);
    if (f.to !== undefined) q = q.where('occurred_at_utc', '<=', f.to);
    if (f.before !== undefined) q = q.where('id', '<', f.before);
    const rows = await q.orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toEntry);
  },

  /** The latest successful `action` per target (e.g. each account's last sign-in). */
  async lastSuccessByTarget(db: Executor, action: string): Promise<Map<string, string>> {
    const rows = await db
      .selectFrom('audit_log')
      .select(['target_id', (eb) => eb.fn.max('occurred_at_utc').as('at')])
      .where('action', '=', action)
      .where('outcome', '=', 'success')
      .where('target_id', 'is not', null)
      .groupBy('target_id')
      .execute();
    return new Map(rows.map((r) => [r.target_id!, r.at]));
  },

  /** Who made each of these targets (the first successful `action` on it, e.g. key.create). */
  async actorsOfTargets(db: Executor, action: string, targetIds: readonly string[]): Promise<Map<string, Pick<AuditEntry, 'actorType' | 'actorId'>>> {
    const out = new Map<string, Pick<AuditEntry, 'actorType' | 'actorId'>>();
    for (const part of chunks(targetIds)) {
      const rows = await db
        .selectFrom('audit_log')
        .select(['target_id', 'actor_type', 'actor_id'])
        .where('action', '=', action)
        .where('outcome', '=', 'success')
        .where('target_id', 'in', part)
        .orderBy('id')
        .execute();
      for (const r of rows)
        if (r.target_id !== null && !out.has(r.target_id)) out.set(r.target_id, { actorType: r.actor_type as AuditEntry['actorType'], actorId: r.actor_id });
    }
    return out;
  },
};
