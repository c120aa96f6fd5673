import { isNewer, minInstant, versionOf, type Projection } from '../events/index.js';
import { documentsRepository, type DocumentRow } from './documents.repository.js';

/** A document's registration and removal: the newest event about it wins, so a re-registered file comes back. */
export const documentsProjection: Projection<'document.registered' | 'document.removed'> = {
  name: 'documents',
  handles: ['document.registered', 'document.removed'],
  async apply(trx, events) {
    const rows = await documentsRepository.rowsByIds(trx, [...new Set(events.map((e) => e.entityId))]);
    for (const e of events) {
      const v = versionOf(e);
      const current = rows.get(e.entityId);
      if (current && !isNewer(v, { at: current.version_at, key: current.version_key })) {
        rows.set(e.entityId, { ...current, created_at: minInstant(current.created_at, v.at) });
        continue;
      }
      if (e.type === 'document.removed') {
        // A removal of a document never registered still records the tombstone, so a late registration loses to it.
        const base: DocumentRow = current ?? {
          id: e.entityId,
          project_id: null,
          story_id: null,
          title: e.entityId,
          mime_type: 'application/octet-stream',
          storage_path: null,
          checksum: null,
          created_at: v.at,
          updated_at: v.at,
          root: null,
          path: null,
          size_bytes: null,
          kind: null,
          removed_at: null,
          version_at: null,
          version_key: null,
          superseded_by: null,
        };
        rows.set(e.entityId, { ...base, removed_at: v.at, updated_at: v.at, version_at: v.at, version_key: v.key });
        continue;
      }
      const p = e.payload;
      rows.set(e.entityId, {
        id: e.entityId,
        project_id: p.projectId ?? e.projectId ?? null,
        story_id: p.storyId ?? e.storyId ?? null,
        title: p.title,
        mime_type: p.mimeType,
        storage_path: null,
        checksum: p.checksum ?? null,
        created_at: minInstant(current?.created_at, v.at),
        updated_at: v.at,
        root: p.root,
        path: p.path,
        size_bytes: p.sizeBytes ?? null,
        kind: p.kind ?? null,
        removed_at: null,
        version_at: v.at,
        version_key: v.key,
        superseded_by: p.supersededBy ?? null,
      });
    }
    await documentsRepository.upsertRows(trx, [...rows.values()]);
    // Every registration is a version of the document (one per instant: a report seen twice is one version).
    await documentsRepository.upsertVersions(
      trx,
      events.flatMap((e) =>
        e.type === 'document.registered'
          ? [
              {
                document_id: e.entityId,
                occurred_at_utc: e.occurredAt,
                event_id: e.eventId,
                checksum: e.payload.checksum ?? null,
                size_bytes: e.payload.sizeBytes ?? null,
                actor_id: e.payload.actorId ?? null,
                commit_hash: e.payload.commit?.hash ?? null,
                commit_subject: e.payload.commit?.subject ?? null,
              },
            ]
          : [],
      ),
    );
  },
};
