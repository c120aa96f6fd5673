import type { ConsistencyFinding, Module, Status } from '../../../contracts/index.js';
import { documentEvents } from './events/document-events.js';
import { commitRef, event, ids, iso, label, validEmail, type ConnectorEvent } from './events/event.js';
import { runEvents } from './events/run-events.js';
import { statusChangeEvents } from './events/status-events.js';
import type { PersonaMap } from './history/personas.js';
import { personasFor } from './history/personas.js';
import type { FileTime } from './history/project-history.js';
import type { DocumentVersionMark, PlanningMark } from './history/reader.js';
import type { TimelineEntry, Timelines } from './history/timeline.js';
import type { BmadSnapshot, BmadStory } from './model.js';

export { CONNECTOR_SOURCE, ids, retimed, type ConnectorEvent } from './events/event.js';

function projectStatus(stories: readonly BmadStory[]): Status {
  if (stories.length === 0) return 'queued';
  if (stories.every((s) => s.status === 'done' || s.status === 'canceled')) return 'done';
  if (stories.some((s) => s.status !== 'queued')) return 'in_progress';
  return 'queued';
}

export interface EventInput {
  now: Date;
  /** Stories and documents that were there at the previous scan and are gone now. */
  removedStories?: BmadStory[];
  removedDocuments?: string[];
  /** Status changes to send (new or changed since the last delivery); without them the snapshot stands alone. */
  changed?: ReadonlyArray<{ entity: string; entry: TimelineEntry }>;
  timelines?: Timelines;
  fileTime?: FileTime;
  documentVersions?: readonly DocumentVersionMark[];
  planning?: Readonly<Record<string, PlanningMark>>;
  people?: Readonly<Record<string, string>>;
  personas?: PersonaMap;
}

const sinceOf = (timelines: Timelines, entity: string): number | null => {
  const list = timelines[entity];
  return list && list.length > 0 ? Date.parse(list[list.length - 1]!.at) : null;
};

/** What the event builders of one snapshot share. */
interface SnapshotContext {
  snap: BmadSnapshot;
  pk: string;
  projectId: string;
  fileTime: FileTime;
  timelines: Timelines;
  /** The newest time any story or document of the snapshot is as of. */
  newest: number;
}

/** Turns one scan of a BMAD project (and what its history adds) into the events that describe it completely. */
export function snapshotToEvents(snap: BmadSnapshot, opts: EventInput): ConnectorEvent[] {
  const pk = snap.projectKey;
  const fileTime: FileTime = opts.fileTime ?? ((_rel, mtime) => mtime);
  const timelines = opts.timelines ?? {};
  const personas = opts.personas ?? personasFor(snap.layout, snap.version);
  // A story is as of when it reached its status (its timeline says), not when its file was last touched or checked out.
  const storyTime = (s: BmadStory) => sinceOf(timelines, `story:${s.key}`) ?? (s.file ? fileTime(s.file, s.mtimeMs) : s.mtimeMs);
  const newest = Math.max(0, ...snap.stories.map(storyTime), ...snap.documents.map((d) => fileTime(d.path, d.mtimeMs)));
  const ctx: SnapshotContext = { snap, pk, projectId: ids.project(pk), fileTime, timelines, newest };
  const events: ConnectorEvent[] = [];

  for (const a of personas.all) events.push(event('agent.upserted', 'agent', a.id, iso(0), { name: a.name, type: a.type, ownerTeam: 'BMAD' }));
  for (const [email, name] of Object.entries(opts.people ?? {})) {
    const valid = validEmail(email);
    if (valid) events.push(event('user.upserted', 'user', ids.person(valid), iso(0), { email: valid, displayName: (name.trim() || valid).slice(0, 200) }));
  }
  events.push(projectEvent(ctx));
  events.push(...epicEvents(ctx));
  const epicTitle = new Map(snap.epics.map((e) => [e.key, e.title ? `Epic ${e.key}: ${e.title}` : /^\d+$/.test(e.key) ? `Epic ${e.key}` : e.key]));
  for (const s of snap.stories) events.push(storyEvent(ctx, epicTitle, s, s.status, s.column, storyTime(s)));
  // A story whose files are gone (and that sprint-status.yaml no longer lists) is canceled, not silently dropped.
  for (const s of opts.removedStories ?? []) events.push(storyEvent(ctx, epicTitle, s, 'canceled', null, opts.now.getTime()));

  events.push(...statusChangeEvents(pk, opts.changed ?? []));
  events.push(...runEvents(pk, snap.stories, timelines, personas));
  events.push(...planningEvents(ctx, personas, opts.planning));
  events.push(...documentEvents(snap, fileTime, opts.documentVersions ?? [], opts.removedDocuments ?? [], opts.now));
  events.push(findingsEvent(ctx));
  return events;
}

function projectEvent({ snap, projectId, fileTime, newest }: SnapshotContext): ConnectorEvent {
  const counted = snap.stories.filter((s) => s.status !== 'canceled');
  const done = counted.filter((s) => s.status === 'done').length;
  return event('project.upserted', 'project', projectId, iso(newest), {
    name: label(snap.projectName, 200) ?? snap.projectKey,
    status: projectStatus(snap.stories),
    // Progress = done stories / stories; unknown (null), not 0 %, when the project has no stories yet.
    progressPct: counted.length === 0 ? null : Math.round((1000 * done) / counted.length) / 10,
    details: {
      layout: snap.layout,
      version: snap.version,
      actionItems: snap.actionItems
        .slice(0, 500)
        .map((a) => ({ ...a, id: label(a.id, 200), epic: label(a.epic, 64), owner: label(a.owner, 200), status: label(a.status, 64) })),
      readiness: snap.readiness
        ? { gate: snap.readiness.gate, file: snap.readiness.file, at: iso(fileTime(snap.readiness.file, snap.readiness.mtimeMs)) }
        : null,
      deferredWork: snap.deferredWork
        .slice(0, 500)
        .map((d) => ({ ...d, summary: label(d.summary, 500) ?? '…', severity: label(d.severity, 32), origin: d.origin?.slice(0, 300) ?? null })),
    },
  });
}

function epicEvents({ snap, pk, projectId, fileTime, timelines, newest }: SnapshotContext): ConnectorEvent[] {
  return snap.epics.map((e) => {
    const at = sinceOf(timelines, `epic:${e.key}`) ?? (e.file ? fileTime(e.file, 0) : 0);
    return event(
      'epic.upserted',
      'epic',
      ids.epic(pk, e.key),
      iso(Math.max(at, 0) || newest),
      {
        projectId,
        key: label(e.key, 128) ?? e.key.slice(0, 128),
        title: label(e.title, 500),
        status: e.status,
        sourceStatus: label(e.sourceStatus, 64),
        retrospective: e.retrospective ? { ...e.retrospective, status: label(e.retrospective.status, 64) } : null,
      },
      { projectId },
    );
  });
}

function storyEvent(
  { pk, projectId }: SnapshotContext,
  epicTitle: ReadonlyMap<string, string>,
  s: BmadStory,
  status: Status,
  column: string | null,
  at: number,
): ConnectorEvent {
  const storyId = ids.story(pk, s.key);
  return event(
    'story.upserted',
    'story',
    storyId,
    iso(at),
    {
      projectId,
      title: label(s.title, 500) ?? s.key,
      status,
      kanbanColumn: label(column, 64),
      epic: s.epicKey ? label(epicTitle.get(s.epicKey) ?? `Epic ${s.epicKey}`, 200) : null,
      details: {
        key: label(s.key, 128),
        tasksDone: s.tasksDone,
        tasksTotal: s.tasksTotal,
        agentModel: label(s.agentModel, 200),
        file: s.file,
        sourceStatus: label(s.sourceStatus, 64),
        records: s.records.slice(0, 20).map((r) => ({ ...r, value: label(r.value, 64) })),
        reviewFindings: s.reviewFindings,
        deferred: s.deferred
          .slice(0, 200)
          .map((d) => ({ ...d, summary: label(d.summary, 500) ?? '…', severity: label(d.severity, 32), origin: d.origin?.slice(0, 300) ?? null })),
        baselineCommit: label(s.baselineCommit, 80),
        assignee: label(s.assignee, 200),
      },
    },
    { projectId },
  );
}

/** The planning workflows (PRD, architecture…): a run each, timed by the history of its document when there is one. */
function planningEvents({ snap, pk, projectId, fileTime }: SnapshotContext, personas: PersonaMap, planning: EventInput['planning']): ConnectorEvent[] {
  const events: ConnectorEvent[] = [];
  for (const p of snap.planning) {
    const wfId = ids.workflow(pk, `plan:${p.workflow}`);
    const agentId = personas.planning(p.workflow).id;
    const mark = planning?.[p.file];
    if (!mark) {
      events.push(
        event(
          'workflow.upserted',
          'workflow',
          wfId,
          iso(fileTime(p.file, p.mtimeMs)),
          { projectId, name: p.workflow, agentId, status: p.complete ? 'done' : 'in_progress' },
          { projectId },
        ),
      );
      continue;
    }
    // With history: the run started when its document was first committed, and ended when it was first complete.
    events.push(
      event(
        'workflow.upserted',
        'workflow',
        wfId,
        mark.started.authorDate,
        { projectId, name: p.workflow, agentId, status: 'in_progress', seenIn: 'commit', commit: commitRef(mark.started) },
        { projectId },
        'run',
      ),
    );
    events.push(
      event(
        'workflow.transitioned',
        'workflow',
        wfId,
        mark.started.authorDate,
        { to: 'in_progress', transitionKey: `plan-start:${p.file}`.slice(0, 128), seenIn: 'commit', commit: commitRef(mark.started) },
        { projectId },
        'run',
      ),
    );
    const end = mark.completed ? mark.completed.authorDate : p.complete ? iso(fileTime(p.file, p.mtimeMs)) : null;
    if (end) {
      events.push(
        event(
          'workflow.transitioned',
          'workflow',
          wfId,
          end,
          {
            to: 'done',
            from: 'in_progress',
            transitionKey: `plan-done:${p.file}`.slice(0, 128),
            seenIn: mark.completed ? 'commit' : 'working_tree',
            ...(mark.completed ? { commit: commitRef(mark.completed) } : {}),
          },
          { projectId },
          'run',
        ),
      );
    }
  }
  return events;
}

/** The scan's findings and errors, as one consistency report on the project. */
function findingsEvent({ snap, pk, projectId, newest }: SnapshotContext): ConnectorEvent {
  const findings: ConsistencyFinding[] = [...snap.findings, ...snap.errors].slice(0, 5000).map((f) => ({
    kind: f.kind,
    storyId: f.storyKey ? ids.story(pk, f.storyKey) : null,
    file: f.file || null,
    line: f.line,
    message: f.message.slice(0, 1000) || 'problem',
    expected: f.expected?.slice(0, 64) ?? null,
    actual: f.actual?.slice(0, 64) ?? null,
  }));
  return event('consistency.reported', 'project', projectId, iso(newest), { findings }, { projectId });
}

/** Sync health per module: failed, with the file and line, while any file of the project cannot be read; notes otherwise. */
export function syncEvents(snap: BmadSnapshot, now: Date, expectedIntervalMs: number | null, notes: readonly string[] = []): ConnectorEvent[] {
  const error =
    snap.errors.length === 0
      ? null
      : snap.errors
          .slice(0, 5)
          .map((e) => `${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`)
          .join('; ')
          .slice(0, 4000);
  const note = [...snap.notes, ...notes].join('; ').slice(0, 1000) || null;
  const modules: Module[] = ['project', 'story', 'workflow', 'document'];
  return modules.map((module) =>
    event('sync.reported', 'sync', `${ids.project(snap.projectKey)}:${module}`, now.toISOString(), {
      module,
      status: error ? 'failed' : 'ok',
      ...(error ? { error } : {}),
      ...(note ? { note } : {}),
      ...(expectedIntervalMs ? { expectedIntervalMs } : {}),
    }),
  );
}
