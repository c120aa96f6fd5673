import { posix } from 'node:path';
import type { BmadSnapshot } from '../model.js';
import { mimeTypeFor } from '../parse/files.js';
import type { DocumentVersionMark } from '../history/reader.js';
import type { FileTime } from '../history/project-history.js';
import { commitRef, event, ids, iso, label, validEmail, type ConnectorEvent } from './event.js';

/** How many earlier versions of one document are listed (the newest ones). */
const MAX_VERSIONS = 50;

/**
 * Documents: each file as it is now (at its last commit's time when it is committed and unchanged), each earlier
 * version a commit made of it, and the removal of files a commit deleted.
 */
export function documentEvents(
  snap: BmadSnapshot,
  fileTime: FileTime,
  versions: readonly DocumentVersionMark[],
  removed: readonly string[],
  now: Date,
): ConnectorEvent[] {
  const pk = snap.projectKey;
  const projectId = ids.project(pk);
  const out: ConnectorEvent[] = [];
  const current = new Map(snap.documents.map((d) => [d.path, d]));
  for (const d of snap.documents) {
    out.push(
      event(
        'document.registered',
        'document',
        ids.document(pk, d.path),
        iso(fileTime(d.path, d.mtimeMs)),
        {
          projectId,
          storyId: d.storyKey ? ids.story(pk, d.storyKey) : null,
          title: label(d.title, 500) ?? d.path,
          mimeType: d.mimeType,
          root: pk,
          path: d.path,
          checksum: d.checksum,
          sizeBytes: d.sizeBytes,
          kind: d.kind,
          ...(d.supersededBy ? { supersededBy: d.supersededBy } : {}),
        },
        { projectId },
      ),
    );
  }
  const byPath = new Map<string, DocumentVersionMark[]>();
  for (const v of versions) if (!/(^|\/)\./.test(v.path)) byPath.set(v.path, [...(byPath.get(v.path) ?? []), v]);
  for (const [path, list] of byPath) {
    const doc = current.get(path);
    const ordered = [...list].sort((a, b) => a.commit.authorDate.localeCompare(b.commit.authorDate));
    // The newest version of a file that still exists is the document as it is now (sent above).
    const earlier = doc ? ordered.slice(0, -1) : ordered;
    for (const v of earlier.slice(-MAX_VERSIONS)) {
      const actorId = validEmail(v.commit.authorEmail) ? ids.person(v.commit.authorEmail) : null;
      const id = ids.document(pk, path);
      if (v.removed) {
        out.push(
          event(
            'document.removed',
            'document',
            id,
            v.commit.authorDate,
            { reason: `deleted in ${v.commit.hash.slice(0, 8)}: ${v.commit.subject}`.slice(0, 500) },
            { projectId },
            'git',
          ),
        );
        continue;
      }
      out.push(
        event(
          'document.registered',
          'document',
          id,
          v.commit.authorDate,
          {
            projectId,
            storyId: doc?.storyKey ? ids.story(pk, doc.storyKey) : null,
            title: label(doc?.title ?? posix.basename(path), 500) ?? path,
            mimeType: doc?.mimeType ?? mimeTypeFor(path),
            root: pk,
            path,
            kind: doc?.kind ?? 'other',
            commit: commitRef(v.commit),
            ...(actorId ? { actorId } : {}),
          },
          { projectId },
          'git',
        ),
      );
    }
  }
  // Committed, then deleted in the working tree (not yet committed): gone now.
  const gone = new Set(removed);
  for (const [path, list] of byPath) if (!current.has(path) && !list.some((v) => v.removed) && !/(^|\/)\./.test(path)) gone.add(path);
  for (const path of gone)
    out.push(event('document.removed', 'document', ids.document(pk, path), now.toISOString(), { reason: `${path} was deleted` }, { projectId }));
  return out;
}
