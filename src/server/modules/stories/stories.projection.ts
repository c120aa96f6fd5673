import { storyDetailsOf } from '../../../contracts/index.js';
import { isNewer, maxInstant, versionOf, type Projection } from '../events/index.js';
import type { StoredEventOf } from '../events/index.js';
import { storiesRepository, type StoryRow } from './stories.repository.js';

type StoryEvent = StoredEventOf<'story.upserted' | 'story.status_changed'>;

function emptyRow(id: string): StoryRow {
  return {
    id,
    project_id: null,
    title: null,
    owner_id: null,
    epic: null,
    attrs_at: null,
    attrs_key: null,
    status: null,
    kanban_column: null,
    status_at: null,
    status_key: null,
    updated_at: '',
    details_json: null,
  };
}

/**
 * Attributes from the newest story.upserted; status and column together from the newest status-bearing event, so a
 * status change after an upsert moves the card to its status column rather than leaving it in a stale custom one.
 */
export function foldStory(row: StoryRow, e: StoryEvent): StoryRow {
  const v = versionOf(e);
  const next = { ...row };
  if (e.type === 'story.upserted' && isNewer(v, { at: row.attrs_at, key: row.attrs_key })) {
    next.project_id = e.payload.projectId;
    next.title = e.payload.title;
    next.owner_id = e.payload.ownerId ?? null;
    next.epic = e.payload.epic ?? null;
    const d = e.payload.details;
    // Stored whole, every field present, so a reader never has to guess what "missing" meant.
    next.details_json = d ? JSON.stringify(storyDetailsOf(d)) : null;
    next.attrs_at = v.at;
    next.attrs_key = v.key;
  }
  if (isNewer(v, { at: row.status_at, key: row.status_key })) {
    next.status = e.type === 'story.upserted' ? e.payload.status : e.payload.to;
    next.kanban_column = e.type === 'story.upserted' ? (e.payload.kanbanColumn ?? null) : (e.payload.column ?? null);
    next.status_at = v.at;
    next.status_key = v.key;
  }
  next.updated_at = maxInstant(next.attrs_at, next.status_at);
  return next;
}

export const storiesProjection: Projection<'story.upserted' | 'story.status_changed'> = {
  name: 'stories',
  handles: ['story.upserted', 'story.status_changed'],
  async apply(trx, events) {
    const rows = await storiesRepository.rowsByIds(trx, [...new Set(events.map((e) => e.entityId))]);
    const formerProjects = [...rows.values()].map((r) => r.project_id);
    const touched = new Set<string>();
    for (const e of events) {
      rows.set(e.entityId, foldStory(rows.get(e.entityId) ?? emptyRow(e.entityId), e));
      touched.add(e.entityId);
    }
    await storiesRepository.upsertRows(
      trx,
      [...touched].map((id) => rows.get(id)!),
      formerProjects,
    );
  },
};
