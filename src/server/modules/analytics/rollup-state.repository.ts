import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { Fact } from './facts/fact.js';

/** The rollup's working state: its checkpoints, and the per-entity facts the agent metrics are summed from. */
/** A fact as it was before its entity was re-derived: what a bucket's value depends on (not its event ids). */
export interface TakenFact {
  agentId: string;
  kpi: string;
  at: string;
  num: number;
  den: number | null;
  sample: number | null;
}

export const rollupStateRepository = {
  async checkpoint(db: Executor, name: string): Promise<{ lastEventId: number; value: string | null }> {
    const row = await db.selectFrom('rollup_checkpoints').select(['last_event_id', 'value']).where('name', '=', name).executeTakeFirst();
    return { lastEventId: Number(row?.last_event_id ?? 0), value: row?.value ?? null };
  },

  /** Forgets every rolled-up figure and the checkpoint: the rollup job recomputes all of it from domain_events. */
  async reset(db: Executor): Promise<void> {
    await db.deleteFrom('agent_outliers').execute();
    await db.deleteFrom('agent_metrics').execute();
    await db.deleteFrom('agent_metric_facts').execute();
    await db.deleteFrom('rollup_checkpoints').where('name', 'in', ['agent-metrics', 'agent-outliers-pending']).execute();
  },

  async saveCheckpoint(db: Executor, name: string, lastEventId: number, value: string | null, now: string): Promise<void> {
    await db
      .insertInto('rollup_checkpoints')
      .values({ name, last_event_id: lastEventId, value, updated_at_utc: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ last_event_id: lastEventId, value, updated_at_utc: now }))
      .execute();
  },

  /** Removes the facts of these entities and says which agent/series/instant each was at (to recompute those buckets). */
  async takeFacts(db: Executor, entityType: string, ids: readonly string[]): Promise<TakenFact[]> {
    const out: TakenFact[] = [];
    for (const part of chunks(ids)) {
      const rows = await db
        .selectFrom('agent_metric_facts')
        .select(['agent_id', 'kpi_key', 'occurred_at_utc', 'num', 'den', 'sample'])
        .where('entity_type', '=', entityType)
        .where('entity_id', 'in', part)
        .execute();
      for (const r of rows) out.push({ agentId: r.agent_id, kpi: r.kpi_key, at: r.occurred_at_utc, num: r.num, den: r.den, sample: r.sample });
      await db.deleteFrom('agent_metric_facts').where('entity_type', '=', entityType).where('entity_id', 'in', part).execute();
    }
    return out;
  },

  async insertFacts(db: Executor, rows: readonly { entityType: string; entityId: string; agentId: string; fact: Fact }[]): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('agent_metric_facts')
        .values(
          part.map((r) => ({
            entity_type: r.entityType,
            entity_id: r.entityId,
            agent_id: r.agentId,
            kpi_key: r.fact.kpi,
            occurred_at_utc: r.fact.at,
            num: r.fact.num,
            den: r.fact.den,
            sample: r.fact.sample,
            event_ids_json: JSON.stringify(r.fact.eventIds),
          })),
        )
        .execute();
    }
  },

  async factsIn(
    db: Executor,
    agentId: string,
    kpi: string,
    start: string,
    end: string,
  ): Promise<{ at: string; num: number; den: number | null; sample: number | null; eventIds: number[] }[]> {
    const rows = await db
      .selectFrom('agent_metric_facts')
      .select(['occurred_at_utc', 'num', 'den', 'sample', 'event_ids_json'])
      .where('agent_id', '=', agentId)
      .where('kpi_key', '=', kpi)
      .where('occurred_at_utc', '>=', start)
      .where('occurred_at_utc', '<', end)
      .execute();
    return rows.map((r) => ({ at: r.occurred_at_utc, num: r.num, den: r.den, sample: r.sample, eventIds: JSON.parse(r.event_ids_json) as number[] }));
  },

  /** The same facts without their event ids (the rollup only sums them; lineage is what reads the ids). */
  async factFiguresIn(
    db: Executor,
    agentId: string,
    kpi: string,
    start: string,
    end: string,
  ): Promise<{ occurred_at_utc: string; num: number; den: number | null; sample: number | null }[]> {
    return db
      .selectFrom('agent_metric_facts')
      .select(['occurred_at_utc', 'num', 'den', 'sample'])
      .where('agent_id', '=', agentId)
      .where('kpi_key', '=', kpi)
      .where('occurred_at_utc', '>=', start)
      .where('occurred_at_utc', '<', end)
      .execute();
  },
};
