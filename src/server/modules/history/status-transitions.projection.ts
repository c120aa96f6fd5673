import type { Projection } from '../events/index.js';
import type { StoredEventOf } from '../events/index.js';
import { statusTransitionsRepository, type StatusTransitionRow } from './status-transitions.repository.js';

type TransitionEvent = StoredEventOf<'story.status_changed' | 'epic.status_changed'>;

/** The row key: the reporter's transition key within its entity, or the event itself when it names none. */
export function transitionRowKey(e: TransitionEvent): string {
  const entity = e.type === 'story.status_changed' ? 'story' : 'epic';
  return e.payload.transitionKey ? `${entity}:${e.entityId}:${e.payload.transitionKey}` : `${entity}:${e.entityId}:event:${e.eventId}`;
}

function rowOf(e: TransitionEvent, key: string): StatusTransitionRow {
  const p = e.payload;
  return {
    transition_key: key,
    entity_type: e.type === 'story.status_changed' ? 'story' : 'epic',
    entity_id: e.entityId,
    project_id: e.projectId,
    from_status: p.from ?? null,
    to_status: p.to,
    from_column: p.fromColumn ?? null,
    to_column: p.column ?? null,
    occurred_at_utc: e.occurredAt,
    actor_id: p.actorId ?? null,
    reason: p.reason ?? null,
    seen_in: p.seenIn ?? (p.commit ? 'commit' : null),
    commit_hash: p.commit?.hash ?? null,
    commit_subject: p.commit?.subject ?? null,
    commit_path: p.commit?.path ?? null,
    committed_at_utc: p.commit?.committedAt ?? null,
    event_id: e.eventId,
    commit_event_id: p.commit ? e.eventId : null,
  };
}

const earlier = (a: StatusTransitionRow, b: StatusTransitionRow) =>
  a.occurred_at_utc < b.occurred_at_utc || (a.occurred_at_utc === b.occurred_at_utc && a.event_id < b.event_id);
const laterCommit = (a: StatusTransitionRow, b: StatusTransitionRow) =>
  (a.committed_at_utc ?? '') > (b.committed_at_utc ?? '') ||
  ((a.committed_at_utc ?? '') === (b.committed_at_utc ?? '') && (a.commit_hash ?? '') > (b.commit_hash ?? ''));

/**
 * Two reports of one transition become one row, whatever order they arrive in: the time (and event) of the earliest
 * report, the commit with the latest commit time (a rebase rewrites it), the commit's author as actor when known.
 */
export function mergeTransition(a: StatusTransitionRow, b: StatusTransitionRow): StatusTransitionRow {
  const first = earlier(b, a) ? b : a;
  const withCommit = [a, b].filter((r) => r.commit_hash !== null);
  const commit =
    withCommit.length === 0 ? null : withCommit.length === 1 ? withCommit[0]! : laterCommit(withCommit[1]!, withCommit[0]!) ? withCommit[1]! : withCommit[0]!;
  return {
    ...first,
    seen_in: commit ? 'commit' : first.seen_in,
    actor_id: commit?.actor_id ?? first.actor_id,
    commit_hash: commit?.commit_hash ?? null,
    commit_subject: commit?.commit_subject ?? null,
    commit_path: commit?.commit_path ?? null,
    committed_at_utc: commit?.committed_at_utc ?? null,
    commit_event_id: commit?.commit_event_id ?? null,
  };
}

/** Story and epic status history (the story page's timeline, the project's flow charts). */
export const statusTransitionsProjection: Projection<'story.status_changed' | 'epic.status_changed'> = {
  name: 'status-transitions',
  handles: ['story.status_changed', 'epic.status_changed'],
  async apply(trx, events) {
    const keyed = events.map((e) => ({ e, key: transitionRowKey(e) }));
    const rows = await statusTransitionsRepository.rowsByKeys(trx, [...new Set(keyed.map((k) => k.key))]);
    const touched = new Set<string>();
    for (const { e, key } of keyed) {
      const incoming = rowOf(e, key);
      const current = rows.get(key);
      rows.set(key, current ? mergeTransition(current, incoming) : incoming);
      touched.add(key);
    }
    await statusTransitionsRepository.upsertRows(
      trx,
      [...touched].map((k) => rows.get(k)!),
    );
  },
};
