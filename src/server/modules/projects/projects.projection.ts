import { isNewer, versionOf, type Projection } from '../events/index.js';
import { projectsRepository } from './projects.repository.js';

/** A project is whatever its newest project.upserted says. */
export const projectsProjection: Projection<'project.upserted'> = {
  name: 'projects',
  handles: ['project.upserted'],
  async apply(trx, events) {
    const rows = await projectsRepository.rowsByIds(trx, [...new Set(events.map((e) => e.entityId))]);
    const touched = new Set<string>();
    for (const e of events) {
      const v = versionOf(e);
      const current = rows.get(e.entityId);
      if (current && !isNewer(v, { at: current.version_at, key: current.version_key })) continue;
      rows.set(e.entityId, {
        id: e.entityId,
        name: e.payload.name,
        owner_id: e.payload.ownerId ?? null,
        status: e.payload.status,
        progress_pct: e.payload.progressPct ?? null,
        due_at: e.payload.dueAt ?? null,
        risk_flag: e.payload.riskFlag ? 1 : 0,
        details_json: e.payload.details ? JSON.stringify(e.payload.details) : null,
        updated_at: v.at,
        version_at: v.at,
        version_key: v.key,
      });
      touched.add(e.entityId);
    }
    await projectsRepository.upsertRows(
      trx,
      [...touched].map((id) => rows.get(id)!),
    );
  },
};
