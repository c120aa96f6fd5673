import { isNewer, minInstant, versionOf, type Projection } from '../events/index.js';
import { usersRepository } from '../auth/index.js';

/**
 * People known from upstream systems (owners, actors). Accounts made locally (CLI, bootstrap) are never changed by
 * events: an ingest key must not be able to rename or re-address a login.
 */
export const usersProjection: Projection<'user.upserted'> = {
  name: 'users',
  handles: ['user.upserted'],
  async apply(trx, events) {
    const rows = await usersRepository.rowsByIds(trx, [...new Set(events.map((e) => e.entityId))]);
    const touched = new Set<string>();
    for (const e of events) {
      const v = versionOf(e);
      const current = rows.get(e.entityId);
      if (current?.origin === 'local') continue;
      const createdAt = minInstant(current?.created_at, v.at);
      if (current && !isNewer(v, { at: current.version_at, key: current.version_key })) {
        rows.set(e.entityId, { ...current, created_at: createdAt });
      } else {
        rows.set(e.entityId, {
          id: e.entityId,
          email: e.payload.email,
          display_name: e.payload.displayName,
          role: 'viewer',
          password_hash: null,
          preferences_json: '{}',
          origin: 'event',
          disabled_at: null,
          password_change_required: 0,
          version_at: v.at,
          version_key: v.key,
          created_at: createdAt,
          updated_at: v.at,
        });
      }
      touched.add(e.entityId);
    }
    await usersRepository.upsertEventUsers(
      trx,
      [...touched].map((id) => rows.get(id)!),
    );
  },
};
