import type { TimelineEntry } from '../history/timeline.js';
import { allowedFrom, commitRef, event, ids, validEmail, type ConnectorEvent } from './event.js';

const label = (s: string | null) => (s === null ? null : s.slice(0, 64));

/** Who made a change: a commit's author (a person known from events), or the dashboard user. */
export function actorOf(e: TimelineEntry): string | null {
  if (e.commit) return validEmail(e.commit.authorEmail) ? ids.person(e.commit.authorEmail) : null;
  return e.actorId;
}

/**
 * One story.status_changed / epic.status_changed per timeline entry, in its current form: a working-tree change is
 * sent when seen, and again once its commit is known (same transition key: one transition in the read models).
 */
export function statusChangeEvents(pk: string, changed: ReadonlyArray<{ entity: string; entry: TimelineEntry }>): ConnectorEvent[] {
  const projectId = ids.project(pk);
  const out: ConnectorEvent[] = [];
  for (const { entity, entry: e } of changed) {
    const isStory = entity.startsWith('story:');
    const key = entity.slice(entity.indexOf(':') + 1);
    const entityId = isStory ? ids.story(pk, key) : ids.epic(pk, key);
    const column = label(e.column);
    const fromColumn = label(e.fromColumn);
    if (e.fromStatus === e.status && column === fromColumn) continue;
    const from = allowedFrom(isStory ? 'story' : 'epic', e.fromStatus, e.status, column === fromColumn);
    const actorId = actorOf(e);
    const payload: Record<string, unknown> = {
      to: e.status,
      ...(from ? { from } : {}),
      ...(column ? { column } : {}),
      ...(fromColumn ? { fromColumn } : {}),
      transitionKey: e.key,
      seenIn: e.seenIn,
      ...(e.commit ? { commit: commitRef(e.commit, e.path) } : {}),
      ...(actorId ? { actorId } : {}),
    };
    const prefix = e.commit ? 'git' : e.seenIn === 'dashboard' ? 'ui' : 'wt';
    out.push(
      event(
        isStory ? 'story.status_changed' : 'epic.status_changed',
        isStory ? 'story' : 'epic',
        entityId,
        e.at,
        payload,
        { projectId, ...(isStory ? { storyId: entityId } : {}) },
        prefix,
      ),
    );
  }
  return out;
}
