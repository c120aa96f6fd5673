import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode, RefObject } from 'react';
import { Link } from 'react-router';
import type { API, EndpointResponse } from '../../../contracts/index.js';
import type { Names } from '../../api/use-names.js';
import { formatDuration } from '../../components/duration.js';
import { SeenIn } from '../../components/history/CommitRef.js';
import { formatExact, RelativeTime } from '../../components/RelativeTime.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { Empty, ErrorState, Loading } from '../../components/states.js';
import { RunCost } from './RunCost.js';
import { StoryLink } from './StoryLink.js';

type Workflow = EndpointResponse<typeof API.work.workflow>;
type Transitions = EndpointResponse<typeof API.work.transitions>;

/** A labelled value on one line (cut with an ellipsis, the full text on hover), or wrapped when it must be read whole. */
function Info({ label, title, wrap = false, children }: { label: string; title?: string | undefined; wrap?: boolean; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <div className="text-xs uppercase text-muted">{label}</div>
      <div className={wrap ? 'break-words' : 'truncate'} title={title}>
        {children}
      </div>
    </div>
  );
}

/** The run's facts: project, story, agent, owner, times, cost and id; flashes (through flashRef) on a live update. */
export function WorkflowFacts({ w, names, flashRef }: { w: Workflow; names: Names; flashRef: RefObject<HTMLDivElement | null> }) {
  return (
    <div ref={flashRef} className="mb-6 grid gap-3 rounded-md border border-border bg-surface p-4 text-sm sm:grid-cols-2 lg:grid-cols-3">
      <Info label="Project" title={names.project(w.projectId) ?? undefined}>
        {w.projectId ? (
          <Link to={`/projects/${encodeURIComponent(w.projectId)}`} className="text-accent underline">
            {names.project(w.projectId)}
          </Link>
        ) : (
          'none'
        )}
      </Info>
      <Info label="Story">
        <StoryLink w={w} className="text-accent underline" />
      </Info>
      <Info label="Agent" title={names.agent(w.agentId) ?? undefined}>
        {names.agent(w.agentId) ?? 'unassigned'}
      </Info>
      <Info label="Owner" title={names.person(w.ownerId) ?? undefined}>
        {names.person(w.ownerId) ?? 'unassigned'}
      </Info>
      <Info label="Last transition">
        <RelativeTime value={w.lastTransitionAt} />
      </Info>
      <Info label="Started">
        <RelativeTime value={w.startedAt} missing="not started" />
      </Info>
      <Info label="Ended" wrap>
        {w.endedAt ? <RelativeTime value={w.endedAt} /> : <span className="text-muted">{w.startedAt ? 'still running' : 'not started'}</span>}
        {w.startedAt && w.endedAt && <span className="text-muted"> · took {formatDuration(Date.parse(w.endedAt) - Date.parse(w.startedAt))}</span>}
      </Info>
      <Info label="Cost" wrap>
        <RunCost cost={w.cost} detail />
      </Info>
      <Info label="Id" wrap>
        <code className="break-all">{w.id}</code>
      </Info>
    </div>
  );
}

/** The Claude Code sessions the run spans. */
export function RunSessions({ sessions }: { sessions: Workflow['sessions'] }) {
  return (
    <section className="mb-6" aria-labelledby="run-sessions">
      <h2 id="run-sessions" className="mb-2 text-lg font-semibold">
        Claude Code sessions
      </h2>
      <ul className="divide-y divide-border rounded-md border border-border bg-surface text-sm" data-testid="run-sessions">
        {sessions.map((s, i) => (
          <li key={s.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2" data-testid="run-session">
            <span className="font-medium">Session {i + 1}</span>
            <StatusBadge status={s.status} />
            <span className="text-muted">
              <RelativeTime value={s.startedAt} />
              {s.startedAt && s.endedAt && <> · {formatDuration(Date.parse(s.endedAt) - Date.parse(s.startedAt))}</>}
              {!s.endedAt && ' · still active'}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The run's status transitions as a timeline: from, to, when, by whom, where seen, and why. */
export function TransitionTimeline({ transitions, names }: { transitions: UseQueryResult<Transitions>; names: Names }) {
  return (
    <>
      <h2 className="mb-3 text-lg font-semibold">Transitions</h2>
      {transitions.isPending ? (
        <Loading what="transitions" />
      ) : transitions.error ? (
        <ErrorState error={transitions.error} onRetry={() => void transitions.refetch()} />
      ) : transitions.data.items.length === 0 ? (
        <Empty>No transitions recorded yet.</Empty>
      ) : (
        <ol className="relative space-y-4 border-l-2 border-border pl-5" data-testid="transition-timeline">
          {transitions.data.items.map((t) => (
            <li key={t.id} className="relative min-w-0" data-testid="transition" data-commit={t.commit?.hash ?? ''} data-seen-in={t.seenIn ?? ''}>
              <span className="absolute -left-[1.72rem] top-1 h-3 w-3 rounded-full border-2 border-surface bg-accent" aria-hidden="true" />
              <div className="flex flex-wrap items-center gap-2 text-sm">
                {t.fromStatus ? <StatusBadge status={t.fromStatus} /> : <span className="text-muted">start</span>}
                <span aria-hidden="true">→</span>
                <span className="sr-only">to</span>
                <StatusBadge status={t.toStatus} />
                <time dateTime={t.occurredAt} className="text-muted">
                  {formatExact(t.occurredAt)}
                </time>
              </div>
              <p className="mt-1 flex min-w-0 flex-wrap items-baseline gap-x-2 text-sm">
                <span className="min-w-0 break-words">
                  <span className="text-muted">by</span> {names.who(t.actorId) ?? 'unknown'}
                </span>
                <SeenIn seenIn={t.seenIn} commit={t.commit} />
              </p>
              {t.reason && (
                <p className="break-words text-sm">
                  <span className="text-muted">why:</span> {t.reason}
                </p>
              )}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
