import { isNewer, maxInstant, versionOf, type Projection } from '../events/index.js';
import { syncRepository } from './sync.repository.js';

/**
 * One row per reporting scope (the event's entity id). Status, error and interval come from the newest report; the
 * last success is the newest ok report, which may be older than the newest report.
 */
export const syncProjection: Projection<'sync.reported'> = {
  name: 'sync-state',
  handles: ['sync.reported'],
  async apply(trx, events) {
    const rows = await syncRepository.rowsByIds(trx, [...new Set(events.map((e) => e.entityId))]);
    const touched = new Set<string>();
    for (const e of events) {
      const v = versionOf(e);
      const current = rows.get(e.entityId);
      const lastOk = e.payload.status === 'ok' ? maxInstant(current?.last_successful_sync_at_utc, v.at) : (current?.last_successful_sync_at_utc ?? null);
      if (current && !isNewer(v, { at: current.last_attempt_at_utc, key: current.last_attempt_key })) {
        rows.set(e.entityId, { ...current, last_successful_sync_at_utc: lastOk });
      } else {
        rows.set(e.entityId, {
          id: e.entityId,
          module: e.payload.module,
          status: e.payload.status,
          error_message: e.payload.status === 'failed' ? (e.payload.error ?? null) : null,
          expected_interval_ms: e.payload.expectedIntervalMs ?? null,
          note: e.payload.note ?? null,
          last_attempt_at_utc: v.at,
          last_attempt_key: v.key,
          last_successful_sync_at_utc: lastOk,
        });
      }
      touched.add(e.entityId);
    }
    await syncRepository.upsertRows(
      trx,
      [...touched].map((id) => rows.get(id)!),
    );
  },
};
