import type { QueryClient } from '@tanstack/react-query';
import { RENDERABLE_MIME_TYPES, type DocumentMeta } from '../../../contracts/index.js';
import { keys, storyKeys } from '../../api/query-keys.js';
import { isNewer, versionOfMessage, type TypedEvent } from './fold.js';
import type { ReducerContext } from './reducer.js';

/** A registration folded onto the document's cached metadata: the newest event wins, by the server's own rule. */
export function foldDocument(current: DocumentMeta, e: TypedEvent): DocumentMeta {
  if (e.eventType !== 'document.registered') return current;
  if (!isNewer(e, current.rowVersion)) return current;
  const p = e.payload;
  return {
    ...current,
    projectId: p.projectId ?? null,
    storyId: p.storyId ?? null,
    title: p.title,
    mimeType: p.mimeType,
    checksum: p.checksum ?? null,
    root: p.root,
    path: p.path,
    sizeBytes: p.sizeBytes ?? null,
    kind: p.kind ?? null,
    renderable: (RENDERABLE_MIME_TYPES as readonly string[]).includes(p.mimeType),
    updatedAt: e.occurredAt,
    rowVersion: versionOfMessage(e),
  };
}

/**
 * Documents: an open document's metadata is patched at once (its new checksum is what raises "changed since you opened
 * it"; the text on screen is never swapped), and lists, details and project pages re-read, coalesced by the throttled
 * invalidator. Consistency reports re-read the project's boards and integrity panel: the server merges sources.
 */
export function applyDocumentEvents(qc: QueryClient, events: readonly TypedEvent[], ctx: ReducerContext): void {
  const touched = new Set<string>();
  const projects = new Set<string>();
  let anyProjectUnknown = false;
  for (const e of events) {
    if (e.eventType === 'document.registered' || e.eventType === 'document.removed') {
      touched.add(e.entityId);
      const current = qc.getQueryData<DocumentMeta>(keys.document(e.entityId));
      const projectId = e.eventType === 'document.registered' ? e.payload.projectId : current?.projectId;
      if (projectId) projects.add(projectId);
      else anyProjectUnknown = true;
      if (current && e.eventType === 'document.registered') qc.setQueryData(keys.document(e.entityId), foldDocument(current, e));
    } else if (e.eventType === 'consistency.reported') {
      ctx.invalidate(keys.board(e.entityId));
      ctx.invalidate(keys.integrity(e.entityId));
      ctx.invalidate(keys.projectContext(e.entityId));
    }
  }
  if (touched.size === 0) return;
  ctx.invalidate(keys.documents);
  // Story pages list their documents; only the one on screen re-reads.
  ctx.invalidate(storyKeys.all);
  for (const id of touched) ctx.invalidate(keys.document(id));
  if (anyProjectUnknown) ctx.invalidate(['project-context']);
  else for (const p of projects) ctx.invalidate(keys.projectContext(p));
  ctx.flash(touched);
}
