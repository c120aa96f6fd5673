import { isNewer, maxInstant, versionOf, type Projection } from '../events/index.js';
import type { StoredEventOf } from '../events/index.js';
import { epicsRepository, type EpicRow } from './epics.repository.js';

type EpicEvent = StoredEventOf<'epic.upserted' | 'epic.status_changed'>;

function emptyRow(id: string): EpicRow {
  return {
    id,
    project_id: null,
    epic_key: null,
    title: null,
    status: null,
    source_status: null,
    retrospective_json: null,
    attrs_at: null,
    attrs_key: null,
    status_at: null,
    status_key: null,
    updated_at: '',
  };
}

/** Attributes from the newest epic.upserted; status from the newest event stating one (as for stories). */
export function foldEpic(row: EpicRow, e: EpicEvent): EpicRow {
  const v = versionOf(e);
  const next = { ...row };
  if (e.type === 'epic.upserted' && isNewer(v, { at: row.attrs_at, key: row.attrs_key })) {
    next.project_id = e.payload.projectId;
    next.epic_key = e.payload.key;
    next.title = e.payload.title ?? null;
    next.retrospective_json = e.payload.retrospective ? JSON.stringify(e.payload.retrospective) : null;
    next.attrs_at = v.at;
    next.attrs_key = v.key;
  }
  if (isNewer(v, { at: row.status_at, key: row.status_key })) {
    next.status = e.type === 'epic.upserted' ? e.payload.status : e.payload.to;
    next.source_status = e.type === 'epic.upserted' ? (e.payload.sourceStatus ?? null) : (e.payload.column ?? null);
    next.status_at = v.at;
    next.status_key = v.key;
  }
  if (next.project_id === null && e.projectId) next.project_id = e.projectId;
  next.updated_at = maxInstant(next.attrs_at, next.status_at);
  return next;
}

export const epicsProjection: Projection<'epic.upserted' | 'epic.status_changed'> = {
  name: 'epics',
  handles: ['epic.upserted', 'epic.status_changed'],
  async apply(trx, events) {
    const rows = await epicsRepository.rowsByIds(trx, [...new Set(events.map((e) => e.entityId))]);
    const touched = new Set<string>();
    for (const e of events) {
      rows.set(e.entityId, foldEpic(rows.get(e.entityId) ?? emptyRow(e.entityId), e));
      touched.add(e.entityId);
    }
    await epicsRepository.upsertRows(
      trx,
      [...touched].map((id) => rows.get(id)!),
    );
  },
};
