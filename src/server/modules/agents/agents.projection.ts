import { isNewer, minInstant, versionOf, type Projection } from '../events/index.js';
import { agentsRepository } from './agents.repository.js';

export const agentsProjection: Projection<'agent.upserted'> = {
  name: 'agents',
  handles: ['agent.upserted'],
  async apply(trx, events) {
    const rows = await agentsRepository.rowsByIds(trx, [...new Set(events.map((e) => e.entityId))]);
    const touched = new Set<string>();
    for (const e of events) {
      const v = versionOf(e);
      const current = rows.get(e.entityId);
      // created_at is the earliest sighting, whatever order the events came in.
      const createdAt = minInstant(current?.created_at, v.at);
      if (current && !isNewer(v, { at: current.version_at, key: current.version_key })) {
        rows.set(e.entityId, { ...current, created_at: createdAt });
      } else {
        rows.set(e.entityId, {
          id: e.entityId,
          name: e.payload.name,
          type: e.payload.type,
          owner_team: e.payload.ownerTeam ?? null,
          created_at: createdAt,
          version_at: v.at,
          version_key: v.key,
        });
      }
      touched.add(e.entityId);
    }
    await agentsRepository.upsertRows(
      trx,
      [...touched].map((id) => rows.get(id)!),
    );
  },
};
